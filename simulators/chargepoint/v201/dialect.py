"""How a station speaks OCPP 2.0.1: the messages it sends.

Transactions are reported with TransactionEvent (E01–E07): `Started` with seqNo 0, then
`Updated` events (periodic meter values, charging-state changes), then `Ended`; seqNo
counts up by one per event of the transaction. An event that happened while the station was
offline carries `offline: true` and is sent, in order, after reconnecting (E04).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ocpp.v201 import call
from websockets.asyncio.client import ClientConnection

from .. import keys as k
from ..auth import AuthStatus
from ..connector import to_v201_status
from ..dialect import BootAnswer, UpdateTrigger
from ..evse import BootReason, Connector, Evse, Reservation, StopReason, Transaction
from ..meter import MeterReading
from ..outbox import Outgoing
from ..timeutil import format_rfc3339, utc_now
from .live import LiveValues
from .mapping import (
    END_TRIGGER,
    STOPPED_REASON,
    auth_status,
    charging_state,
    id_token,
    meter_value,
    started_charging_state,
)

if TYPE_CHECKING:
    from ..station import Station
    from .handlers import ChargePoint201

__all__ = ["Dialect201"]

_UPDATE_TRIGGER = {UpdateTrigger.PERIODIC: "MeterValuePeriodic", UpdateTrigger.TRIGGERED: "Trigger"}
_CONTEXT = {UpdateTrigger.PERIODIC: "Sample.Periodic", UpdateTrigger.TRIGGERED: "Trigger"}


class Dialect201:
    """Builds 2.0.1 messages for one station and creates its 2.0.1 charge point."""

    version = "2.0.1"
    subprotocol = "ocpp2.0.1"

    def __init__(self, station: Station) -> None:
        self._station = station
        # The last ConnectorStatus reported per connector: 2.0.1 reports only changes of
        # the five-valued status; the finer phases travel as the transaction's chargingState.
        self._reported: dict[tuple[int, int], str] = {}
        station.device_model.reader = LiveValues(station)

    def charge_point(self, connection: ClientConnection) -> ChargePoint201:
        """The library charge point, with this station's handlers, for `connection`."""
        from .handlers import ChargePoint201

        return ChargePoint201(self._station, self, connection)

    # -- provisioning and availability (B01, B03, G01) -----------------------------------

    def boot_notification(self, reason: BootReason) -> Any:
        """BootNotificationRequest with the reason for this boot."""
        config = self._station.config
        return call.BootNotification(
            charging_station={
                "model": config.model,
                "vendor_name": config.vendor,
                "serial_number": config.serial,
                "firmware_version": self._station.maintenance.firmware_version,
            },
            reason=reason.value,
        )

    def parse_boot(self, result: Any) -> BootAnswer:
        """Status and heartbeat interval of a BootNotificationResponse."""
        return BootAnswer(str(result.status), int(result.interval))

    def heartbeat(self) -> Outgoing:
        """HeartbeatRequest (G02)."""
        return Outgoing(call.Heartbeat)

    def status_of(self, connector: Connector) -> Outgoing:
        """StatusNotificationRequest for one connector."""
        status = to_v201_status(connector.state)
        self._reported[(connector.evse_id, connector.connector_id)] = status
        stamp = format_rfc3339(utc_now())
        return Outgoing(
            lambda: call.StatusNotification(
                timestamp=stamp,
                connector_status=status,
                evse_id=connector.evse_id,
                connector_id=connector.connector_id,
            )
        )

    def statuses(self) -> list[Outgoing]:
        """Every connector's status (after boot or reconnect)."""
        return [self.status_of(c) for c in self._station.charging.connectors()]

    def connector_changed(self, connector: Connector, tx: Transaction | None) -> list[Outgoing]:
        """A StatusNotification if the 2.0.1 status changed; a ChargingStateChanged event if
        the running transaction's charging state did (E02)."""
        items = []
        status = to_v201_status(connector.state)
        if self._reported.get((connector.evse_id, connector.connector_id)) != status:
            items.append(self.status_of(connector))
        started = tx is not None and tx.charging_state_reported is not None
        if tx is not None and started and tx.active and tx.connector is connector:
            state = charging_state(connector.state)
            if state != tx.charging_state_reported:
                tx.charging_state_reported = state
                items.append(self._event(tx, "Updated", "ChargingStateChanged", None))
        return items

    def station_availability_changed(self) -> list[Outgoing]:
        """2.0.1 has no station-wide status; each connector reports its own."""
        return []

    def reservation_ended(self, reservation: Reservation, status: str) -> list[Outgoing]:
        """ReservationStatusUpdateRequest (H04): Expired or Removed."""
        return [
            Outgoing(
                lambda: call.ReservationStatusUpdate(
                    reservation_id=reservation.reservation_id,
                    reservation_update_status=status,
                )
            )
        ]

    def authorize(self, id_tag: str, done: Callable[[AuthStatus | None], None]) -> Outgoing:
        """AuthorizeRequest (C01)."""
        return Outgoing(
            lambda: call.Authorize(id_token=id_token(id_tag)),
            on_result=lambda result: done(auth_status(result.id_token_info["status"])),
            on_failure=lambda _failure: done(None),
        )

    # -- transactions (E01–E07) -----------------------------------------------------------

    def _event(
        self,
        tx: Transaction,
        event_type: str,
        trigger: str,
        value: dict[str, object] | None,
        *,
        info: dict[str, object] | None = None,
        when: datetime | None = None,
        fields: dict[str, object] | None = None,
    ) -> Outgoing:
        """One TransactionEvent; everything is fixed now, only sending waits."""
        transaction_info: dict[str, object] = {
            "transaction_id": tx.transaction_id,
            "charging_state": tx.charging_state_reported,
            **(info or {}),
        }
        payload: dict[str, object] = {
            "event_type": event_type,
            "timestamp": format_rfc3339(when or utc_now()),
            "trigger_reason": trigger,
            "seq_no": tx.next_seq_no(),
            "transaction_info": transaction_info,
            "meter_value": [value] if value is not None else None,
            # E04: an event that happened while offline says so.
            "offline": True if not self._station.online else None,
            **(fields or {}),
        }

        def answered(result: Any) -> None:
            token_info = result.id_token_info
            if token_info is not None:
                self._station.charging.tx_authorization(tx, auth_status(token_info["status"]))

        return Outgoing(
            lambda: call.TransactionEvent(**payload), on_result=answered, transaction=tx
        )

    def transaction_started(self, tx: Transaction, reading: MeterReading) -> Outgoing:
        """TransactionEvent Started: authorized locally or by a remote start (E03, F01)."""
        tx.transaction_id = str(uuid.UUID(int=self._station.rng.getrandbits(128), version=4))
        tx.charging_state_reported = started_charging_state(tx.evse.meter.state)
        measurands = self._station.device_model.members(k.K_STARTED_MEASURANDS)
        value = meter_value(reading, measurands, "Transaction.Begin", tx.started_at)
        info: dict[str, object] = {}
        if tx.remote_start_id is not None:
            info["remote_start_id"] = tx.remote_start_id
        trigger = "RemoteStart" if tx.remote_start_id is not None else "Authorized"
        fields: dict[str, object] = {
            "evse": {"id": tx.evse.evse_id, "connector_id": tx.connector.connector_id},
            "id_token": id_token(tx.id_tag),
            "number_of_phases_used": _phases(reading),
            "reservation_id": tx.reservation_id,
        }
        return self._event(
            tx, "Started", trigger, value, info=info, when=tx.started_at, fields=fields
        )

    def transaction_updated(
        self, tx: Transaction, reading: MeterReading, trigger: UpdateTrigger
    ) -> Outgoing:
        """TransactionEvent Updated with the sampled meter values (E02, J02)."""
        measurands = self._station.device_model.members(k.K_SAMPLED_MEASURANDS)
        value = meter_value(reading, measurands, _CONTEXT[trigger], utc_now())
        return self._event(tx, "Updated", _UPDATE_TRIGGER[trigger], value)

    def transaction_ended(self, tx: Transaction, reading: MeterReading) -> Outgoing:
        """TransactionEvent Ended with the stop reason (E06)."""
        reason = tx.stop_reason or StopReason.OTHER
        unplugged = reason is StopReason.EV_DISCONNECTED
        tx.charging_state_reported = "Idle" if unplugged else "EVConnected"
        measurands = self._station.device_model.members(k.K_ENDED_MEASURANDS)
        when = tx.stopped_at or utc_now()
        value = meter_value(reading, measurands, "Transaction.End", when)
        fields: dict[str, object] = {}
        if reason is StopReason.LOCAL:
            fields["id_token"] = id_token(tx.id_tag)  # the card that stopped it
        info: dict[str, object] = {"stopped_reason": STOPPED_REASON[reason]}
        return self._event(
            tx, "Ended", END_TRIGGER[reason], value, info=info, when=when, fields=fields
        )

    def clock_aligned(self, evse: Evse, reading: MeterReading) -> Outgoing:
        """A clock-aligned sample (J01): an Updated event with trigger MeterValueClock during
        a transaction, a MeterValuesRequest otherwise."""
        measurands = self._station.device_model.members(k.K_ALIGNED_MEASURANDS)
        value = meter_value(reading, measurands, "Sample.Clock", utc_now())
        tx = evse.transaction
        if tx is not None and tx.charging_state_reported is not None:
            return self._event(tx, "Updated", "MeterValueClock", value)
        return Outgoing(lambda: call.MeterValues(evse_id=evse.evse_id, meter_value=[value]))

    def meter_values(self, evse_id: int, reading: MeterReading, context: str) -> Outgoing:
        """MeterValuesRequest outside a transaction (J01, or triggered)."""
        measurands = self._station.device_model.members(k.K_SAMPLED_MEASURANDS)
        value = meter_value(reading, measurands, context, utc_now())
        return Outgoing(lambda: call.MeterValues(evse_id=evse_id, meter_value=[value]))

    # -- firmware and logs (L01, N01) -----------------------------------------------------

    def firmware_status(self, status: str, request_id: int | None = None) -> None:
        """Send FirmwareStatusNotificationRequest."""
        self._station.send(
            Outgoing(lambda: call.FirmwareStatusNotification(status=status, request_id=request_id))
        )

    def log_status(self, status: str, request_id: int | None = None) -> None:
        """Send LogStatusNotificationRequest."""
        self._station.send(
            Outgoing(lambda: call.LogStatusNotification(status=status, request_id=request_id))
        )

    def after_boot(self) -> list[Outgoing]:
        """After a firmware update's reboot: FirmwareStatusNotification Installed."""
        owed = self._station.maintenance.installed_report()
        if owed is not None:
            owed[0]("Installed", owed[1])
        return []


def _phases(reading: MeterReading) -> int | None:
    used = sum(1 for amps in reading.current_a if amps > 0)
    return used or None
