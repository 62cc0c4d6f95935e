"""A small in-memory device model, read and written through both OCPP versions.

One store, two views: OCPP 2.0.1 addresses a variable by component (at an optional EVSE or
connector) and variable name, with an optional variable instance (part 1, "Device Model");
OCPP 1.6 by a flat configuration key (section 9). Settings that exist in both carry both
addresses, so a 1.6 `ChangeConfiguration HeartbeatInterval` and a 2.0.1 `SetVariables
OCPPCommCtrlr.HeartbeatInterval` change the same value. Values are kept as the strings OCPP
sends; typed accessors parse them.

What a setting *is* (type, limits, mutability, default) is a `Definition`, shared by every
station built alike (`Catalogue`); a station keeps only the values it changed, so a fleet of
thousands does not carry thousands of copies of the same table. Live values (availability,
clock, power) come from the station through `DeviceModel.reader`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = [
    "Catalogue",
    "DataType",
    "Definition",
    "DeviceModel",
    "Mutability",
    "SetResult",
    "Setting",
    "VariableKey",
    "define",
]

_MAX_STRING = 1000  # ConfigurationValueSize / ValueSize of the simulated firmware


class Mutability(enum.Enum):
    """Who may change a setting (2.0.1 MutabilityEnumType spellings)."""

    READ_ONLY = "ReadOnly"
    READ_WRITE = "ReadWrite"


class DataType(enum.Enum):
    """A setting's type (2.0.1 DataEnumType spellings)."""

    STRING = "string"
    DECIMAL = "decimal"
    INTEGER = "integer"
    DATETIME = "dateTime"
    BOOLEAN = "boolean"
    OPTION_LIST = "OptionList"
    SEQUENCE_LIST = "SequenceList"
    MEMBER_LIST = "MemberList"


class SetResult(enum.Enum):
    """The outcome of writing a setting (2.0.1 SetVariableStatusEnumType spellings)."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    UNKNOWN_COMPONENT = "UnknownComponent"
    UNKNOWN_VARIABLE = "UnknownVariable"
    REBOOT_REQUIRED = "RebootRequired"


@dataclass(frozen=True, slots=True)
class VariableKey:
    """The 2.0.1 address of a variable: component (at an EVSE/connector) and variable.

    `instance` is the variable's instance (e.g. `MessageAttempts[TransactionEvent]`); the
    simulated components have no instances of their own.
    """

    component: str
    variable: str
    instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None


@dataclass(frozen=True, slots=True)
class Definition:
    """What one setting is: its address, type, limits and default value."""

    key: VariableKey
    default: str
    data_type: DataType
    mutability: Mutability = Mutability.READ_WRITE
    v16_key: str | None = None
    in_v201: bool = True
    unit: str | None = None
    min_value: int | None = None
    max_value: int | None = None
    values_list: tuple[str, ...] | None = None
    reboot_required: bool = False
    live: bool = False  # a sensor-like reading: never stored, never writable

    def accepts(self, value: str) -> bool:
        """Whether `value` is valid for this setting's type and limits."""
        return len(value) <= _MAX_STRING and _CHECKERS[self.data_type](self, value)


def define(
    key: VariableKey,
    value: object,
    data_type: DataType,
    mutability: Mutability = Mutability.READ_WRITE,
    v16: str | None = None,
    *,
    in_v201: bool = True,
    unit: str | None = None,
    min_value: int | None = None,
    max_value: int | None = None,
    values_list: tuple[str, ...] | None = None,
    live: bool = False,
) -> Definition:
    """A Definition with `value` as its default, spelled as OCPP does (booleans lowercase)."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return Definition(
        key,
        text,
        data_type,
        mutability,
        v16_key=v16,
        in_v201=in_v201,
        unit=unit,
        min_value=min_value,
        max_value=max_value,
        values_list=values_list,
        live=live,
    )


def _check_integer(definition: Definition, value: str) -> bool:
    try:
        number = int(value.strip())
    except ValueError:
        return False
    low, high = definition.min_value, definition.max_value
    return (low is None or number >= low) and (high is None or number <= high)


def _check_decimal(definition: Definition, value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _check_boolean(definition: Definition, value: str) -> bool:
    return value.strip().lower() in ("true", "false")


def _check_option(definition: Definition, value: str) -> bool:
    return definition.values_list is None or value in definition.values_list


def _check_list(definition: Definition, value: str) -> bool:
    members = [m.strip() for m in value.split(",") if m.strip()]
    allowed = definition.values_list
    return allowed is None or all(m in allowed for m in members)


def _check_any(definition: Definition, value: str) -> bool:
    return True


_CHECKERS: dict[DataType, Callable[[Definition, str], bool]] = {
    DataType.STRING: _check_any,
    DataType.DATETIME: _check_any,
    DataType.DECIMAL: _check_decimal,
    DataType.INTEGER: _check_integer,
    DataType.BOOLEAN: _check_boolean,
    DataType.OPTION_LIST: _check_option,
    DataType.MEMBER_LIST: _check_list,
    DataType.SEQUENCE_LIST: _check_list,
}


def _normalise(definition: Definition, value: str) -> str:
    if definition.data_type is DataType.BOOLEAN:
        return value.strip().lower()
    if definition.data_type is DataType.INTEGER:
        return str(int(value.strip()))
    if definition.data_type in (DataType.MEMBER_LIST, DataType.SEQUENCE_LIST):
        return ",".join(m.strip() for m in value.split(",") if m.strip())
    return value


class Catalogue:
    """The definitions of every setting of one kind of station (shared, never changed)."""

    __slots__ = ("by_key", "by_v16", "components", "ordered")

    def __init__(self, definitions: Iterable[Definition]) -> None:
        self.ordered = tuple(definitions)
        self.by_key = {d.key: d for d in self.ordered}
        self.by_v16 = {d.v16_key: d for d in self.ordered if d.v16_key is not None}
        self.components = frozenset(
            (d.key.component, d.key.evse_id, d.key.connector_id) for d in self.ordered
        )


class Setting:
    """One setting of one station: its definition and the station's current value."""

    __slots__ = ("_model", "definition")

    def __init__(self, definition: Definition, model: DeviceModel) -> None:
        self.definition = definition
        self._model = model

    @property
    def key(self) -> VariableKey:
        """The 2.0.1 address."""
        return self.definition.key

    @property
    def v16_key(self) -> str | None:
        """The 1.6 configuration key, if the setting has one."""
        return self.definition.v16_key

    @property
    def read_only(self) -> bool:
        """Whether the CSMS may not change it."""
        return self.definition.mutability is Mutability.READ_ONLY or self.definition.live

    def current(self) -> str:
        """The value now (a live reading for sensor-like variables)."""
        return self._model.value(self.definition.key)

    def __repr__(self) -> str:
        return f"<Setting {self.key.component}.{self.key.variable}={self.current()!r}>"


class DeviceModel:
    """The settings of one station, addressable by 2.0.1 key or 1.6 configuration key."""

    __slots__ = ("_catalogue", "_values", "on_change", "reader")

    def __init__(self, catalogue: Catalogue, values: dict[VariableKey, str] | None = None) -> None:
        self._catalogue = catalogue
        self._values: dict[VariableKey, str] = dict(values or {})
        self.on_change: Callable[[Setting], None] | None = None
        self.reader: Callable[[VariableKey], str] | None = None

    def v201_settings(self) -> list[Setting]:
        """The settings visible through 2.0.1, in a stable order."""
        return [Setting(d, self) for d in self._catalogue.ordered if d.in_v201]

    def v16_settings(self) -> list[Setting]:
        """The settings that have a 1.6 configuration key."""
        return [Setting(d, self) for d in self._catalogue.by_v16.values()]

    def find(self, key: VariableKey) -> Setting | SetResult:
        """The setting at `key`, or why there is none (unknown component or variable)."""
        definition = self._catalogue.by_key.get(key)
        if definition is not None and definition.in_v201:
            return Setting(definition, self)
        place = (key.component, key.evse_id, key.connector_id)
        if place not in self._catalogue.components:
            return SetResult.UNKNOWN_COMPONENT
        return SetResult.UNKNOWN_VARIABLE

    def find_v16(self, name: str) -> Setting | None:
        """The setting with 1.6 configuration key `name`."""
        definition = self._catalogue.by_v16.get(name)
        return None if definition is None else Setting(definition, self)

    def set(self, key: VariableKey, value: str) -> SetResult:
        """Write through the 2.0.1 view (B05)."""
        found = self.find(key)
        if isinstance(found, SetResult):
            return found
        return self._write(found, value)

    def set_v16(self, name: str, value: str) -> SetResult | None:
        """Write through the 1.6 view (§5.3); None when the key is unknown (NotSupported)."""
        setting = self.find_v16(name)
        return None if setting is None else self._write(setting, value)

    def _write(self, setting: Setting, value: str) -> SetResult:
        definition = setting.definition
        if setting.read_only or not definition.accepts(value):
            return SetResult.REJECTED
        self._values[definition.key] = _normalise(definition, value)
        if self.on_change is not None:
            self.on_change(setting)
        return SetResult.REBOOT_REQUIRED if definition.reboot_required else SetResult.ACCEPTED

    def assign(self, key: VariableKey, value: str) -> None:
        """Set a value the station itself decided (e.g. the interval a boot answer gave)."""
        definition = self._catalogue.by_key[key]
        self._values[key] = value
        if self.on_change is not None:
            self.on_change(Setting(definition, self))

    def value(self, key: VariableKey) -> str:
        """The current value at `key` (the key must exist)."""
        definition = self._catalogue.by_key[key]
        if definition.live and self.reader is not None:
            return self.reader(key)
        return self._values.get(key, definition.default)

    def integer(self, key: VariableKey) -> int:
        """The value at `key` as an integer."""
        return int(self.value(key))

    def boolean(self, key: VariableKey) -> bool:
        """The value at `key` as a boolean."""
        return self.value(key).strip().lower() == "true"

    def boolean_v16(self, name: str) -> bool:
        """The value of 1.6 key `name` as a boolean (False if there is no such key)."""
        definition = self._catalogue.by_v16.get(name)
        return definition is not None and self.boolean(definition.key)

    def members(self, key: VariableKey) -> tuple[str, ...]:
        """The value at `key` as a comma-separated list."""
        return tuple(m.strip() for m in self.value(key).split(",") if m.strip())
