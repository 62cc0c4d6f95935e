"""The CSMS's requests to a 1.6 station, answered (OCPP 1.6 section 5).

Handlers change the station's state at once and answer; anything they send is held back by
`StationLink` until the answer is out. Requests the simulated firmware does not support
(certificates, extended trigger) get the library's NotImplemented CALLERROR.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import Action
from websockets.asyncio.client import ClientConnection

from .. import keys as k
from ..auth import AuthStatus
from ..connector import ConnectorState
from ..dialect import UpdateTrigger
from ..errors import ProfileError
from ..evse import BootReason, Connector, StopReason
from ..profiles import ProfilePurpose
from ..timeutil import parse_rfc3339, utc_now
from ..vendor import data_transfer
from ..wire import OCPP_LOGGER, StationLink, handles
from .mapping import parse_profile
from .smart import ChargingHandlers16

if TYPE_CHECKING:
    from ..station import Station
    from .dialect import Dialect16

__all__ = ["ChargePoint16"]

_FORMAT_VIOLATION = '"FormatViolation"'


class ChargePoint16(ChargingHandlers16, StationLink, ChargePoint):  # type: ignore[misc]
    """The 1.6 charge point of one station for one connection."""

    def __init__(self, station: Station, dialect: Dialect16, connection: ClientConnection) -> None:
        super().__init__(
            station.station_id,
            connection,
            response_timeout=station.config.response_timeout,
            logger=OCPP_LOGGER,
        )
        self._station = station
        self._dialect = dialect

    async def _send(self, message: str) -> None:
        # PITFALLS: the library answers schema errors with FormatViolation, the 2.0.1
        # spelling; OCPP-J 1.6 (§4.2.3, CallError codes) calls it FormationViolation.
        if message.startswith("[4,") and _FORMAT_VIOLATION in message:
            message = message.replace(_FORMAT_VIOLATION, '"FormationViolation"', 1)
        await super()._send(message)

    def _connector(self, connector_id: int | None) -> Connector | None:
        return None if connector_id is None else self._station.charging.connector_v16(connector_id)

    # -- remote control (§5.11, §5.12, §5.14, §5.18, §5.2) -------------------------------

    @handles(Action.remote_start_transaction)
    def on_remote_start(
        self, id_tag: str, connector_id: int | None = None, charging_profile: Any = None
    ) -> Any:
        charging = self._station.charging
        connector = self._connector(connector_id) if connector_id else self._free_connector()
        profile = None
        if charging_profile is not None:
            try:
                profile = parse_profile(charging_profile, utc_now())
            except ProfileError:
                return call_result.RemoteStartTransaction(status="Rejected")
            if profile.purpose is not ProfilePurpose.TX:
                return call_result.RemoteStartTransaction(status="Rejected")
        if connector is None or not self._startable(connector, id_tag):
            return call_result.RemoteStartTransaction(status="Rejected")
        charging.remote_start(connector, id_tag, remote_start_id=None, profile=profile)
        return call_result.RemoteStartTransaction(status="Accepted")

    def _free_connector(self) -> Connector | None:
        charging = self._station.charging
        return next((c for c in charging.connectors() if self._startable(c, None)), None)

    def _startable(self, connector: Connector, id_tag: str | None) -> bool:
        charging = self._station.charging
        evse = charging.evse_of(connector)
        if evse.transaction is not None or not connector.operative:
            return False
        if not charging.availability.station_operative:
            return False
        reservation = connector.reservation
        if reservation is not None:
            return id_tag is not None and reservation.id_tag == id_tag
        return connector.state in (ConnectorState.AVAILABLE, ConnectorState.PREPARING)

    @handles(Action.remote_stop_transaction)
    def on_remote_stop(self, transaction_id: int) -> Any:
        tx = self._station.charging.find_transaction(str(transaction_id))
        if tx is None:
            return call_result.RemoteStopTransaction(status="Rejected")
        self._station.charging.stop(tx, StopReason.REMOTE)
        return call_result.RemoteStopTransaction(status="Accepted")

    @handles(Action.reset)
    def on_reset(self, type: str) -> Any:
        # §5.14: a soft reset stops transactions gracefully first; a hard one need not,
        # but the stops are still sent after the reboot (queued here).
        hard = type == "Hard"
        self._station.charging.stop_all(StopReason.HARD_RESET if hard else StopReason.SOFT_RESET)
        self._station.request_reboot(BootReason.REMOTE_RESET, graceful=not hard)
        return call_result.Reset(status="Accepted")

    @handles(Action.unlock_connector)
    def on_unlock_connector(self, connector_id: int) -> Any:
        connector = self._connector(connector_id)
        if connector is None:
            return call_result.UnlockConnector(status="NotSupported")
        charging = self._station.charging
        evse = charging.evse_of(connector)
        if evse.transaction is not None and evse.transaction.connector is connector:
            charging.stop(evse.transaction, StopReason.UNLOCK_COMMAND)
        if connector.machine.occupied:
            charging.unplug(evse, connector)  # the cable is released and taken out
        return call_result.UnlockConnector(status="Unlocked")

    @handles(Action.change_availability)
    def on_change_availability(self, connector_id: int, type: str) -> Any:
        charging = self._station.charging
        targets: list[Connector] | None = None
        if connector_id != 0:
            connector = self._connector(connector_id)
            if connector is None:
                return call_result.ChangeAvailability(status="Rejected")
            targets = [connector]
        status = charging.availability.change(targets, operative=type == "Operative")
        return call_result.ChangeAvailability(status=status)

    # -- configuration (§5.3, §5.8) -------------------------------------------------------

    @handles(Action.get_configuration)
    def on_get_configuration(self, key: list[str] | None = None) -> Any:
        model = self._station.device_model
        if not key:
            settings = model.v16_settings()
            unknown: list[str] = []
        else:
            found = [(name, model.find_v16(name)) for name in key]
            settings = [s for _, s in found if s is not None]
            unknown = [name for name, s in found if s is None]
        entries = [
            {"key": s.v16_key, "readonly": s.read_only, "value": s.current()} for s in settings
        ]
        return call_result.GetConfiguration(
            configuration_key=entries or None, unknown_key=unknown or None
        )

    @handles(Action.change_configuration)
    def on_change_configuration(self, key: str, value: str) -> Any:
        result = self._station.device_model.set_v16(key, value)
        status = "NotSupported" if result is None else result.value
        return call_result.ChangeConfiguration(status=status)

    # -- trigger (§5.17) ------------------------------------------------------------------

    @handles(Action.trigger_message)
    def on_trigger_message(self, requested_message: str, connector_id: int | None = None) -> Any:
        station, dialect = self._station, self._dialect
        connector = self._connector(connector_id)
        if connector_id not in (None, 0) and connector is None:
            return call_result.TriggerMessage(status="Rejected")
        connectors = [connector] if connector else list(station.charging.connectors())
        if requested_message == "BootNotification":
            station.send(station.triggered_boot())
        elif requested_message == "Heartbeat":
            station.send(dialect.heartbeat())
        elif requested_message == "StatusNotification":
            items = [dialect.status_of(c.v16_id, c.state) for c in connectors]
            for item in items if connector else dialect.statuses():
                station.send(item)
        elif requested_message == "MeterValues":
            self._trigger_meter_values(connectors)
        elif requested_message == "FirmwareStatusNotification":
            dialect.firmware_status(station.maintenance.firmware_status)
        elif requested_message == "DiagnosticsStatusNotification":
            dialect.diagnostics_status(station.maintenance.log_status)
        else:
            return call_result.TriggerMessage(status="NotImplemented")
        return call_result.TriggerMessage(status="Accepted")

    def _trigger_meter_values(self, connectors: list[Connector]) -> None:
        charging = self._station.charging
        for connector in connectors:
            evse = charging.evse_of(connector)
            tx = evse.transaction
            if tx is not None and tx.connector is connector:
                charging.metering.send_update(tx, UpdateTrigger.TRIGGERED)
            else:
                reading = evse.meter.read(charging.now())
                self._station.send(self._dialect.meter_values(connector, reading))

    # -- local authorization (§5.15, §5.10, §5.4) -----------------------------------------

    @handles(Action.send_local_list)
    def on_send_local_list(
        self, list_version: int, update_type: str, local_authorization_list: Any = None
    ) -> Any:
        if not self._station.device_model.boolean(k.K_LOCAL_LIST_ENABLED):
            return call_result.SendLocalList(status="NotSupported")
        entries = [
            (
                str(item["id_tag"]),
                AuthStatus(item["id_tag_info"]["status"]) if item.get("id_tag_info") else None,
            )
            for item in local_authorization_list or []
        ]
        result = self._station.charging.auth.update_list(
            list_version, full=update_type == "Full", entries=entries
        )
        return call_result.SendLocalList(status=result.value)

    @handles(Action.get_local_list_version)
    def on_get_local_list_version(self) -> Any:
        if not self._station.device_model.boolean(k.K_LOCAL_LIST_ENABLED):
            return call_result.GetLocalListVersion(list_version=-1)
        return call_result.GetLocalListVersion(
            list_version=self._station.charging.auth.list_version
        )

    @handles(Action.clear_cache)
    def on_clear_cache(self) -> Any:
        cleared = self._station.charging.clear_auth_cache()
        return call_result.ClearCache(status="Accepted" if cleared else "Rejected")

    # -- firmware and diagnostics (§5.19, §5.9) -------------------------------------------

    @handles(Action.update_firmware)
    def on_update_firmware(
        self,
        location: str,
        retrieve_date: str,
        retries: int | None = None,
        retry_interval: int | None = None,
    ) -> Any:
        station = self._station
        station.maintenance.update_firmware(
            location, parse_rfc3339(retrieve_date), None, self._dialect.firmware_status
        )
        return call_result.UpdateFirmware()

    @handles(Action.get_diagnostics)
    def on_get_diagnostics(
        self,
        location: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        start_time: str | None = None,
        stop_time: str | None = None,
    ) -> Any:
        station = self._station
        name = station.maintenance.upload_log(location, None, self._dialect.diagnostics_status)
        return call_result.GetDiagnostics(file_name=name)

    @handles(Action.data_transfer)
    def on_data_transfer(
        self, vendor_id: str, message_id: str | None = None, data: str | None = None
    ) -> Any:
        status, reply = data_transfer(self._station, vendor_id, message_id, data)
        return call_result.DataTransfer(status=status, data=reply)
