"""What the CPO pushed, kept the way an eMSP's Receiver interfaces must keep it.

Each method applies one request with the spec's semantics and returns an `Outcome` (the
OCPI status, the HTTP status, the data to answer with). Anything the CPO got wrong that an
eMSP would tolerate is added to `problems` as well, so tests can assert there are none:

- mod_locations *PUT/PATCH*: an EVSE or Connector update also sets the parents'
  `last_updated`; PATCH needs `last_updated`; DELETE does not exist (REMOVED status).
- mod_sessions *PUT/PATCH*: a PUT replaces the charging periods, a PATCH appends them; a
  PATCH of a session never PUT is the CPO's error.
- mod_cdrs *POST*: a CDR is posted once; the answer carries a `Location` header.
- mod_tariffs *PUT/DELETE*.
- transport_and_format *Client Owned Object Push*: URL party and id equal the object's.
- Updates older than what is stored (`last_updated`) are out of order: reported, ignored.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .schema import check_object, check_patch, describe, is_soft
from .wire import JsonObject, parse_datetime

__all__ = ["Key", "Outcome", "ReceivedStore", "object_key"]

Key = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How to answer one request: OCPI status code, HTTP status, data, extra headers."""

    status_code: int = 1000
    http_status: int = 200
    data: Any = None
    message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 1000 <= self.status_code < 2000


_CREATED = Outcome(http_status=201)
_UPDATED = Outcome()


def _invalid(message: str) -> Outcome:
    # status_codes: valid JSON that reached the OCPI layer gets no HTTP error status.
    return Outcome(status_code=2001, message=message)


def _unknown(what: str, code: int = 2001) -> Outcome:
    return Outcome(status_code=code, http_status=404, message=f"unknown {what}")


def object_key(country_code: str, party_id: str, object_id: str) -> Key:
    """The store key of a client-owned object; CiStrings compare case-insensitively
    (types, *CiString*)."""
    return (country_code.upper(), party_id.upper(), object_id.upper())


def _older(new: JsonObject, stored: JsonObject) -> bool:
    try:
        return parse_datetime(new["last_updated"]) < parse_datetime(stored["last_updated"])
    except (KeyError, TypeError, ValueError):
        return False


def _replaced(items: list[JsonObject], old: JsonObject | None, new: JsonObject) -> list[JsonObject]:
    """`items` with `old` replaced by `new` in place, or `new` appended."""
    if old is None:
        return [*items, new]
    return [new if item is old else item for item in items]


class ReceivedStore:
    """Locations, sessions, CDRs and tariffs as received, plus every problem seen."""

    def __init__(self) -> None:
        self.locations: dict[Key, JsonObject] = {}
        self.sessions: dict[Key, JsonObject] = {}
        self.tariffs: dict[Key, JsonObject] = {}
        self.cdrs: dict[str, JsonObject] = {}  # by our own id, the one in the Location URL
        self.cdr_posts: dict[str, int] = {}  # CDR.id -> number of POSTs
        self.profiles_set: set[str] = set()  # sessions we set a charging profile on
        self.active_profiles: dict[str, JsonObject] = {}  # session id -> ActiveChargingProfile
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def _checked(self, problems: list[str], what: str) -> Outcome | None:
        """Report `problems`; refuse the object (2001) unless all of them are soft."""
        if problems:
            self.problem(f"{what}: {describe(problems)}")
            hard = [problem for problem in problems if not is_soft(problem)]
            if hard:
                return _invalid(describe(hard))
        return None

    def _owner_matches(self, url: Key, body: JsonObject, what: str) -> Outcome | None:
        owner = (str(body.get("country_code", "")).upper(), str(body.get("party_id", "")).upper())
        if owner != url[:2]:
            self.problem(f"{what}: URL party {url[0]}*{url[1]} is not the object's {owner}")
            return _invalid("country_code/party_id differ from the URL")
        return None

    # --- locations ---------------------------------------------------------------------

    def put_location(self, key: Key, body: JsonObject) -> Outcome:
        what = f"PUT location {'/'.join(key)}"
        bad = self._checked(check_object("Location", body), what)
        bad = bad or self._owner_matches(key, body, what)
        if bad is None and str(body["id"]).upper() != key[2]:
            self.problem(f"{what}: body id {body['id']} differs from the URL")
            bad = _invalid("id differs from the URL")
        if bad is not None:
            return bad
        stored = self.locations.get(key)
        if stored is not None and _older(body, stored):
            self.problem(f"{what}: last_updated older than the stored location")
            return _UPDATED
        self.locations[key] = copy.deepcopy(body)
        return _UPDATED if stored is not None else _CREATED

    def patch_location(self, key: Key, body: JsonObject) -> Outcome:
        what = f"PATCH location {'/'.join(key)}"
        bad = self._checked(check_patch("Location", body), what)
        if bad is not None:
            return bad
        stored = self.locations.get(key)
        if stored is None:
            self.problem(f"{what}: the location was never PUT")
            return _unknown("location", 2003)
        if _older(body, stored):
            self.problem(f"{what}: last_updated older than the stored location")
            return _UPDATED
        stored.update(copy.deepcopy(body))
        return _UPDATED

    def find_evse(self, key: Key, evse_uid: str) -> tuple[JsonObject | None, JsonObject | None]:
        location = self.locations.get(key)
        if location is None:
            return None, None
        for evse in location.get("evses") or []:
            if str(evse.get("uid", "")).upper() == evse_uid.upper():
                return location, evse
        return location, None

    def put_evse(self, key: Key, evse_uid: str, body: JsonObject) -> Outcome:
        what = f"PUT EVSE {'/'.join(key)}/{evse_uid}"
        bad = self._checked(check_object("EVSE", body), what)
        if bad is None and str(body["uid"]).upper() != evse_uid.upper():
            self.problem(f"{what}: body uid {body['uid']} differs from the URL")
            bad = _invalid("uid differs from the URL")
        if bad is not None:
            return bad
        location, evse = self.find_evse(key, evse_uid)
        if location is None:
            self.problem(f"{what}: its location was never PUT")
            return _unknown("location", 2003)
        if evse is not None and _older(body, evse):
            self.problem(f"{what}: last_updated older than the stored EVSE")
            return _UPDATED
        location["evses"] = _replaced(location.get("evses") or [], evse, copy.deepcopy(body))
        location["last_updated"] = body["last_updated"]  # mod_locations, *PUT*
        return _UPDATED if evse is not None else _CREATED

    def patch_evse(self, key: Key, evse_uid: str, body: JsonObject) -> Outcome:
        what = f"PATCH EVSE {'/'.join(key)}/{evse_uid}"
        bad = self._checked(check_patch("EVSE", body), what)
        if bad is not None:
            return bad
        location, evse = self.find_evse(key, evse_uid)
        if location is None or evse is None:
            self.problem(f"{what}: the EVSE was never PUT")
            return _unknown("EVSE", 2003)
        if _older(body, evse):
            self.problem(f"{what}: last_updated older than the stored EVSE")
            return _UPDATED
        evse.update(copy.deepcopy(body))
        location["last_updated"] = body["last_updated"]  # mod_locations, *PATCH*
        return _UPDATED

    def put_connector(
        self, key: Key, evse_uid: str, connector_id: str, body: JsonObject
    ) -> Outcome:
        what = f"PUT connector {'/'.join(key)}/{evse_uid}/{connector_id}"
        bad = self._checked(check_object("Connector", body), what)
        if bad is None and str(body["id"]).upper() != connector_id.upper():
            self.problem(f"{what}: body id {body['id']} differs from the URL")
            bad = _invalid("id differs from the URL")
        if bad is not None:
            return bad
        location, evse = self.find_evse(key, evse_uid)
        if location is None or evse is None:
            self.problem(f"{what}: its EVSE was never PUT")
            return _unknown("EVSE", 2003)
        connectors = evse.get("connectors") or []
        existing = next(
            (c for c in connectors if str(c.get("id")).upper() == body["id"].upper()), None
        )
        if existing is not None and _older(body, existing):
            self.problem(f"{what}: last_updated older than the stored connector")
            return _UPDATED
        evse["connectors"] = _replaced(connectors, existing, copy.deepcopy(body))
        evse["last_updated"] = location["last_updated"] = body["last_updated"]
        return _UPDATED if existing is not None else _CREATED

    def patch_connector(
        self, key: Key, evse_uid: str, connector_id: str, body: JsonObject
    ) -> Outcome:
        what = f"PATCH connector {'/'.join(key)}/{evse_uid}/{connector_id}"
        bad = self._checked(check_patch("Connector", body), what)
        if bad is not None:
            return bad
        location, evse = self.find_evse(key, evse_uid)
        connectors = (evse or {}).get("connectors") or []
        connector = next(
            (c for c in connectors if str(c.get("id")).upper() == connector_id.upper()), None
        )
        if location is None or evse is None or connector is None:
            self.problem(f"{what}: the connector was never PUT")
            return _unknown("connector", 2003)
        if _older(body, connector):
            self.problem(f"{what}: last_updated older than the stored connector")
            return _UPDATED
        connector.update(copy.deepcopy(body))
        evse["last_updated"] = location["last_updated"] = body["last_updated"]
        return _UPDATED

    # --- sessions ----------------------------------------------------------------------

    def put_session(self, key: Key, body: JsonObject) -> Outcome:
        what = f"PUT session {'/'.join(key)}"
        bad = self._checked(check_object("Session", body), what)
        bad = bad or self._owner_matches(key, body, what)
        if bad is None and str(body["id"]).upper() != key[2]:
            self.problem(f"{what}: body id {body['id']} differs from the URL")
            bad = _invalid("id differs from the URL")
        if bad is not None:
            return bad
        stored = self.sessions.get(key)
        if stored is not None and _older(body, stored):
            self.problem(f"{what}: last_updated older than the stored session")
            return _UPDATED
        # mod_sessions, *PUT*: the new object replaces the old, charging periods included.
        self.sessions[key] = copy.deepcopy(body)
        return _UPDATED if stored is not None else _CREATED

    def patch_session(self, key: Key, body: JsonObject) -> Outcome:
        what = f"PATCH session {'/'.join(key)}"
        bad = self._checked(check_patch("Session", body), what)
        if bad is not None:
            return bad
        stored = self.sessions.get(key)
        if stored is None:
            self.problem(f"{what}: PATCH before the session was PUT")
            return _unknown("session")
        if _older(body, stored):
            self.problem(f"{what}: last_updated older than the stored session")
            return _UPDATED
        update = copy.deepcopy(body)
        periods = update.pop("charging_periods", None)
        stored.update(update)
        if periods:  # mod_sessions, *PATCH*: charging periods are appended
            stored["charging_periods"] = [*(stored.get("charging_periods") or []), *periods]
        return _UPDATED

    # --- CDRs and tariffs --------------------------------------------------------------

    def post_cdr(self, body: JsonObject, base_url: str) -> Outcome:
        what = f"POST CDR {body.get('id') if isinstance(body, dict) else '?'}"
        bad = self._checked(check_object("CDR", body), what)
        if bad is not None:
            return bad
        cdr_id = str(body["id"])
        count = self.cdr_posts.get(cdr_id, 0) + 1
        self.cdr_posts[cdr_id] = count
        if count > 1:
            self.problem(f"{what}: posted {count} times (a CDR is sent once)")
        own_id = f"{body['country_code']}-{body['party_id']}-{cdr_id}"
        self.cdrs[own_id] = copy.deepcopy(body)
        # mod_cdrs, *POST* response headers: Location, where the CPO can GET the CDR.
        return Outcome(http_status=201, headers={"Location": f"{base_url}/{own_id}"})

    def put_tariff(self, key: Key, body: JsonObject) -> Outcome:
        what = f"PUT tariff {'/'.join(key)}"
        bad = self._checked(check_object("Tariff", body), what)
        bad = bad or self._owner_matches(key, body, what)
        if bad is None and str(body["id"]).upper() != key[2]:
            self.problem(f"{what}: body id {body['id']} differs from the URL")
            bad = _invalid("id differs from the URL")
        if bad is not None:
            return bad
        stored = self.tariffs.get(key)
        if stored is not None and _older(body, stored):
            self.problem(f"{what}: last_updated older than the stored tariff")
            return _UPDATED
        self.tariffs[key] = copy.deepcopy(body)
        return _UPDATED if stored is not None else _CREATED

    def delete_tariff(self, key: Key) -> Outcome:
        if self.tariffs.pop(key, None) is None:
            self.problem(f"DELETE tariff {'/'.join(key)}: the tariff was never PUT")
            return _unknown("tariff")
        return _UPDATED

    # --- lookups -----------------------------------------------------------------------

    def session(self, session_id: str) -> JsonObject | None:
        """The stored session with `session_id`, whichever CPO party owns it."""
        return next((s for k, s in self.sessions.items() if k[2] == session_id.upper()), None)

    def location(self, location_id: str) -> JsonObject | None:
        """The stored location with `location_id`."""
        return next((v for k, v in self.locations.items() if k[2] == location_id.upper()), None)

    def cdr_for_session(self, session_id: str) -> JsonObject | None:
        """The CDR received for `session_id`, if any."""
        return next((c for c in self.cdrs.values() if c.get("session_id") == session_id), None)
