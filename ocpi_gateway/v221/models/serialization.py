"""Reading and writing OCPI JSON without losing a digit.

OCPI numbers are JSON numbers (types, *number*) and money must stay `Decimal`.
Neither the standard `json` reader nor orjson nor pydantic's own JSON parser
keeps `2.00` or `0.12345678901234567890` exact by default, so:

- `parse_json` reads with `json.loads(parse_float=Decimal)` and refuses the
  non-JSON constants `NaN` and `Infinity`;
- `validate_json(Model, raw)` is `parse_json` followed by `model_validate`, and
  reports unreadable JSON as a pydantic `ValidationError` (type
  ``json_invalid``) so callers handle one exception type;
- `dump(model)` is the Python form of a model as sent on the wire: optional
  fields that are `None` are left out, datetimes are RFC 3339 strings with
  ``Z``, enums are their string values, numbers stay `Decimal`;
- `to_json_bytes(model)` / `json_dumps(obj)` write JSON with orjson, each
  `Decimal` written as a JSON number with exactly its digits and each
  datetime as OCPI's DateTime.

Calling pydantic's `model_dump_json()` also writes numbers as JSON numbers, but
raises for a value a float cannot hold exactly; prefer `to_json_bytes`.

Nothing here is specific to OCPI 2.2.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from .primitives import format_datetime

__all__ = [
    "ItemErrors",
    "dump",
    "json_dumps",
    "parse_json",
    "to_json_bytes",
    "validate_each",
    "validate_json",
]

M = TypeVar("M", bound=BaseModel)

#: The items of a list that did not validate: (index in the list, the error).
ItemErrors = list[tuple[int, ValidationError]]


def dump(model: BaseModel) -> dict[str, Any]:
    """The wire form of `model` as a dict (None fields left out, see module doc)."""
    return model.model_dump(mode="python", exclude_none=True)


def _encode_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"{value} is not a JSON number")
        return orjson.Fragment(_decimal_text(value))
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, BaseModel):
        return dump(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def _decimal_text(value: Decimal) -> str:
    # str() of a Decimal is valid JSON number text ("2.00", "1E+3", "-0.5"),
    # except that JSON wants the exponent letter followed by digits: it is.
    return str(value)


def json_dumps(obj: Any) -> bytes:
    """Serialize `obj` (dicts, lists, models, Decimals, …) to JSON bytes.

    Datetimes are written as OCPI wants them (UTC, ``Z``), naive ones taken
    as UTC.
    """
    return orjson.dumps(obj, default=_encode_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def to_json_bytes(model: BaseModel) -> bytes:
    """Serialize one model (an object or an `OcpiResponse`) to JSON bytes."""
    return json_dumps(dump(model))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def parse_json(raw: bytes | str) -> Any:
    """Parse JSON text, every non-integer number as an exact `Decimal`.

    Raises `ValueError` (a `json.JSONDecodeError` for malformed text).
    """
    return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)


def validate_json(model: type[M], raw: bytes | str | Mapping[str, Any]) -> M:
    """Parse (if needed) and validate `raw` as `model`.

    Unreadable JSON raises a `ValidationError` with one ``json_invalid`` error,
    just like a body that reads but does not fit the model.
    """
    if isinstance(raw, bytes | str):
        try:
            data = parse_json(raw)
        except (ValueError, RecursionError) as exc:
            raise _json_error(model, raw, exc) from None
    else:
        data = raw
    return model.model_validate(data)


def _json_error(model: type[BaseModel], raw: bytes | str, exc: Exception) -> ValidationError:
    detail: InitErrorDetails = {
        "type": PydanticCustomError("json_invalid", "invalid JSON: {error}", {"error": str(exc)}),
        "loc": (),
        "input": raw[:100],
    }
    return ValidationError.from_exception_data(model.__name__, [detail])


def validate_each(model: type[M], items: Iterable[Any]) -> tuple[list[M], ItemErrors]:
    """Validate the items of a received list one by one.

    transport_and_format, *GET*: when a list mixes correct and faulty
    objects, the client is to go on with the correct ones. Returns the valid
    ones, in order, and the errors of the others.
    """
    valid: list[M] = []
    errors: ItemErrors = []
    for index, item in enumerate(items):
        try:
            valid.append(model.model_validate(item))
        except ValidationError as exc:
            errors.append((index, exc))
    return valid, errors
