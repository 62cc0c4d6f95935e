"""OCPI 2.2.1 CDR from a stored CDR record.

Billing issues each CDR once, as a document with the 2.2.1 CDR field names
(`shared.billing.cdrs`); it is served as it was issued, validated by the model on the way
out so that nothing we send breaks the spec.
"""

from __future__ import annotations

from ocpi_gateway.v221.models import CDR
from shared.store.partner_feeds import FeedCdr

__all__ = ["cdr_to_wire"]


def cdr_to_wire(cdr: FeedCdr) -> CDR:
    """The CDR as issued; `pydantic.ValidationError` when the record does not fit."""
    return CDR.model_validate(dict(cdr.record))
