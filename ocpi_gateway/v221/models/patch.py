"""PATCH bodies: partial objects whose present fields are fully checked.

OCPI's PATCH (transport_and_format, *PATCH*) carries only the fields that
change. `patch_model(Location)` derives a model from the full one in which
every top-level field is optional, except those the module demands in every
PATCH (`OcpiModel.patch_required_fields`, e.g. ``last_updated``). Nested
objects that are present are validated whole: a PATCH that sends `evses` or
`charging_periods` sends complete EVSE or ChargingPeriod objects.

A JSON ``null`` means "no change": a field that is required in the full object
cannot be null, and for an optional field ``null`` is dropped, since the spec
says PATCH cannot be used to take back information sent before
(mod_locations, *PATCH*); removing a value takes a PUT.

`OcpiPatch.apply_to(obj)` merges a patch into a full object and validates the
result again; list fields named in `OcpiModel.patch_append_fields` are extended
instead of replaced (mod_sessions, *PATCH*: `charging_periods` are added).

Nothing here is specific to OCPI 2.2.1.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import create_model
from pydantic.fields import FieldInfo

from .base import OcpiModel

__all__ = ["OcpiPatch", "patch_model", "validate_patch"]

M = TypeVar("M", bound=OcpiModel)


class OcpiPatch(OcpiModel):
    """Base of the generated PATCH models."""

    full_model: ClassVar[type[OcpiModel]]

    def changes(self) -> dict[str, Any]:
        """The fields this PATCH sets, as validated values (nulls left out)."""
        return {
            name: getattr(self, name)
            for name in type(self).model_fields
            if name in self.model_fields_set and getattr(self, name) is not None
        }

    def apply_to(self, obj: M) -> M:
        """`obj` with this PATCH applied, validated again as a whole."""
        if not isinstance(obj, self.full_model):
            raise TypeError(
                f"a {type(self).__name__} applies to {self.full_model.__name__}, "
                f"not {type(obj).__name__}"
            )
        merged = dict(obj)
        for name, value in self.changes().items():
            if name in obj.patch_append_fields and merged.get(name):
                merged[name] = [*merged[name], *value]
            else:
                merged[name] = value
        return type(obj).model_validate(merged)


def _optional_field(info: FieldInfo) -> tuple[Any, Any]:
    annotation = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    return (annotation, FieldInfo(default=None, description=info.description))


def _required_field(info: FieldInfo) -> tuple[Any, Any]:
    annotation = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    return (annotation, FieldInfo(description=info.description))


@cache
def patch_model(model: type[OcpiModel]) -> type[OcpiPatch]:
    """The PATCH model of `model` (built once per model, then cached)."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in model.patch_required_fields:
            fields[name] = _required_field(info)
        else:
            fields[name] = _optional_field(info)
    patch = create_model(
        f"{model.__name__}Patch",
        __base__=OcpiPatch,
        __module__=model.__module__,
        __doc__=f"A PATCH body for a {model.__name__}: every field optional, "
        f"except {', '.join(model.patch_required_fields) or 'none'}.",
        **fields,
    )
    patch.full_model = model
    return patch


def validate_patch(model: type[OcpiModel], data: Any) -> OcpiPatch:
    """Validate `data` (a dict) as a PATCH body for `model`."""
    return patch_model(model).model_validate(data)
