"""The CSMS's requests to a 2.0.1 station, answered.

Handlers change the station's state at once and answer; anything they send is held back by
`StationLink` until the answer is out. Every handler takes the optional `custom_data` the
2.0.1 schemas allow everywhere. Requests the simulated firmware does not support (display
messages, monitoring, certificates, network profiles) get the library's NotImplemented
CALLERROR.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ocpp.v201 import ChargePoint, call_result
from ocpp.v201.enums import Action
from websockets.asyncio.client import ClientConnection

from .. import keys as k
from ..connector import ConnectorState
from ..dialect import UpdateTrigger
from ..errors import ProfileError
from ..evse import BootReason, Connector, Evse, StopReason
from ..timeutil import parse_rfc3339, utc_now
from ..vendor import data_transfer
from ..wire import OCPP_LOGGER, StationLink, handles
from .device import DeviceModelHandlers201
from .mapping import auth_status, parse_profile
from .smart import ChargingHandlers201

if TYPE_CHECKING:
    from ..station import Station
    from .dialect import Dialect201

__all__ = ["ChargePoint201"]

_CustomData = dict[str, Any] | None


class ChargePoint201(
    DeviceModelHandlers201,
    ChargingHandlers201,
    StationLink,
    ChargePoint,  # type: ignore[misc]  # the library is untyped
):
    """The 2.0.1 charge point of one station for one connection."""

    def __init__(self, station: Station, dialect: Dialect201, connection: ClientConnection) -> None:
        super().__init__(
            station.station_id,
            connection,
            response_timeout=station.config.response_timeout,
            logger=OCPP_LOGGER,
        )
        self._station = station
        self._dialect = dialect

    # -- remote control (F01–F03, B11, G03/G04, F05) --------------------------------------

    @handles(Action.request_start_transaction)
    def on_request_start_transaction(
        self,
        id_token: dict[str, Any],
        remote_start_id: int,
        evse_id: int | None = None,
        group_id_token: dict[str, Any] | None = None,
        charging_profile: dict[str, Any] | None = None,
        custom_data: _CustomData = None,
    ) -> Any:
        charging = self._station.charging
        evse = charging.evse(evse_id) if evse_id is not None else self._free_evse()
        profile = None
        if charging_profile is not None:
            try:
                profile = parse_profile(charging_profile, utc_now())
            except ProfileError:
                return call_result.RequestStartTransaction(status="Rejected")
            if profile.purpose.value != "TxProfile":  # F01: only a TxProfile may come along
                return call_result.RequestStartTransaction(status="Rejected")
        tag = str(id_token["id_token"])
        if evse is None or not self._startable(evse, tag):
            return call_result.RequestStartTransaction(status="Rejected")
        connector = evse.connectors[0]
        charging.remote_start(connector, tag, remote_start_id=remote_start_id, profile=profile)
        return call_result.RequestStartTransaction(status="Accepted")

    def _free_evse(self) -> Evse | None:
        return next((e for e in self._station.charging.evses if self._startable(e, None)), None)

    def _startable(self, evse: Evse, tag: str | None) -> bool:
        charging = self._station.charging
        connector = evse.connectors[0]
        if evse.transaction is not None or not connector.operative:
            return False
        if not charging.availability.station_operative:
            return False
        if connector.reservation is not None:
            return tag is not None and connector.reservation.id_tag == tag
        return connector.state in (ConnectorState.AVAILABLE, ConnectorState.PREPARING)

    @handles(Action.request_stop_transaction)
    def on_request_stop_transaction(
        self, transaction_id: str, custom_data: _CustomData = None
    ) -> Any:
        tx = self._station.charging.find_transaction(transaction_id)
        if tx is None:
            return call_result.RequestStopTransaction(status="Rejected")
        self._station.charging.stop(tx, StopReason.REMOTE)
        return call_result.RequestStopTransaction(status="Accepted")

    @handles(Action.reset)
    def on_reset(
        self, type: str, evse_id: int | None = None, custom_data: _CustomData = None
    ) -> Any:
        station, charging = self._station, self._station.charging
        if evse_id is not None:
            return call_result.Reset(status="Rejected")  # B11: resetting one EVSE: unsupported
        if type == "OnIdle" and not all(e.idle for e in charging.evses):
            charging.reboot_when_idle = BootReason.REMOTE_RESET  # B12: after the sessions end
            return call_result.Reset(status="Scheduled")
        charging.stop_all(StopReason.HARD_RESET)
        station.request_reboot(BootReason.REMOTE_RESET, graceful=True)
        return call_result.Reset(status="Accepted")

    @handles(Action.change_availability)
    def on_change_availability(
        self,
        operational_status: str,
        evse: dict[str, Any] | None = None,
        custom_data: _CustomData = None,
    ) -> Any:
        charging = self._station.charging
        operative = operational_status == "Operative"
        if evse is None or evse.get("id", 0) == 0:
            return call_result.ChangeAvailability(
                status=charging.availability.change(None, operative)
            )
        target = charging.evse(int(evse["id"]))
        if target is None:
            return call_result.ChangeAvailability(status="Rejected")
        connectors = target.connectors
        if evse.get("connector_id") is not None:
            one = charging.connector(target.evse_id, int(evse["connector_id"]))
            if one is None:
                return call_result.ChangeAvailability(status="Rejected")
            connectors = [one]
        status = charging.availability.change(list(connectors), operative)
        return call_result.ChangeAvailability(status=status)

    @handles(Action.unlock_connector)
    def on_unlock_connector(
        self, evse_id: int, connector_id: int, custom_data: _CustomData = None
    ) -> Any:
        charging = self._station.charging
        connector = charging.connector(evse_id, connector_id)
        if connector is None:
            return call_result.UnlockConnector(status="UnknownConnector")
        evse = charging.evse_of(connector)
        if evse.transaction is not None:
            # F05: an authorized transaction keeps its cable locked.
            return call_result.UnlockConnector(status="OngoingAuthorizedTransaction")
        if connector.machine.occupied:
            charging.unplug(evse, connector)
        return call_result.UnlockConnector(status="Unlocked")

    @handles(Action.get_transaction_status)
    def on_get_transaction_status(
        self, transaction_id: str | None = None, custom_data: _CustomData = None
    ) -> Any:
        station = self._station
        queued = station.outbox.pending_for(transaction_id)
        if transaction_id is None:
            return call_result.GetTransactionStatus(messages_in_queue=queued)
        ongoing = station.charging.find_transaction(transaction_id) is not None
        return call_result.GetTransactionStatus(messages_in_queue=queued, ongoing_indicator=ongoing)

    # -- trigger (F06) --------------------------------------------------------------------

    @handles(Action.trigger_message)
    def on_trigger_message(
        self,
        requested_message: str,
        evse: dict[str, Any] | None = None,
        custom_data: _CustomData = None,
    ) -> Any:
        station, dialect = self._station, self._dialect
        targets = self._trigger_targets(evse)
        if targets is None:
            return call_result.TriggerMessage(status="Rejected")
        if requested_message == "BootNotification":
            if station.boot_status == "Accepted":
                return call_result.TriggerMessage(status="Rejected")  # F06: already accepted
            station.trigger_boot()
        elif requested_message == "Heartbeat":
            station.send(dialect.heartbeat())
        elif requested_message == "StatusNotification":
            for connector in targets:
                station.send(dialect.status_of(connector))
        elif requested_message in ("MeterValues", "TransactionEvent"):
            self._trigger_meter(targets, transaction_only=requested_message == "TransactionEvent")
        elif requested_message == "FirmwareStatusNotification":
            maintenance = station.maintenance
            dialect.firmware_status(maintenance.firmware_status, maintenance.firmware_request_id)
        elif requested_message == "LogStatusNotification":
            dialect.log_status(station.maintenance.log_status, station.maintenance.log_request_id)
        else:
            return call_result.TriggerMessage(status="NotImplemented")
        return call_result.TriggerMessage(status="Accepted")

    def _trigger_targets(self, evse: dict[str, Any] | None) -> list[Connector] | None:
        charging = self._station.charging
        if evse is None:
            return list(charging.connectors())
        found = charging.evse(int(evse["id"]))
        if found is None:
            return None
        if evse.get("connector_id") is None:
            return list(found.connectors)
        one = charging.connector(found.evse_id, int(evse["connector_id"]))
        return None if one is None else [one]

    def _trigger_meter(self, connectors: list[Connector], *, transaction_only: bool) -> None:
        charging = self._station.charging
        evses = {c.evse_id: charging.evse_of(c) for c in connectors}
        for evse in evses.values():
            if evse.transaction is not None:
                charging.metering.send_update(evse.transaction, UpdateTrigger.TRIGGERED)
            elif not transaction_only:
                reading = evse.meter.read(charging.now())
                self._station.send(self._dialect.meter_values(evse.evse_id, reading, "Trigger"))

    # -- local authorization (D01, D02, C11) ----------------------------------------------

    @handles(Action.send_local_list)
    def on_send_local_list(
        self,
        version_number: int,
        update_type: str,
        local_authorization_list: list[dict[str, Any]] | None = None,
        custom_data: _CustomData = None,
    ) -> Any:
        if not self._station.device_model.boolean(k.K_LOCAL_LIST_ENABLED):
            return call_result.SendLocalList(status="Failed")
        entries = [
            (
                str(item["id_token"]["id_token"]),
                auth_status(item["id_token_info"]["status"]) if item.get("id_token_info") else None,
            )
            for item in local_authorization_list or []
        ]
        result = self._station.charging.auth.update_list(
            version_number, full=update_type == "Full", entries=entries
        )
        return call_result.SendLocalList(status=result.value)

    @handles(Action.get_local_list_version)
    def on_get_local_list_version(self, custom_data: _CustomData = None) -> Any:
        return call_result.GetLocalListVersion(
            version_number=self._station.charging.auth.list_version
        )

    @handles(Action.clear_cache)
    def on_clear_cache(self, custom_data: _CustomData = None) -> Any:
        cleared = self._station.charging.clear_auth_cache()
        return call_result.ClearCache(status="Accepted" if cleared else "Rejected")

    # -- firmware, logs, data transfer (L01, N01, P01) ------------------------------------

    @handles(Action.update_firmware)
    def on_update_firmware(
        self,
        request_id: int,
        firmware: dict[str, Any],
        retries: int | None = None,
        retry_interval: int | None = None,
        custom_data: _CustomData = None,
    ) -> Any:
        retrieve = parse_rfc3339(str(firmware["retrieve_date_time"]))
        replaced = self._station.maintenance.update_firmware(
            str(firmware["location"]), retrieve, request_id, self._dialect.firmware_status
        )
        return call_result.UpdateFirmware(status="AcceptedCanceled" if replaced else "Accepted")

    @handles(Action.get_log)
    def on_get_log(
        self,
        log: dict[str, Any],
        log_type: str,
        request_id: int,
        retries: int | None = None,
        retry_interval: int | None = None,
        custom_data: _CustomData = None,
    ) -> Any:
        name = self._station.maintenance.upload_log(
            str(log["remote_location"]), request_id, self._dialect.log_status
        )
        return call_result.GetLog(status="Accepted", filename=name)

    @handles(Action.data_transfer)
    def on_data_transfer(
        self,
        vendor_id: str,
        message_id: str | None = None,
        data: Any = None,
        custom_data: _CustomData = None,
    ) -> Any:
        status, reply = data_transfer(self._station, vendor_id, message_id, data)
        return call_result.DataTransfer(status=status, data=reply)
