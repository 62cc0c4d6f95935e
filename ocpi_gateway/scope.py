"""Whose data a request may see (version-neutral).

A partner sees the sessions and CDRs of the tokens it issued. When it speaks for several
parties — a hub, or a platform with several roles — the `OCPI-from-*` headers name the
party a request is for (transport_and_format, *Message Routing*), and the data is narrowed
to that party's tokens. A single-party partner is not narrowed: its `OCPI-from-*` can only
name itself, and narrowing would only hide sessions started with tokens it never uploaded.
"""

from __future__ import annotations

from ocpi_gateway.routing import RequestContext
from shared.domain.partners import party_key
from shared.store.partner_feeds import PartnerScope

__all__ = ["partner_scope"]


def partner_scope(context: RequestContext) -> PartnerScope:
    """The scope of the requesting partner (and party)."""
    partner = context.partner
    owner = None
    several = partner.is_hub or len(partner.roles) > 1
    if context.from_party is not None and several:
        owner = party_key(context.from_party.country_code, context.from_party.party_id)
    return PartnerScope(partner_id=partner.id, owner=owner)
