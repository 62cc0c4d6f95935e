"""A small in-memory device model, read and written through both OCPP versions.

One store, two views: OCPP 2.0.1 addresses a variable by component (with optional instance
and EVSE/connector) and variable name (part 1, "Device Model"); OCPP 1.6 by a flat
configuration key (section 9). Settings that exist in both carry both addresses, so a
1.6 `ChangeConfiguration HeartbeatInterval` and a 2.0.1 `SetVariables
OCPPCommCtrlr.HeartbeatInterval` change the same value. Values are kept as the strings OCPP
sends; typed accessors parse them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

__all__ = [
    "DataType",
    "DeviceModel",
    "Mutability",
    "SetResult",
    "Setting",
    "VariableKey",
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


@dataclass(slots=True)
class Setting:
    """One variable: its value, type, and limits. `reader` makes a live (sensor) value."""

    key: VariableKey
    value: str
    data_type: DataType
    mutability: Mutability = Mutability.READ_WRITE
    v16_key: str | None = None
    in_v201: bool = True
    unit: str | None = None
    min_value: int | None = None
    max_value: int | None = None
    values_list: tuple[str, ...] | None = None
    reboot_required: bool = False
    reader: Callable[[], str] | None = field(default=None, repr=False)

    @property
    def read_only(self) -> bool:
        """Whether the CSMS may not change it."""
        return self.mutability is Mutability.READ_ONLY

    def current(self) -> str:
        """The value now (a live reading for sensor-like variables)."""
        return self.reader() if self.reader is not None else self.value

    def accepts(self, value: str) -> bool:
        """Whether `value` is valid for this setting's type and limits."""
        checker = _CHECKERS[self.data_type]
        return len(value) <= _MAX_STRING and checker(self, value)


def _check_integer(setting: Setting, value: str) -> bool:
    try:
        number = int(value.strip())
    except ValueError:
        return False
    low, high = setting.min_value, setting.max_value
    return (low is None or number >= low) and (high is None or number <= high)


def _check_decimal(setting: Setting, value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _check_boolean(setting: Setting, value: str) -> bool:
    return value.strip().lower() in ("true", "false")


def _check_option(setting: Setting, value: str) -> bool:
    return setting.values_list is None or value in setting.values_list


def _check_list(setting: Setting, value: str) -> bool:
    members = [m.strip() for m in value.split(",") if m.strip()]
    allowed = setting.values_list
    return allowed is None or all(m in allowed for m in members)


def _check_any(setting: Setting, value: str) -> bool:
    return True


_CHECKERS: dict[DataType, Callable[[Setting, str], bool]] = {
    DataType.STRING: _check_any,
    DataType.DATETIME: _check_any,
    DataType.DECIMAL: _check_decimal,
    DataType.INTEGER: _check_integer,
    DataType.BOOLEAN: _check_boolean,
    DataType.OPTION_LIST: _check_option,
    DataType.MEMBER_LIST: _check_list,
    DataType.SEQUENCE_LIST: _check_list,
}


def _normalise(setting: Setting, value: str) -> str:
    if setting.data_type is DataType.BOOLEAN:
        return value.strip().lower()
    if setting.data_type is DataType.INTEGER:
        return str(int(value.strip()))
    if setting.data_type in (DataType.MEMBER_LIST, DataType.SEQUENCE_LIST):
        return ",".join(m.strip() for m in value.split(",") if m.strip())
    return value


class DeviceModel:
    """The station's settings, addressable by 2.0.1 key or 1.6 configuration key."""

    __slots__ = ("_by_key", "_by_v16", "_components", "on_change")

    def __init__(self, settings: Iterable[Setting]) -> None:
        self._by_key: dict[VariableKey, Setting] = {}
        self._by_v16: dict[str, Setting] = {}
        self._components: set[tuple[str, int | None, int | None]] = set()
        self.on_change: Callable[[Setting], None] | None = None
        for setting in settings:
            self.add(setting)

    def add(self, setting: Setting) -> None:
        """Add (or replace) a setting."""
        key = setting.key
        self._by_key[key] = setting
        if setting.v16_key is not None:
            self._by_v16[setting.v16_key] = setting
        self._components.add((key.component, key.evse_id, key.connector_id))

    def __iter__(self) -> Iterator[Setting]:
        return iter(self._by_key.values())

    def v201_settings(self) -> list[Setting]:
        """The settings visible through 2.0.1, in a stable order."""
        return [s for s in self._by_key.values() if s.in_v201]

    def v16_settings(self) -> list[Setting]:
        """The settings that have a 1.6 configuration key."""
        return list(self._by_v16.values())

    def find(self, key: VariableKey) -> Setting | SetResult:
        """The setting at `key`, or why there is none (unknown component or variable)."""
        setting = self._by_key.get(key)
        if setting is not None and setting.in_v201:
            return setting
        place = (key.component, key.evse_id, key.connector_id)
        if place not in self._components:
            return SetResult.UNKNOWN_COMPONENT
        return SetResult.UNKNOWN_VARIABLE

    def find_v16(self, name: str) -> Setting | None:
        """The setting with 1.6 configuration key `name`."""
        return self._by_v16.get(name)

    def set(self, key: VariableKey, value: str) -> SetResult:
        """Write through the 2.0.1 view (B05)."""
        found = self.find(key)
        if isinstance(found, SetResult):
            return found
        return self._write(found, value)

    def set_v16(self, name: str, value: str) -> SetResult | None:
        """Write through the 1.6 view (§5.3); None when the key is unknown (NotSupported)."""
        setting = self._by_v16.get(name)
        return None if setting is None else self._write(setting, value)

    def _write(self, setting: Setting, value: str) -> SetResult:
        if setting.read_only or setting.reader is not None or not setting.accepts(value):
            return SetResult.REJECTED
        setting.value = _normalise(setting, value)
        if self.on_change is not None:
            self.on_change(setting)
        return SetResult.REBOOT_REQUIRED if setting.reboot_required else SetResult.ACCEPTED

    def assign(self, key: VariableKey, value: str) -> None:
        """Set a value the station itself decided (e.g. the interval a boot answer gave)."""
        setting = self._by_key[key]
        setting.value = value
        if self.on_change is not None:
            self.on_change(setting)

    def value(self, key: VariableKey) -> str:
        """The current value at `key` (the key must exist)."""
        return self._by_key[key].current()

    def integer(self, key: VariableKey) -> int:
        """The value at `key` as an integer."""
        return int(self.value(key))

    def boolean(self, key: VariableKey) -> bool:
        """The value at `key` as a boolean."""
        return self.value(key).strip().lower() == "true"

    def boolean_v16(self, name: str) -> bool:
        """The value of 1.6 key `name` as a boolean (False if there is no such key)."""
        setting = self._by_v16.get(name)
        return setting is not None and setting.current().strip().lower() == "true"

    def members(self, key: VariableKey) -> tuple[str, ...]:
        """The value at `key` as a comma-separated list."""
        return tuple(m.strip() for m in self.value(key).split(",") if m.strip())
