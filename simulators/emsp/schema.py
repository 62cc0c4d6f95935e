"""An independent checker of OCPI 2.2.1 objects, driven by the spec's own tables.

The eMSP simulator exists to catch the CPO's mistakes, so it must not share the CPO's
models. It reads `ocpi-2.2.1.schema.json` (every object's fields, cardinalities, lengths,
enums and the few regexes, transcribed from the spec's tables) and walks received JSON
against it, returning readable problems instead of raising.

Rules checked, besides the tables (spec chapter *Types*):

- CiString: printable ASCII only; string: printable UTF-8 (no tabs, line breaks);
- DateTime: RFC 3339 in UTC, ``Z`` or no designator (``+00:00`` is not UTC, the spec says);
- number: a JSON number with at most 4 decimals unless the field says otherwise (a float
  artefact such as ``1.2300000000000002`` is a bug worth reporting). This one is *soft*
  (`is_soft`): reported, but a receiver can still use the object;
- int: a JSON integer with the table's maximum number of digits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "OBJECT_TYPES",
    "check_object",
    "check_patch",
    "check_value",
    "describe",
    "is_datetime",
    "is_soft",
    "type_fields",
]

#: Short names for the objects the simulator checks, mapped to the schema's keys.
OBJECT_TYPES: Mapping[str, str] = {
    "Location": "mod_locations_location_object",
    "EVSE": "mod_locations_evse_object",
    "Connector": "mod_locations_connector_object",
    "Session": "mod_sessions_session_object",
    "CDR": "mod_cdrs_cdr_object",
    "Tariff": "mod_tariffs_tariff_object",
    "Token": "mod_tokens_token_object",
    "Credentials": "credentials_credentials_object",
    "Version": "version_information_endpoint_version_class",
    "VersionDetails": "version_information_get_details_endpoint_data",
    "CommandResponse": "mod_commands_commandresponse_object",
    "CommandResult": "mod_commands_commandresult_object",
    "ChargingProfileResponse": "mod_charging_profiles_response_object",
    "ActiveChargingProfileResult": "mod_charging_profiles_active_charging_profiles_result_object",
    "ChargingProfileResult": "mod_charging_profiles_charging_profiles_result_object",
    "ClearProfileResult": "mod_charging_profiles_clear_profiles_result_object",
    "ActiveChargingProfile": "mod_charging_profiles_active_charging_profile_class",
    "ClientInfo": "mod_hub_client_info_hub_client_info_object",
    "AuthorizationInfo": "mod_tokens_authorizationinfo_object",
}

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$")
_URL = re.compile(r"^https?://[^\s]+$")
# Fields whose description allows other precisions than the default 4 decimals.
_ONE_DECIMAL = {"limit", "min_charging_rate"}
# Enums the spec itself leaves open (custom modules, later versions).
_OPEN_ENUMS = {
    "version_information_endpoint_moduleid_enum",
    "version_information_endpoint_versionnumber_enum",
}


@cache
def _types() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("ocpi-2.2.1.schema.json").read_text("utf-8")
    types: dict[str, Any] = json.loads(text)["types"]
    return types


_SOFT_MARK = "decimals"


def is_soft(problem: str) -> bool:
    """True for a problem that is reported but does not make the object unusable."""
    return _SOFT_MARK in problem


def type_fields(type_name: str) -> list[str]:
    """The field names of an object type (short name or schema key)."""
    spec = _types()[OBJECT_TYPES.get(type_name, type_name)]
    return [field["name"] for field in spec.get("fields", [])]


def is_datetime(value: object) -> bool:
    """True for an OCPI DateTime string (UTC, see module doc)."""
    return isinstance(value, str) and len(value) <= 25 and bool(_DATETIME.match(value))


def check_object(type_name: str, value: object, where: str = "") -> list[str]:
    """Problems of `value` as a whole object of `type_name` (e.g. "Session")."""
    return _check_ref(OBJECT_TYPES.get(type_name, type_name), value, where or type_name)


def check_patch(type_name: str, value: object, where: str = "") -> list[str]:
    """Problems of `value` as a PATCH body: present fields fully checked, `last_updated`
    required (transport_and_format, *PATCH*; each module's PATCH clause)."""
    where = where or f"{type_name} PATCH"
    if not isinstance(value, dict):
        return [f"{where}: a PATCH body must be a JSON object"]
    spec = _types()[OBJECT_TYPES.get(type_name, type_name)]
    problems: list[str] = []
    if "last_updated" in type_fields(type_name) and value.get("last_updated") is None:
        problems.append(f"{where}: a PATCH must carry last_updated")
    for field in spec["fields"]:
        name = field["name"]
        if name in value and value[name] is not None:
            problems += _check_field(field, value[name], f"{where}.{name}")
    return problems


def check_value(prim: str, value: object, where: str, maxlen: int | None = None) -> list[str]:
    """Problems of one primitive value (`prim` as named in the spec's tables)."""
    return _check_prim({"prim": prim, "maxlen": maxlen}, value, where, where.rsplit(".", 1)[-1])


def _check_ref(ref: str, value: object, where: str) -> list[str]:
    spec = _types()[ref]
    if spec["kind"] == "enum":
        if ref in _OPEN_ENUMS:
            return [] if isinstance(value, str) else [f"{where}: expected a string"]
        if value not in spec["values"]:
            return [f"{where}: {value!r} is not a {spec['title'].split()[0]} value"]
        return []
    if not isinstance(value, dict):
        return [f"{where}: expected an object, got {type(value).__name__}"]
    problems: list[str] = []
    for field in spec.get("fields", []):
        name, card = field["name"], field["card"]
        present = value.get(name) is not None
        if not present:
            if card in ("1", "+"):
                problems.append(f"{where}.{name}: required field missing")
            continue
        problems += _check_field(field, value[name], f"{where}.{name}")
    return problems


def _check_field(field: Mapping[str, Any], value: object, where: str) -> list[str]:
    card = field["card"]
    if card in ("*", "+"):
        if not isinstance(value, list):
            return [f"{where}: expected a list"]
        if card == "+" and not value:
            return [f"{where}: at least one item required"]
        problems: list[str] = []
        for index, item in enumerate(value):
            problems += _check_one(field, item, f"{where}[{index}]")
        return problems
    if card == "* or ?":
        return []
    return _check_one(field, value, where)


def _check_one(field: Mapping[str, Any], value: object, where: str) -> list[str]:
    kind = field["type"]
    if "ref" in kind:
        return _check_ref(kind["ref"], value, where)
    if "raw" in kind:
        return []
    problems = _check_prim(kind, value, where, field["name"])
    regex = field.get("regex")
    if not problems and regex and not re.fullmatch(regex, str(value)):
        problems.append(f"{where}: {value!r} does not match {regex}")
    return problems


def _check_prim(kind: Mapping[str, Any], value: object, where: str, name: str) -> list[str]:
    prim, maxlen = kind["prim"], kind.get("maxlen")
    if prim in ("string", "CiString", "URL", "DateTime"):
        return _check_text(prim, maxlen, value, where)
    if prim == "boolean":
        return [] if isinstance(value, bool) else [f"{where}: expected true or false"]
    if prim == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{where}: expected an integer, got {value!r}"]
        digits = kind.get("maxdigits")
        if digits is not None and len(str(abs(value))) > digits:
            return [f"{where}: more than {digits} digits"]
        return []
    if prim == "number":
        return _check_number(value, where, 1 if name in _ONE_DECIMAL else 4)
    return [f"{where}: unknown primitive {prim}"]


def _check_text(prim: str, maxlen: int | None, value: object, where: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{where}: expected a string, got {type(value).__name__}"]
    if maxlen is not None and len(value) > maxlen:
        return [f"{where}: longer than {maxlen} characters ({len(value)})"]
    if prim == "DateTime" and not is_datetime(value):
        return [f"{where}: {value!r} is not an OCPI DateTime (RFC 3339, UTC, 'Z' or none)"]
    if prim == "URL" and not _URL.match(value):
        return [f"{where}: {value!r} is not a URL"]
    if prim == "CiString" and not all(" " <= ch <= "~" for ch in value):
        return [f"{where}: CiString must be printable ASCII"]
    if not value.isprintable():
        return [f"{where}: non-printable characters"]
    return []


def _check_number(value: object, where: str, places: int) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return [f"{where}: expected a number, got {value!r}"]
    if isinstance(value, Decimal | float):
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            return [f"{where}: {value} has more than {places} {_SOFT_MARK}"]
    return []


def describe(problems: Sequence[str], limit: int = 3) -> str:
    """A short one-line summary of `problems`."""
    shown = "; ".join(problems[:limit])
    more = len(problems) - limit
    return shown + (f" (+{more} more)" if more > 0 else "")
