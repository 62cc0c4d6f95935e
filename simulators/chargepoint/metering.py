"""Meter values and charging limits: periodic and clock-aligned samples, profiles applied.

Periodic samples follow MeterValueSampleInterval (1.6 §9.1) / SampledDataCtrlr
TxUpdatedInterval (2.0.1 J02) while a transaction runs; clock-aligned samples follow
ClockAlignedDataInterval / AlignedDataCtrlr.Interval, at evenly spaced moments of the day
counted from midnight UTC (1.6 §9.1, 2.0.1 J01). Before each sample the limits of the
profiles in force are applied, so a schedule that steps down shows up in the next values.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from . import keys as k
from .connector import ConnectorEvent, ConnectorState
from .device_model import Setting
from .dialect import UpdateTrigger
from .evse import Evse, Transaction
from .meter import ChargeState
from .profiles import ChargingProfile
from .timeutil import utc_now

if TYPE_CHECKING:
    from .charging import Charging
    from .station import Station

__all__ = ["Metering", "next_aligned_delay"]

# The connector event that brings a connector in line with its meter's power path.
_FOLLOW_METER = {
    ChargeState.CHARGING: (ConnectorState.CHARGING, ConnectorEvent.ENERGY_FLOWING),
    ChargeState.SUSPENDED_EV: (ConnectorState.SUSPENDED_EV, ConnectorEvent.SUSPEND_EV),
    ChargeState.SUSPENDED_EVSE: (ConnectorState.SUSPENDED_EVSE, ConnectorEvent.SUSPEND_EVSE),
}


def next_aligned_delay(now: datetime, interval: int) -> float:
    """Seconds from `now` to the next multiple of `interval` seconds after midnight UTC."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = (now - midnight).total_seconds()
    return interval - (elapsed % interval)


class Metering:
    """Samples the meters of one station and applies its charging limits."""

    def __init__(self, station: Station, charging: Charging) -> None:
        self._station = station
        self._charging = charging

    def start(self) -> None:
        """Begin clock-aligned sampling, if configured."""
        self._schedule_aligned()

    def setting_changed(self, setting: Setting) -> None:
        """A new sampling interval takes effect at once."""
        if setting.key == k.K_SAMPLE_INTERVAL:
            for evse in self._charging.evses:
                if evse.transaction is not None:
                    self.schedule_sample(evse)
        elif setting.key == k.K_ALIGNED_INTERVAL:
            self._schedule_aligned()

    # -- periodic samples -----------------------------------------------------------------

    def schedule_sample(self, evse: Evse) -> None:
        """(Re)arm the periodic sample of `evse`'s transaction."""
        interval = self._station.device_model.integer(k.K_SAMPLE_INTERVAL)
        name = f"evse{evse.evse_id}:sample"
        if interval > 0:
            self._station.timers.set(name, interval, lambda: self._sample_due(evse))
        else:
            self._station.timers.cancel(name)

    def _sample_due(self, evse: Evse) -> None:
        tx = evse.transaction
        if tx is None:
            return
        self.apply_limits()
        self.send_update(tx, UpdateTrigger.PERIODIC)
        self.schedule_sample(evse)

    def send_update(self, tx: Transaction, trigger: UpdateTrigger) -> None:
        """Send the transaction's current meter values."""
        station = self._station
        reading = tx.evse.meter.read(self._charging.now())
        self.follow_meter(tx.evse)
        station.send(station.dialect.transaction_updated(tx, reading, trigger))

    # -- clock-aligned samples ------------------------------------------------------------

    def _schedule_aligned(self) -> None:
        interval = self._station.device_model.integer(k.K_ALIGNED_INTERVAL)
        if interval <= 0:
            self._station.timers.cancel("aligned")
            return
        delay = next_aligned_delay(utc_now(), interval)
        self._station.timers.set("aligned", delay, self._aligned_due)

    def _aligned_due(self) -> None:
        self._schedule_aligned()
        station, now = self._station, self._charging.now()
        for evse in self._charging.evses:
            station.send(station.dialect.clock_aligned(evse, evse.meter.read(now)))

    # -- limits ---------------------------------------------------------------------------

    def follow_meter(self, evse: Evse) -> None:
        """Bring the connector's status in line with the power path (C4/C5/D3/E3 …)."""
        tx = evse.transaction
        if tx is None:
            return
        evse.meter.advance(self._charging.now())
        target = _FOLLOW_METER.get(evse.meter.state)
        if target is None or tx.connector.state is target[0]:
            return
        if tx.connector.machine.allows(target[1]):
            self._charging.transition(tx.connector, target[1])

    def apply_limits(self, *, follow: bool = True) -> None:
        """Set every meter's limit from the profiles in force now (and, if `follow`, let
        the connectors' statuses follow the power paths)."""
        charging = self._charging
        now, when = charging.now(), utc_now()
        running = sum(1 for e in charging.evses if e.transaction is not None)
        share = charging.profiles.station_limit(when).shared(running)
        for evse in charging.evses:
            tx = evse.transaction
            started = tx.started_at if tx is not None else None
            limit = charging.profiles.evse_limit(evse.evse_id, when, started).tighter(share)
            if limit != evse.meter.limit:
                evse.meter.set_limit(limit, now)
                if follow:
                    self.follow_meter(evse)

    def install_profile(self, evse_id: int, profile: ChargingProfile) -> None:
        """Install a profile and apply it now (raises ProfileError)."""
        evse = self._charging.evse(evse_id)
        tx = evse.transaction if evse is not None else None
        active = None
        if tx is not None:
            # 1.6: a start not answered yet has no id; any id the CSMS gives must do.
            active = tx.transaction_id or profile.transaction_id or f"local:{tx.local_id}"
        self._charging.profiles.install(evse_id, profile, active_tx=active)
        self.apply_limits()
