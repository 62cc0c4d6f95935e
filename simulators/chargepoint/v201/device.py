"""2.0.1 device-model requests: GetVariables, SetVariables, GetBaseReport, GetReport (B05–B08).

Reports are sent after the answer as NotifyReport messages of at most
`DeviceDataCtrlr.ItemsPerMessage[GetReport]` variables each, numbered by `seqNo` from 0,
with `tbc` true on all but the last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from .. import keys as k
from ..device_model import SetResult, Setting, VariableKey
from ..outbox import Outgoing
from ..timeutil import format_rfc3339, utc_now
from ..wire import handles

if TYPE_CHECKING:
    from ..station import Station

__all__ = ["DeviceModelHandlers201"]

_CustomData = dict[str, Any] | None

# Which settings each base report contains (B07: the three report bases).
_REPORT_BASES: dict[str, Callable[[Setting], bool]] = {
    "FullInventory": lambda s: True,
    "ConfigurationInventory": lambda s: not s.read_only,
    "SummaryInventory": lambda s: s.key.variable == "AvailabilityState",
}


def _key(component: dict[str, Any], variable: dict[str, Any]) -> VariableKey | None:
    """The address in a ComponentType/VariableType pair; None for component instances."""
    if component.get("instance") is not None:
        return None  # the simulated components have no instances
    evse = component.get("evse") or {}
    return VariableKey(
        component=str(component["name"]),
        variable=str(variable["name"]),
        instance=variable.get("instance"),
        evse_id=evse.get("id"),
        connector_id=evse.get("connector_id"),
    )


def _component(key: VariableKey) -> dict[str, object]:
    component: dict[str, object] = {"name": key.component}
    if key.evse_id is not None:
        evse: dict[str, object] = {"id": key.evse_id}
        if key.connector_id is not None:
            evse["connector_id"] = key.connector_id
        component["evse"] = evse
    return component


def _variable(key: VariableKey) -> dict[str, object]:
    variable: dict[str, object] = {"name": key.variable}
    if key.instance is not None:
        variable["instance"] = key.instance
    return variable


def report_item(setting: Setting) -> dict[str, object]:
    """A ReportDataType for one setting."""
    definition = setting.definition
    characteristics: dict[str, object] = {
        "data_type": definition.data_type.value,
        "supports_monitoring": False,
    }
    if definition.unit is not None:
        characteristics["unit"] = definition.unit
    if definition.max_value is not None:
        characteristics["max_limit"] = definition.max_value
    if definition.min_value is not None:
        characteristics["min_limit"] = definition.min_value
    if definition.values_list is not None:
        characteristics["values_list"] = ",".join(definition.values_list)
    return {
        "component": _component(setting.key),
        "variable": _variable(setting.key),
        "variable_attribute": [
            {
                "type": "Actual",
                "value": setting.current(),
                "mutability": definition.mutability.value,
                "persistent": not definition.live,
                "constant": setting.read_only and not definition.live,
            }
        ],
        "variable_characteristics": characteristics,
    }


class DeviceModelHandlers201:
    """Mixed into `ChargePoint201`: the device-model requests."""

    _station: Station

    @handles(Action.get_variables)
    def on_get_variables(
        self, get_variable_data: list[dict[str, Any]], custom_data: _CustomData = None
    ) -> Any:
        results = [self._get_one(item) for item in get_variable_data]
        return call_result.GetVariables(get_variable_result=results)

    def _get_one(self, item: dict[str, Any]) -> dict[str, object]:
        attribute = item.get("attribute_type") or "Actual"
        result: dict[str, object] = {
            "attribute_type": attribute,
            "component": item["component"],
            "variable": item["variable"],
        }
        key = _key(item["component"], item["variable"])
        found = self._station.device_model.find(key) if key else SetResult.UNKNOWN_COMPONENT
        if isinstance(found, SetResult):
            result["attribute_status"] = found.value
        elif attribute != "Actual":
            result["attribute_status"] = "NotSupportedAttributeType"
        else:
            result["attribute_status"] = "Accepted"
            result["attribute_value"] = found.current()
        return result

    @handles(Action.set_variables)
    def on_set_variables(
        self, set_variable_data: list[dict[str, Any]], custom_data: _CustomData = None
    ) -> Any:
        results = [self._set_one(item) for item in set_variable_data]
        return call_result.SetVariables(set_variable_result=results)

    def _set_one(self, item: dict[str, Any]) -> dict[str, object]:
        attribute = item.get("attribute_type") or "Actual"
        key = _key(item["component"], item["variable"])
        if attribute != "Actual":
            status = "NotSupportedAttributeType"
        elif key is None:
            status = SetResult.UNKNOWN_COMPONENT.value
        else:
            status = self._station.device_model.set(key, str(item["attribute_value"])).value
        return {
            "attribute_type": attribute,
            "attribute_status": status,
            "component": item["component"],
            "variable": item["variable"],
        }

    @handles(Action.get_base_report)
    def on_get_base_report(
        self, request_id: int, report_base: str, custom_data: _CustomData = None
    ) -> Any:
        wanted = _REPORT_BASES.get(report_base)
        if wanted is None:
            return call_result.GetBaseReport(status="NotSupported")
        settings = [s for s in self._station.device_model.v201_settings() if wanted(s)]
        self._send_report(request_id, settings)
        return call_result.GetBaseReport(status="Accepted")

    @handles(Action.get_report)
    def on_get_report(
        self,
        request_id: int,
        component_variable: list[dict[str, Any]] | None = None,
        component_criteria: list[str] | None = None,
        custom_data: _CustomData = None,
    ) -> Any:
        if component_criteria:
            return call_result.GetReport(status="NotSupported")  # no monitoring of criteria
        settings = self._station.device_model.v201_settings()
        if component_variable:
            settings = [s for s in settings if _selected(s.key, component_variable)]
        if not settings:
            return call_result.GetReport(status="EmptyResultSet")
        self._send_report(request_id, settings)
        return call_result.GetReport(status="Accepted")

    def _send_report(self, request_id: int, settings: list[Setting]) -> None:
        """Queue the NotifyReport messages (they go out after the answer)."""
        station = self._station
        size = max(1, station.device_model.integer(k.K_REPORT_ITEMS))
        generated = format_rfc3339(utc_now())
        chunks = [settings[i : i + size] for i in range(0, len(settings), size)]
        for seq_no, chunk in enumerate(chunks):
            payload = call.NotifyReport(
                request_id=request_id,
                generated_at=generated,
                seq_no=seq_no,
                tbc=seq_no < len(chunks) - 1,
                report_data=[report_item(s) for s in chunk],
            )
            station.send(Outgoing.ready(payload))


def _selected(key: VariableKey, wanted: list[dict[str, Any]]) -> bool:
    """Whether `key` matches one ComponentVariableType of a GetReport."""
    for item in wanted:
        component = item["component"]
        evse = component.get("evse") or {}
        if component["name"] != key.component:
            continue
        if evse.get("id") is not None and evse["id"] != key.evse_id:
            continue
        if evse.get("connector_id") is not None and evse["connector_id"] != key.connector_id:
            continue
        variable = item.get("variable")
        if variable is None or (
            variable["name"] == key.variable and variable.get("instance") == key.instance
        ):
            return True
    return False
