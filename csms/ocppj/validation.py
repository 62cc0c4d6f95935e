"""Payload validation against the ``ocpp`` package's own JSON schemas, compiled for speed.

Each (action, request|response) schema is compiled with fastjsonschema the first time it is
needed and kept; :func:`warm_up` compiles them all ahead of traffic. A valid payload costs
one call of the compiled function. Only when it fails do we look closer: in lenient mode,
a second, lazily compiled collect-all validator tells whether every violation is an enum
value (kept, and returned as warnings) or something that must be refused.

Before compiling, each string ``enum`` is turned into a custom format backed by a
``frozenset`` lookup: fastjsonschema checks an enum as a chain of ``isinstance`` and ``==``
tests, which made enum checks a third of a 1.6 MeterValues validation (22 measurands).
Violations still read as ``enum`` violations.

Which CALLERROR a violation gets (OCPP-J 1.6 §4.2.3 table 7, OCPP 2.0.1 Part 4 §4.3):

=========================================  ==================================================
rule that failed                            error code
=========================================  ==================================================
``type``                                    TypeConstraintViolation ("violates data type
                                            constraints", e.g. ``"somestring": 12``)
``required``, ``minItems``, ``maxItems``,   OccurrenceConstraintViolation (a field or an
``minProperties``, ``maxProperties``        element occurs too few or too many times)
``enum``, ``const``, ``minLength``,         PropertyConstraintViolation ("at least one field
``maxLength``, ``pattern``, ``minimum``,    contains an invalid value")
``maximum``, ``exclusive*``,
``multipleOf``, ``uniqueItems``
``additionalProperties``,                   FormatViolation (1.6: FormationViolation, "not
``additionalItems``, ``format``             conform the PDU structure"; 2.0.1: "syntactically
                                            incorrect"; ocpp-rpc peers answer a bad
                                            date-time with it too)
=========================================  ==================================================

Two date-time policies: ``"strict"`` accepts RFC 3339 with a zone only, exactly what a strict
ocpp-rpc peer demands (for what we send, and in tests); ``"lenient"`` accepts what
:func:`~csms.ocppj.timestamps.parse_charger_timestamp` accepts (for what chargers send).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import import_module, resources
from importlib.resources.abc import Traversable
from typing import Any, Final, Literal, TypeAlias

import fastjsonschema
import orjson

from csms.ocppj.common import VERSIONS, JsonObject, OcppVersion, check_version
from csms.ocppj.errors import ErrorCode, PayloadError, UnknownActionError
from csms.ocppj.timestamps import is_charger_timestamp, is_rfc3339

__all__ = ["DateTimePolicy", "Validator", "actions", "get_validator", "warm_up"]

#: How ``"format": "date-time"`` is checked: RFC 3339 only, or as chargers really write it.
DateTimePolicy: TypeAlias = Literal["strict", "lenient"]

_Kind: TypeAlias = Literal["request", "response"]
_Check: TypeAlias = Callable[[Any], object]

_DATE_TIME_CHECKS: Final[Mapping[DateTimePolicy, Callable[[Any], bool]]] = {
    "strict": is_rfc3339,
    "lenient": is_charger_timestamp,
}

_OCCURRENCE: Final = ErrorCode.OccurrenceConstraintViolation
_PROPERTY: Final = ErrorCode.PropertyConstraintViolation
_RULE_CODES: Final[Mapping[str, ErrorCode]] = {
    "type": ErrorCode.TypeConstraintViolation,
    "required": _OCCURRENCE,
    "minItems": _OCCURRENCE,
    "maxItems": _OCCURRENCE,
    "minProperties": _OCCURRENCE,
    "maxProperties": _OCCURRENCE,
    "enum": _PROPERTY,
    "const": _PROPERTY,
    "minLength": _PROPERTY,
    "maxLength": _PROPERTY,
    "pattern": _PROPERTY,
    "minimum": _PROPERTY,
    "maximum": _PROPERTY,
    "exclusiveMinimum": _PROPERTY,
    "exclusiveMaximum": _PROPERTY,
    "multipleOf": _PROPERTY,
    "uniqueItems": _PROPERTY,
    "additionalProperties": ErrorCode.FormatViolation,
    "additionalItems": ErrorCode.FormatViolation,
    "format": ErrorCode.FormatViolation,
}

# The file name of each schema in the ocpp package: 1.6 names requests after the action alone.
_SUFFIXES: Final[Mapping[OcppVersion, Mapping[_Kind, str]]] = {
    "1.6": {"request": "", "response": "Response"},
    "2.0.1": {"request": "Request", "response": "Response"},
}
_PACKAGES: Final[Mapping[OcppVersion, str]] = {"1.6": "ocpp.v16", "2.0.1": "ocpp.v201"}

#: Where a string enum's allowed values are kept once it is checked as a format.
_ENUM_KEY: Final = "x-laddpunkt-enum"

#: Room for a violation's description: a CALLERROR's ErrorDescription is string[255].
_DESCRIPTION_ROOM: Final = 255


@dataclass(slots=True)
class _Compiled:
    """One schema, its fast-fail validator, and (only once needed) its collect-all one."""

    schema: JsonObject
    formats: Mapping[str, Callable[[Any], bool]]
    check: _Check
    _collect: _Check | None = field(default=None, repr=False)

    @classmethod
    def build(cls, schema: JsonObject, date_time: Callable[[Any], bool]) -> _Compiled:
        formats: dict[str, Callable[[Any], bool]] = {"date-time": date_time}
        prepared = _with_enum_sets(_inline_refs(schema), formats)
        return cls(prepared, formats, _compile(prepared, formats))

    def run(self, payload: JsonObject, lenient: bool) -> list[str]:
        """Validate; return warnings, or raise :class:`PayloadError`."""
        try:
            self.check(payload)
        except fastjsonschema.JsonSchemaValueException as exc:
            return _on_violation(self, payload, exc, lenient)
        except InvalidOperation:
            # fastjsonschema checks a float multipleOf (1.6 charging limits, 0.1) through
            # Decimal(repr(value)), which fails for a Decimal value. Check such payloads with
            # floats instead: exact for the few significant digits a limit has.
            floats = _decimals_as_floats(payload)
            try:
                self.check(floats)
            except fastjsonschema.JsonSchemaValueException as exc:
                return _on_violation(self, floats, exc, lenient)
        return []

    def collect(self) -> _Check:
        if self._collect is None:
            self._collect = _compile(self.schema, self.formats, fast_fail=False)
        return self._collect


def _compile(
    schema: JsonObject, formats: Mapping[str, Callable[[Any], bool]], *, fast_fail: bool = True
) -> _Check:
    # use_default=False: fastjsonschema would otherwise write schema defaults into payloads.
    check: _Check = fastjsonschema.compile(
        schema, formats=formats, use_default=False, fast_fail=fast_fail
    )
    return check


def _decimals_as_floats(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _decimals_as_floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decimals_as_floats(item) for item in value]
    return float(value) if isinstance(value, Decimal) else value


def _inline_refs(schema: JsonObject) -> JsonObject:
    """Copy `schema` with every local `$ref` replaced by the definition it names.

    fastjsonschema compiles a `$ref` into a function call that builds the value's name for
    error messages on every call; inlined, the check costs half (a 2.0.1 TransactionEvent
    with eight sampled values: 31 → 16 µs). The OCPP schemas are not recursive; a `$ref`
    that would recurse is kept as it is.
    """
    definitions = schema.get("definitions") or {}

    def inline(node: Any, trail: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, trail) for item in node]
        if not isinstance(node, dict):
            return node
        copy = {key: inline(value, trail) for key, value in node.items()}
        ref = copy.pop("$ref", None)
        prefix = "#/definitions/"
        if not isinstance(ref, str) or not ref.startswith(prefix):
            return copy if ref is None else {**copy, "$ref": ref}
        name = ref[len(prefix) :]
        if name not in definitions or name in trail:
            return {**copy, "$ref": ref}
        return {**inline(definitions[name], (*trail, name)), **copy}

    inlined: JsonObject = inline(schema, ())
    return inlined


def _with_enum_sets(node: Any, formats: dict[str, Callable[[Any], bool]]) -> Any:
    """Copy ``node`` with every string enum checked by a custom format (a frozenset lookup).

    The allowed values stay in the definition under :data:`_ENUM_KEY` for error messages.
    ``additionalProperties`` on a string (the OCPP schemas put it on every enum) checks
    nothing but costs a test per value; it is left out.
    """
    if isinstance(node, list):
        return [_with_enum_sets(item, formats) for item in node]
    if not isinstance(node, dict):
        return node
    copy = {key: _with_enum_sets(value, formats) for key, value in node.items()}
    if node.get("type") == "string":
        copy.pop("additionalProperties", None)
    allowed = node.get("enum")
    if (
        isinstance(allowed, list)
        and node.get("type") == "string"
        and "format" not in node
        and all(isinstance(value, str) for value in allowed)
    ):
        name = f"{_ENUM_KEY}-{len(formats)}"
        formats[name] = frozenset(allowed).__contains__
        del copy["enum"]
        copy["format"] = name
        copy[_ENUM_KEY] = allowed
    return copy


class Validator:
    """Validates the payloads of one OCPP version with one date-time policy.

    Get the shared instance with :func:`get_validator`. ``schema_dir`` points at another
    folder of schemas named like the ``ocpp`` package's (for tests and custom actions).
    """

    def __init__(
        self,
        version: str,
        *,
        datetimes: DateTimePolicy = "lenient",
        schema_dir: Traversable | None = None,
    ) -> None:
        self.version: OcppVersion = check_version(version)
        self.datetimes: DateTimePolicy = datetimes
        self._date_time = _DATE_TIME_CHECKS[datetimes]
        self._dir = schema_dir or resources.files(_PACKAGES[self.version]).joinpath("schemas")
        self._actions = _known_actions(self.version, self._dir)
        self._cache: dict[tuple[str, _Kind], _Compiled] = {}

    @property
    def actions(self) -> frozenset[str]:
        """Every action this version defines."""
        return self._actions

    def validate_request(
        self, action: str, payload: JsonObject, lenient: bool = False
    ) -> list[str]:
        """Check a CALL payload; return warnings (only ever non-empty when ``lenient``).

        Raises :class:`UnknownActionError` (NotImplemented / NotSupported) or
        :class:`PayloadError`. With ``lenient``, values outside an enum are reported as
        warnings instead (PITFALLS "Real chargers" #5); every other violation still raises.
        """
        compiled = self._cache.get((action, "request")) or self._load(action, "request")
        return compiled.run(payload, lenient)

    def validate_response(
        self, action: str, payload: JsonObject, lenient: bool = False
    ) -> list[str]:
        """Check a CALLRESULT payload for a CALL of ``action``; as :meth:`validate_request`."""
        compiled = self._cache.get((action, "response")) or self._load(action, "response")
        return compiled.run(payload, lenient)

    def warm_up(self) -> int:
        """Compile every schema of this version now; return how many there are."""
        for action in sorted(self._actions):
            for kind in ("request", "response"):
                try:
                    self._cache.get((action, kind)) or self._load(action, kind)
                except UnknownActionError:
                    continue
        return len(self._cache)

    def _load(self, action: str, kind: _Kind) -> _Compiled:
        if action not in self._actions:
            raise UnknownActionError(
                ErrorCode.NotImplemented, action, f"{action!r} is not an OCPP {self.version} action"
            )
        path = self._dir.joinpath(f"{action}{_SUFFIXES[self.version][kind]}.json")
        if not path.is_file():
            raise UnknownActionError(
                ErrorCode.NotSupported, action, f"no {kind} schema for OCPP {self.version} {action}"
            )
        # utf-8-sig: some of the ocpp package's 2.0.x schemas start with a byte order mark.
        schema = json.loads(path.read_text(encoding="utf-8-sig"))
        compiled = _Compiled.build(schema, self._date_time)
        self._cache[(action, kind)] = compiled
        return compiled


def _known_actions(version: OcppVersion, schema_dir: Traversable) -> frozenset[str]:
    """The version's actions: the ``ocpp`` package's Action enum plus any schema we have."""
    enum = import_module(f"{_PACKAGES[version]}.enums").Action
    names = {str(member.value) for member in enum}
    request_suffix = f"{_SUFFIXES[version]['request']}.json"
    for entry in schema_dir.iterdir():
        name = entry.name
        if name.endswith(request_suffix) and not name.endswith("Response.json"):
            names.add(name[: -len(request_suffix)])
    return frozenset(names)


def _on_violation(
    compiled: _Compiled,
    payload: JsonObject,
    first: fastjsonschema.JsonSchemaValueException,
    lenient: bool,
) -> list[str]:
    """Raise for ``first``, unless lenient and every violation is an enum value."""
    if not lenient or _rule(first) != "enum":
        raise _payload_error(first)
    try:
        compiled.collect()(payload)
    except fastjsonschema.JsonSchemaValuesException as exc:
        errors = exc.errors
    else:  # cannot happen: the fast-fail validator failed on the same payload
        errors = [first]
    for error in errors:
        if _rule(error) != "enum":
            raise _payload_error(error)
    return [_describe(error) for error in errors]


def _rule(exc: fastjsonschema.JsonSchemaValueException) -> str:
    """The keyword that failed, ``enum`` for enums checked as formats."""
    definition = exc.definition
    if exc.rule == "format" and isinstance(definition, dict) and _ENUM_KEY in definition:
        return "enum"
    return exc.rule or "unknown"


def _payload_error(exc: fastjsonschema.JsonSchemaValueException) -> PayloadError:
    rule = _rule(exc)
    code = _RULE_CODES.get(rule, ErrorCode.FormatViolation)
    return PayloadError(code, _describe(exc), field=exc.name or "data", rule=rule)


def _describe(exc: fastjsonschema.JsonSchemaValueException) -> str:
    """``data.connectorStatus must be one of [...] (got "Bogus")``, and the like."""
    rule = _rule(exc)
    if rule == "required":
        # A payload of another version (PITFALLS "Real chargers" #4) misses required fields
        # and has foreign ones: name both, so the CALLERROR says what happened.
        extra = _unexpected_properties(exc.value, exc.definition)
        return f"{exc.message}; unexpected {extra}" if extra else exc.message
    if rule == "additionalProperties":
        return exc.message
    got = f" (got {_short(exc.value)})"
    if rule == "enum" and isinstance(exc.definition, dict):
        # Long enums (25 measurands) would push the value past the 255 characters a
        # CALLERROR description keeps; shorten the list, never the value.
        head = f"{exc.name} must be one of "
        room = max(_DESCRIPTION_ROOM - len(head) - len(got), 20)
        allowed = str(exc.definition.get(_ENUM_KEY, exc.definition.get("enum")))
        if len(allowed) > room:
            allowed = f"{allowed[: room - 2]}…]"
        return f"{head}{allowed}{got}"
    return f"{exc.message}{got}"


def _unexpected_properties(value: object, definition: object) -> list[str]:
    if not isinstance(value, dict) or not isinstance(definition, dict):
        return []
    if definition.get("additionalProperties", True) is not False:
        return []
    known = definition.get("properties", {})
    return sorted(key for key in value if key not in known)


def _short(value: object, limit: int = 60) -> str:
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


_VALIDATORS: dict[tuple[OcppVersion, DateTimePolicy], Validator] = {}


def get_validator(version: str, datetimes: DateTimePolicy = "lenient") -> Validator:
    """The shared :class:`Validator` of ``version`` ("1.6" or "2.0.1") for a date-time policy.

    Incoming traffic uses the default lenient date-time policy; check what we send with
    ``datetimes="strict"``.
    """
    key = (check_version(version), datetimes)
    validator = _VALIDATORS.get(key)
    if validator is None:
        validator = _VALIDATORS[key] = Validator(key[0], datetimes=datetimes)
    return validator


def actions(version: str) -> frozenset[str]:
    """Every action OCPP ``version`` defines."""
    return get_validator(version).actions


def warm_up(
    versions: Iterable[str] = VERSIONS,
    datetimes: Iterable[DateTimePolicy] = ("lenient", "strict"),
) -> int:
    """Compile every schema of ``versions`` for each policy ahead of traffic.

    Returns the number of compiled validators. All 412 take about 2 s; call it once at
    start-up rather than paying for compilation on a station's first messages.
    """
    return sum(
        get_validator(version, policy).warm_up() for version in versions for policy in datetimes
    )
