"""Base classes shared by every OCPI wire model: `OcpiModel` and `OcpiEnum`.

Nothing here is specific to OCPI 2.2.1; a later `v211/` or `v230/` package can
reuse this module as it is.

Unknown fields
--------------
OCPI 2.2.1 has no clause that tells a receiver what to do with fields it does not
know. It does allow parties to agree on their own variants of the standard
modules (version_information_endpoint, *Custom Modules*), and it wants a client
to go on with the valid objects of a response that also holds faulty ones
(transport_and_format, *GET*). Rejecting a whole PUT because a partner added one
extra field would break such agreements and every later minor version that adds
a field. So models **ignore** unknown fields on input (`extra="ignore"`) and,
since they never store them, never send them on.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

if TYPE_CHECKING:
    from .patch import OcpiPatch

__all__ = ["OcpiEnum", "OcpiModel", "OpenEnum", "short_repr"]

_REPR_LIMIT = 40


def short_repr(value: object) -> str:
    """`repr(value)` cut to a readable length, for error messages."""
    text = repr(value)
    if len(text) <= _REPR_LIMIT:
        return text
    return text[: _REPR_LIMIT - 1] + "…"


class OcpiModel(BaseModel):
    """Base of every OCPI object and class.

    Instances are immutable (use `model_copy(update=...)` or a PATCH model's
    `apply_to`). Field names are the spec's snake_case names, so no aliases.
    """

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        use_attribute_docstrings=True,
        validate_default=False,
    )

    #: Fields a PATCH body of this object must carry (Locations, Sessions and
    #: Tokens, *PATCH*: every PATCH has to include last_updated).
    patch_required_fields: ClassVar[tuple[str, ...]] = ()
    #: List fields whose PATCH value is appended instead of replacing the list
    #: (Sessions: a PATCH with `charging_periods` adds them).
    patch_append_fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def model_validate_patch(cls, data: Any) -> OcpiPatch:
        """Validate `data` as a PATCH body for this object (see `patch`)."""
        from .patch import validate_patch  # patch builds on this module

        return validate_patch(cls, data)


class OcpiEnum(enum.StrEnum):
    """Base of every OCPI enum: a `StrEnum` whose members are the spec's values.

    Validation accepts a member or its exact (case-sensitive, types: *string*)
    value and fails with error type ``enum`` and a message such as
    ``'FOO' is not a valid ConnectorType``. Serialization always yields the
    plain string value, in Python and JSON mode alike.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """Plain validator with a readable error; serialize to the value."""

        def validate(value: Any) -> OcpiEnum:
            if isinstance(value, cls):
                return value
            if isinstance(value, str):
                try:
                    return cls(value)
                except ValueError:
                    pass
            raise PydanticCustomError(
                "enum",
                "{value} is not a valid {enum}",
                {
                    "value": short_repr(value),
                    "enum": cls.__name__,
                    "expected": ", ".join(member.value for member in cls),
                },
            )

        members = list(cls.__members__.values())
        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _enum_value, when_used="always"
            ),
            json_schema_input_schema=core_schema.enum_schema(cls, members, sub_type="str"),
        )


def _enum_value(member: enum.Enum) -> Any:
    return member.value


@dataclass(frozen=True, slots=True)
class OpenEnum:
    """Metadata for an enum that also admits other values (``E | str``).

    A known value becomes the enum member; any other string of printable
    characters up to `max_length` is kept as a plain `str`. One validator, so
    an error has one clean location (a union would report one per member).
    """

    enum: type[OcpiEnum]
    max_length: int

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """Plain validator: member, else bounded printable string."""
        return core_schema.no_info_plain_validator_function(
            self._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str, when_used="always"),
            json_schema_input_schema=core_schema.str_schema(max_length=self.max_length),
        )

    def _validate(self, value: Any) -> OcpiEnum | str:
        if isinstance(value, self.enum):
            return value
        if isinstance(value, str):
            try:
                return self.enum(value)
            except ValueError:
                pass
            if 0 < len(value) <= self.max_length and value.isprintable():
                return value
        raise PydanticCustomError(
            "enum",
            "{value} is neither a {enum} nor a string of 1 to {max_length} printable characters",
            {
                "value": short_repr(value),
                "enum": self.enum.__name__,
                "max_length": self.max_length,
                "expected": ", ".join(member.value for member in self.enum),
            },
        )
