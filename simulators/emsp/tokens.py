"""The eMSP's own driver tokens: the Tokens Sender interface and real-time authorization.

mod_tokens, *Sender Interface*: a paginated GET of every token, filtered on
`last_updated` (`date_from` inclusive, `date_to` exclusive), and POST
``{token_uid}/authorize[?type=]`` answering an AuthorizationInfo — or HTTP 404 with 2004
for a token the eMSP does not know, or 2002 when the token needs a location to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .store import Outcome
from .wire import JsonObject, format_datetime, new_id, parse_datetime, utc_now

__all__ = ["EmspToken", "TokenBook", "make_token"]

TOKEN_TYPES = ("AD_HOC_USER", "APP_USER", "OTHER", "RFID")
ALLOWED_TYPES = ("ALLOWED", "BLOCKED", "EXPIRED", "NO_CREDIT", "NOT_ALLOWED")


def make_token(
    country_code: str,
    party_id: str,
    uid: str,
    *,
    type: str = "RFID",
    whitelist: str = "ALWAYS",
    valid: bool = True,
    contract_id: str | None = None,
    issuer: str = "Simulated eMSP",
    group_id: str | None = None,
    last_updated: datetime | None = None,
) -> JsonObject:
    """A complete Token object (mod_tokens, *Token Object*)."""
    token: JsonObject = {
        "country_code": country_code,
        "party_id": party_id,
        "uid": uid,
        "type": type,
        "contract_id": contract_id or f"{country_code}-{party_id}-C{uid[-8:]}"[:36],
        "issuer": issuer,
        "valid": valid,
        "whitelist": whitelist,
        "last_updated": format_datetime(last_updated or utc_now()),
    }
    if group_id is not None:
        token["group_id"] = group_id
    return token


@dataclass(slots=True)
class EmspToken:
    """A token and how the eMSP answers a real-time authorization for it."""

    token: JsonObject
    allowed: str = "ALLOWED"
    needs_location: bool = False
    evse_uids: tuple[str, ...] | None = None  # None: every EVSE of any location


class TokenBook:
    """Every token this eMSP issued, and the authorization requests it answered."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str], EmspToken] = {}
        self.authorizations: list[JsonObject] = []

    def add(self, token: EmspToken) -> None:
        """Add or replace a token."""
        if token.allowed not in ALLOWED_TYPES:
            raise ValueError(f"allowed must be one of {ALLOWED_TYPES}")
        self._tokens[(token.token["uid"].upper(), token.token["type"])] = token

    def get(self, uid: str, type: str = "RFID") -> EmspToken | None:
        return self._tokens.get((uid.upper(), type))

    def all(self) -> list[JsonObject]:
        return [entry.token for entry in self._tokens.values()]

    def page(
        self,
        date_from: str | None,
        date_to: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[JsonObject], int]:
        """One page of tokens, oldest first, and the total matching the filters."""
        start = parse_datetime(date_from) if date_from else None
        end = parse_datetime(date_to) if date_to else None
        matching = []
        for token in self.all():
            updated = parse_datetime(token["last_updated"])
            if (start is None or updated >= start) and (end is None or updated < end):
                matching.append(token)
        matching.sort(key=lambda t: (parse_datetime(t["last_updated"]), t["uid"]))
        return matching[offset : offset + limit], len(matching)

    def authorize(self, uid: str, type: str, location: JsonObject | None) -> Outcome:
        """The answer to POST tokens/{uid}/authorize (mod_tokens, *POST Method*)."""
        self.authorizations.append({"uid": uid, "type": type, "location": location})
        entry = self.get(uid, type)
        if entry is None:
            return Outcome(status_code=2004, http_status=404, message=f"unknown token {uid}")
        if entry.needs_location and not location:
            return Outcome(status_code=2002, message="a location is needed to authorize")
        info: JsonObject = {
            "allowed": entry.allowed,
            "token": entry.token,
            "authorization_reference": new_id()[:36],
        }
        if location:
            evses = location.get("evse_uids") or []
            if entry.evse_uids is not None:
                evses = [uid for uid in evses if uid in entry.evse_uids]
            info["location"] = {"location_id": location.get("location_id"), "evse_uids": evses}
        return Outcome(data=info)
