"""JSON for the domain dataclasses that leave the process: stored command requests and
domain events relayed to other nodes.

The encoding follows the dataclass fields: enums by value, datetimes as RFC 3339 (UTC, `Z`),
tuples as lists, nested dataclasses as objects. Decoding reads the field annotations, so a
stored command comes back as the very dataclass it was, with the same types.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar, Union, get_args, get_origin

__all__ = ["CodecError", "decode_dataclass", "encode_dataclass", "encode_value"]

T = TypeVar("T")


class CodecError(ValueError):
    """A document does not fit the dataclass it should decode to."""


def encode_value(value: object) -> Any:
    """`value` as plain JSON data."""
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise CodecError(f"naive datetime {value.isoformat()} cannot be encoded")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return encode_dataclass(value)
    if isinstance(value, list | tuple):
        return [encode_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode_value(item) for key, item in value.items()}
    raise CodecError(f"cannot encode {type(value).__name__}")


def encode_dataclass(value: object) -> dict[str, Any]:
    """The fields of a dataclass instance as a JSON object."""
    return {
        item.name: encode_value(getattr(value, item.name))
        for item in dataclasses.fields(value)  # type: ignore[arg-type]
    }


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def decode_dataclass(cls: type[T], data: object) -> T:
    """Build `cls` from a JSON object written by `encode_dataclass`.

    Unknown keys are ignored (a newer node may have added a field); missing keys take the
    field's default. Raises `CodecError` when a value does not fit.
    """
    if not isinstance(data, dict):
        raise CodecError(f"{cls.__name__} needs an object, got {type(data).__name__}")
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for item in dataclasses.fields(cls):  # type: ignore[arg-type]
        if item.name in data and item.init:
            values[item.name] = _decode(hints[item.name], data[item.name], item.name)
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise CodecError(f"{cls.__name__}: {exc}") from exc


def _decode(hint: Any, value: Any, name: str) -> Any:
    origin = get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return _decode_union(get_args(hint), value, name)
    if origin is tuple:
        if not isinstance(value, list):
            raise CodecError(f"{name}: expected a list")
        item_hint = get_args(hint)[0]
        return tuple(_decode(item_hint, item, name) for item in value)
    if origin is list or origin is dict or hint is Any:
        return value  # free JSON (payloads, DataTransfer data)
    if isinstance(hint, type):
        return _decode_type(hint, value, name)
    return value


def _decode_union(args: tuple[Any, ...], value: Any, name: str) -> Any:
    if value is None:
        if type(None) in args:
            return None
        raise CodecError(f"{name}: must not be null")
    concrete = [arg for arg in args if arg is not type(None)]
    if len(concrete) == 1:
        return _decode(concrete[0], value, name)
    return value  # a union of JSON types: kept as it is


def _decode_type(hint: type, value: Any, name: str) -> Any:
    if dataclasses.is_dataclass(hint):
        return decode_dataclass(hint, value)
    if issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError as exc:
            raise CodecError(f"{name}: {exc}") from exc
    if hint is datetime:
        if not isinstance(value, str):
            raise CodecError(f"{name}: expected a date-time string")
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint is bool and not isinstance(value, bool):
        raise CodecError(f"{name}: expected true or false")
    if hint is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise CodecError(f"{name}: expected an integer")
    if hint is str and not isinstance(value, str):
        raise CodecError(f"{name}: expected a string")
    return value
