"""How a station speaks OCPP 1.6J: the messages it sends (section 4 of OCPP 1.6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ocpp.v16 import call
from websockets.asyncio.client import ClientConnection

from .. import keys as k
from ..auth import AuthStatus
from ..connector import ConnectorState
from ..dialect import BootAnswer, UpdateTrigger
from ..evse import BootReason, Connector, Evse, Reservation, Transaction
from ..meter import MeterReading
from ..outbox import Outgoing
from ..timeutil import format_rfc3339, utc_now
from .mapping import FIRMWARE_STATUS, STOP_REASON, UPLOAD_STATUS, meter_value

if TYPE_CHECKING:
    from ..station import Station
    from .handlers import ChargePoint16

__all__ = ["Dialect16"]

_CONTEXT = {UpdateTrigger.PERIODIC: "Sample.Periodic", UpdateTrigger.TRIGGERED: "Trigger"}


class Dialect16:
    """Builds 1.6 messages for one station and creates its 1.6 charge point."""

    version = "1.6"
    subprotocol = "ocpp1.6"

    def __init__(self, station: Station) -> None:
        self._station = station

    def charge_point(self, connection: ClientConnection) -> ChargePoint16:
        """The library charge point, with this station's handlers, for `connection`."""
        from .handlers import ChargePoint16

        return ChargePoint16(self._station, self, connection)

    # -- core profile ---------------------------------------------------------------------

    def boot_notification(self, reason: BootReason) -> Any:
        """BootNotification.req (§4.2); 1.6 carries no reason."""
        config = self._station.config
        return call.BootNotification(
            charge_point_model=config.model,
            charge_point_vendor=config.vendor,
            charge_point_serial_number=config.serial,
            charge_box_serial_number=config.serial,
            firmware_version=self._station.maintenance.firmware_version,
            meter_type="SimMeter 3P",
            meter_serial_number=f"M{config.serial}",
        )

    def parse_boot(self, result: Any) -> BootAnswer:
        """Status and heartbeat interval of BootNotification.conf."""
        return BootAnswer(str(result.status), int(result.interval))

    def heartbeat(self) -> Outgoing:
        """Heartbeat.req (§4.6)."""
        return Outgoing(call.Heartbeat)

    def status_of(self, connector_id: int, state: ConnectorState) -> Outgoing:
        """StatusNotification.req (§4.9) for a connector id (0: the station)."""
        stamp = format_rfc3339(utc_now())
        return Outgoing(
            lambda: call.StatusNotification(
                connector_id=connector_id,
                error_code="NoError",
                status=state.value,
                timestamp=stamp,
            )
        )

    def _station_state(self) -> ConnectorState:
        operative = self._station.charging.availability.station_operative
        return ConnectorState.AVAILABLE if operative else ConnectorState.UNAVAILABLE

    def statuses(self) -> list[Outgoing]:
        """Status of connector 0 and of every connector (after boot, §4.9)."""
        items = [self.status_of(0, self._station_state())]
        items += [self.status_of(c.v16_id, c.state) for c in self._station.charging.connectors()]
        return items

    def connector_changed(self, connector: Connector, tx: Transaction | None) -> list[Outgoing]:
        """Every 1.6 status change is a StatusNotification."""
        return [self.status_of(connector.v16_id, connector.state)]

    def station_availability_changed(self) -> list[Outgoing]:
        """Connector 0 reports the station's availability."""
        return [self.status_of(0, self._station_state())]

    def reservation_ended(self, reservation: Reservation, status: str) -> list[Outgoing]:
        """1.6 reports an ended reservation only through the connector's status."""
        return []

    def authorize(self, id_tag: str, done: Callable[[AuthStatus | None], None]) -> Outgoing:
        """Authorize.req (§4.1)."""
        return Outgoing(
            lambda: call.Authorize(id_tag=id_tag),
            on_result=lambda result: done(AuthStatus(result.id_tag_info["status"])),
            on_failure=lambda _failure: done(None),
        )

    # -- transactions ---------------------------------------------------------------------

    def transaction_started(self, tx: Transaction, reading: MeterReading) -> Outgoing:
        """StartTransaction.req (§4.8); the answer gives the transaction id."""
        stamp = format_rfc3339(tx.started_at)
        meter_start = int(reading.energy_wh)  # meterStart is an integer in Wh

        def answered(result: Any) -> None:
            tx.transaction_id = str(result.transaction_id)
            self._station.charging.tx_authorization(tx, AuthStatus(result.id_tag_info["status"]))

        return Outgoing(
            lambda: call.StartTransaction(
                connector_id=tx.connector.v16_id,
                id_tag=tx.id_tag,
                meter_start=meter_start,
                timestamp=stamp,
                reservation_id=tx.reservation_id,
            ),
            on_result=answered,
            transaction=tx,
        )

    def transaction_updated(
        self, tx: Transaction, reading: MeterReading, trigger: UpdateTrigger
    ) -> Outgoing:
        """MeterValues.req (§4.7) for the transaction; queued while offline (§4.8)."""
        measurands = self._station.device_model.members(k.K_SAMPLED_MEASURANDS)
        value = meter_value(reading, measurands, _CONTEXT[trigger], utc_now())
        return Outgoing(
            lambda: call.MeterValues(
                connector_id=tx.connector.v16_id,
                meter_value=[value],
                transaction_id=int(tx.transaction_id) if tx.transaction_id else None,
            ),
            transaction=tx,
        )

    def transaction_ended(self, tx: Transaction, reading: MeterReading) -> Outgoing:
        """StopTransaction.req (§4.10) with the StopTxnSampledData values."""
        measurands = self._station.device_model.members(k.K_ENDED_MEASURANDS)
        when = tx.stopped_at or utc_now()
        end_value = meter_value(reading, measurands, "Transaction.End", when)
        reason = STOP_REASON[tx.stop_reason] if tx.stop_reason else "Other"
        meter_stop = int(reading.energy_wh)

        def build() -> Any:
            if tx.transaction_id is None:
                # The start never got an answer (dropped after its attempts): there is no
                # id to stop. Drop the stop as real firmware does.
                self._station.report_error("stop_without_id", f"local transaction {tx.local_id}")
                return None
            return call.StopTransaction(
                meter_stop=meter_stop,
                timestamp=format_rfc3339(when),
                transaction_id=int(tx.transaction_id),
                reason=reason,
                id_tag=tx.id_tag,
                transaction_data=[end_value] if measurands else None,
            )

        return Outgoing(build, transaction=tx)

    def clock_aligned(self, evse: Evse, reading: MeterReading) -> Outgoing:
        """Clock-aligned MeterValues.req (ClockAlignedDataInterval, §9.1.2); with a running
        transaction it carries its id and is queued like the periodic ones."""
        tx = evse.transaction
        connector = tx.connector if tx is not None else evse.connectors[0]
        measurands = self._station.device_model.members(k.K_ALIGNED_MEASURANDS)
        value = meter_value(reading, measurands, "Sample.Clock", utc_now())
        return Outgoing(
            lambda: call.MeterValues(
                connector_id=connector.v16_id,
                meter_value=[value],
                transaction_id=int(tx.transaction_id) if tx and tx.transaction_id else None,
            ),
            transaction=tx,
        )

    def meter_values(self, connector: Connector, reading: MeterReading) -> Outgoing:
        """A triggered MeterValues.req outside a transaction (§5.17)."""
        measurands = self._station.device_model.members(k.K_SAMPLED_MEASURANDS)
        value = meter_value(reading, measurands, "Trigger", utc_now())
        return Outgoing(
            lambda: call.MeterValues(connector_id=connector.v16_id, meter_value=[value])
        )

    # -- firmware and diagnostics ---------------------------------------------------------

    def firmware_status(self, status: str, request_id: int | None = None) -> None:
        """Send FirmwareStatusNotification.req (§4.5) for a neutral status, if 1.6 has it."""
        spelled = FIRMWARE_STATUS.get(status)
        if spelled is not None:
            self._station.send(Outgoing(lambda: call.FirmwareStatusNotification(status=spelled)))

    def diagnostics_status(self, status: str, request_id: int | None = None) -> None:
        """Send DiagnosticsStatusNotification.req (§4.4)."""
        spelled = UPLOAD_STATUS[status]
        self._station.send(Outgoing(lambda: call.DiagnosticsStatusNotification(status=spelled)))

    def after_boot(self) -> list[Outgoing]:
        """After a firmware update's reboot: FirmwareStatusNotification Installed."""
        owed = self._station.maintenance.installed_report()
        if owed is not None:
            owed[0]("Installed", owed[1])
        return []
