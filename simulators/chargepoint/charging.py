"""What the EVSEs do: sessions, transactions, meter samples and charging limits.

Version-neutral; messages are built by the station's dialect. Flows follow OCPP 1.6 §3.6 /
§4 and 2.0.1 E01–E07 (a driver plugs in and presents a card; the station authorizes,
starts a transaction, samples the meter, and stops on a second card swipe or when the cable
is pulled). Sessions arrive spontaneously as a Poisson process at `sessions_per_hour`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from . import keys as k
from .auth import AuthStatus, LocalAuth
from .availability import Availability
from .connector import ConnectorEvent, ConnectorState
from .device_model import Setting
from .errors import ProfileError
from .evse import BootReason, Connector, Evse, StopReason, Transaction
from .meter import EnergyMeter, Vehicle
from .metering import Metering
from .profiles import ChargingProfile, ProfilePurpose, ProfileStore
from .reservations import Reservations
from .timeutil import utc_now

if TYPE_CHECKING:
    from .station import Station

__all__ = ["Charging"]


class Charging:
    """The EVSEs of one station and everything that happens at them."""

    def __init__(self, station: Station) -> None:
        self._station = station
        config = station.config
        self.evses: list[Evse] = []
        for evse_id in range(1, config.evses + 1):
            connectors = [
                Connector(evse_id, c, (evse_id - 1) * config.connectors_per_evse + c)
                for c in range(1, config.connectors_per_evse + 1)
            ]
            meter = EnergyMeter(config.rating, station.rng, register_wh=_initial_register(station))
            self.evses.append(Evse(evse_id, meter, connectors))
        self.profiles = ProfileStore(config.rating, config.evses)
        self.auth = LocalAuth()
        self.reservations = Reservations(station, self)
        self.metering = Metering(station, self)
        self.availability = Availability(station, self)
        self.reboot_when_idle: BootReason | None = None
        self._tx_counter = 0

    # -- lookups --------------------------------------------------------------------------

    def evse(self, evse_id: int) -> Evse | None:
        """The EVSE with id `evse_id` (1-based)."""
        return self.evses[evse_id - 1] if 1 <= evse_id <= len(self.evses) else None

    def connector(self, evse_id: int, connector_id: int = 1) -> Connector | None:
        """The connector `connector_id` of EVSE `evse_id`."""
        evse = self.evse(evse_id)
        if evse is None or not 1 <= connector_id <= len(evse.connectors):
            return None
        return evse.connectors[connector_id - 1]

    def connector_v16(self, connector_id: int) -> Connector | None:
        """The connector OCPP 1.6 numbers `connector_id` (1-based across the station)."""
        return next((c for c in self.connectors() if c.v16_id == connector_id), None)

    def connectors(self) -> Iterator[Connector]:
        """Every connector, in EVSE order."""
        for evse in self.evses:
            yield from evse.connectors

    def evse_of(self, connector: Connector) -> Evse:
        """The EVSE `connector` belongs to."""
        return self.evses[connector.evse_id - 1]

    def find_transaction(self, transaction_id: str) -> Transaction | None:
        """The running transaction the CSMS knows as `transaction_id`."""
        for evse in self.evses:
            tx = evse.transaction
            if tx is not None and tx.transaction_id == transaction_id:
                return tx
        return None

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Begin spontaneous sessions (when configured) and clock-aligned meter values."""
        self._schedule_arrival()
        self.metering.start()

    def power_cycle(self) -> None:
        """A reboot: EVs gone, reservations dropped; availability survives (1.6 §5.2)."""
        now = self.now()
        self.reservations.clear()
        self.reboot_when_idle = None
        for evse in self.evses:
            self._station.timers.cancel_prefix(f"evse{evse.evse_id}:")
            evse.transaction = None
            evse.meter.unplug(now)
            for connector in evse.connectors:
                if connector.pending_operative is not None:
                    connector.operative = connector.pending_operative
                    connector.pending_operative = None
                operative = connector.operative and self.availability.station_operative
                connector.machine.reset(
                    ConnectorState.AVAILABLE if operative else ConnectorState.UNAVAILABLE
                )
        self.profiles.clear(purpose=ProfilePurpose.TX)

    def setting_changed(self, setting: Setting) -> None:
        """React to a changed setting (new meter intervals take effect now)."""
        self.metering.setting_changed(setting)

    def now(self) -> float:
        """The event loop's monotonic clock (the meters' time base)."""
        return asyncio.get_running_loop().time()

    # -- spontaneous sessions -------------------------------------------------------------

    def _schedule_arrival(self) -> None:
        rate = self._station.config.sessions_per_hour
        if rate > 0:
            delay = self._station.rng.expovariate(rate / 3600.0)
            self._station.timers.set("arrival", delay, self._arrival_due)

    def _arrival_due(self) -> None:
        self._schedule_arrival()
        free = [e for e in self.evses if e.idle and self._usable(e.connectors[0])]
        if free:
            self.start_session(self._station.rng.choice(free).evse_id)

    def _usable(self, connector: Connector) -> bool:
        return connector.state is ConnectorState.AVAILABLE and connector.operative

    def start_session(
        self,
        evse_id: int,
        *,
        id_tag: str | None = None,
        duration: float | None = None,
        ending: StopReason | None = None,
    ) -> bool:
        """An EV arrives at `evse_id` and its driver presents `id_tag` (random if None).

        The session lasts `duration` seconds (random in the configured range if None) and
        then ends by `ending` (a second card swipe, `LOCAL`, or the cable pulled,
        `EV_DISCONNECTED`; random if None). Returns False if the EVSE is not free.
        """
        evse = self.evse(evse_id)
        if evse is None or not evse.idle or not self._usable(evse.connectors[0]):
            return False
        rng, config = self._station.rng, self._station.config
        tag = id_tag or rng.choice(config.id_tags)
        length = duration if duration is not None else rng.uniform(*config.session_duration)
        end = ending or rng.choice((StopReason.LOCAL, StopReason.EV_DISCONNECTED))
        connector = evse.connectors[0]
        self.plug_in(evse, connector)

        def authorized(ok: bool) -> None:
            if ok:
                self.begin(evse, connector, tag, duration=length, ending=end)
            else:
                self._schedule_unplug(evse, connector)

        self.authorize(tag, authorized)
        return True

    def remote_start(
        self,
        connector: Connector,
        id_tag: str,
        *,
        remote_start_id: int | None,
        profile: ChargingProfile | None,
    ) -> None:
        """A start the CSMS asked for (1.6 §5.11, 2.0.1 F01): the driver plugs in, the tag
        is authorized if the station is so configured, and the transaction starts. It ends
        like a spontaneous session unless the CSMS stops it first.
        """
        evse = self.evse_of(connector)
        if connector.state in (ConnectorState.AVAILABLE, ConnectorState.RESERVED):
            self.plug_in(evse, connector)
        rng, config = self._station.rng, self._station.config
        length = rng.uniform(*config.session_duration)
        end = rng.choice((StopReason.LOCAL, StopReason.EV_DISCONNECTED))

        def authorized(ok: bool) -> None:
            if not ok:
                self._schedule_unplug(evse, connector)
                return
            self.begin(
                evse,
                connector,
                id_tag,
                remote_start_id=remote_start_id,
                duration=length,
                ending=end,
                profile=profile,
            )

        if self._station.device_model.boolean(k.K_AUTHORIZE_REMOTE):
            self.authorize(id_tag, authorized)
        else:
            authorized(True)

    def plug_in(self, evse: Evse, connector: Connector) -> None:
        """An EV is connected at `connector`."""
        evse.meter.plug(Vehicle.random(self._station.rng), self.now())
        self._station.timers.cancel(f"evse{evse.evse_id}:unplug")
        self.transition(connector, ConnectorEvent.PLUG_IN)

    # -- authorization --------------------------------------------------------------------

    def authorize(self, id_tag: str, done: Callable[[bool], None]) -> None:
        """Decide whether `id_tag` may charge: local list, cache, CSMS, offline rules."""
        station, dm = self._station, self._station.device_model
        known = self.auth.lookup(
            id_tag,
            use_list=dm.boolean(k.K_LOCAL_LIST_ENABLED),
            use_cache=dm.boolean(k.K_AUTH_CACHE),
        )
        if station.online and known is AuthStatus.ACCEPTED and dm.boolean(k.K_LOCAL_PRE_AUTHORIZE):
            done(True)
            return

        def answered(status: AuthStatus | None) -> None:
            if status is None:
                done(self._offline_decision(known))
                return
            self.remember(id_tag, status)
            done(status is AuthStatus.ACCEPTED)

        station.send(station.dialect.authorize(id_tag, answered))

    def _offline_decision(self, known: AuthStatus | None) -> bool:
        dm = self._station.device_model
        if known is None:
            return dm.boolean(k.K_OFFLINE_UNKNOWN_ID)
        return known is AuthStatus.ACCEPTED and dm.boolean(k.K_LOCAL_AUTH_OFFLINE)

    def clear_auth_cache(self) -> bool:
        """ClearCache (1.6 §5.4, 2.0.1 C11): False when the cache is disabled."""
        if not self._station.device_model.boolean(k.K_AUTH_CACHE):
            return False
        self.auth.clear_cache()
        return True

    def remember(self, id_tag: str, status: AuthStatus) -> None:
        """Cache the CSMS's verdict on `id_tag`, if the cache is on."""
        if self._station.device_model.boolean(k.K_AUTH_CACHE):
            self.auth.remember(id_tag, status)

    def tx_authorization(self, tx: Transaction, status: AuthStatus) -> None:
        """The CSMS's verdict on a transaction's id tag (in its start/event answer)."""
        self.remember(tx.id_tag, status)
        stop_invalid = self._station.device_model.boolean(k.K_STOP_ON_INVALID_ID)
        if status is not AuthStatus.ACCEPTED and tx.active and stop_invalid:
            self.stop(tx, StopReason.DEAUTHORIZED)

    # -- transactions ---------------------------------------------------------------------

    def begin(
        self,
        evse: Evse,
        connector: Connector,
        id_tag: str,
        *,
        remote_start_id: int | None = None,
        duration: float | None = None,
        ending: StopReason = StopReason.LOCAL,
        profile: ChargingProfile | None = None,
    ) -> Transaction | None:
        """Start a transaction on a connector with an EV plugged in."""
        if evse.transaction is not None or connector.state is not ConnectorState.PREPARING:
            return None
        tx = self._new_transaction(evse, connector, id_tag, remote_start_id)
        evse.transaction = tx
        metering = self.metering
        if profile is not None:
            try:
                metering.install_profile(evse.evse_id, profile)
            except ProfileError as exc:
                self._station.report_error("profile_rejected", exc)
        evse.meter.energize(True, self.now())
        # Limits first (the start reports the power they allow), status changes only after
        # the start message: nothing about a transaction may precede its start.
        metering.apply_limits(follow=False)
        self._announce(tx)
        for each in self.evses:
            metering.follow_meter(each)
        metering.schedule_sample(evse)
        if duration is not None:
            self._schedule_end(tx, duration, ending)
        return tx

    def _new_transaction(
        self, evse: Evse, connector: Connector, id_tag: str, remote_start_id: int | None
    ) -> Transaction:
        self._tx_counter += 1
        return Transaction(
            local_id=self._tx_counter,
            evse=evse,
            connector=connector,
            id_tag=id_tag,
            started_at=utc_now(),
            meter_start_wh=evse.meter.read(self.now()).energy_wh,
            started_offline=not self._station.online,
            remote_start_id=remote_start_id,
            reservation_id=self.reservations.consume(connector, id_tag),
        )

    def _announce(self, tx: Transaction) -> None:
        """Send the start, count it and tell the observer."""
        station = self._station
        reading = tx.evse.meter.read(self.now())
        station.send(station.dialect.transaction_started(tx, reading))
        station.stats.transactions_started += 1
        station.emit(
            "transaction_started",
            evse_id=tx.evse.evse_id,
            connector_id=tx.connector.connector_id,
            id_tag=tx.id_tag,
            transaction_id=tx.transaction_id,
            remote_start_id=tx.remote_start_id,
            offline=tx.started_offline,
        )

    def _schedule_end(self, tx: Transaction, duration: float, ending: StopReason) -> None:
        """End `tx` after `duration` seconds, by a card swipe or by pulling the cable.

        A station configured not to stop on EV-side disconnection (StopTxOnEVSideDisconnect
        false, 1.6 §9.1 / 2.0.1 E10) would keep the transaction running; the simulated
        driver then ends it with the card instead.
        """
        station = self._station
        if ending is StopReason.EV_DISCONNECTED and not station.device_model.boolean(
            k.K_STOP_ON_EV_DISCONNECT
        ):
            ending = StopReason.LOCAL
        unplug = ending is StopReason.EV_DISCONNECTED
        station.timers.set(
            f"evse{tx.evse.evse_id}:end", duration, lambda: self.stop(tx, ending, unplug=unplug)
        )

    def stop(self, tx: Transaction, reason: StopReason, *, unplug: bool = False) -> None:
        """End `tx`; the EV stays plugged in (Finishing) unless `unplug`."""
        if not tx.active:
            return
        station, evse, now = self._station, tx.evse, self.now()
        station.timers.cancel(f"evse{evse.evse_id}:sample")
        station.timers.cancel(f"evse{evse.evse_id}:end")
        evse.meter.energize(False, now)
        reading = evse.meter.read(now)
        tx.stop_reason = reason
        tx.stopped_at = utc_now()
        station.send(station.dialect.transaction_ended(tx, reading))
        evse.transaction = None
        self.profiles.clear(evse_id=evse.evse_id, purpose=ProfilePurpose.TX)
        self.metering.apply_limits()
        if unplug:
            self.unplug(evse, tx.connector)
        else:
            self.transition(tx.connector, ConnectorEvent.STOP)
            self._schedule_unplug(evse, tx.connector)
        station.stats.transactions_stopped += 1
        station.emit(
            "transaction_stopped",
            evse_id=evse.evse_id,
            transaction_id=tx.transaction_id,
            reason=reason.value,
            energy_wh=round(reading.energy_wh - tx.meter_start_wh, 3),
        )

    def unplug(self, evse: Evse, connector: Connector) -> None:
        """The EV is disconnected; pending availability changes now apply."""
        self._station.timers.cancel(f"evse{evse.evse_id}:unplug")
        evse.meter.unplug(self.now())
        if connector.machine.allows(ConnectorEvent.UNPLUG):
            self.transition(connector, ConnectorEvent.UNPLUG)
        for c in evse.connectors:
            if c.pending_operative is not None:
                self.availability.set_operative(c, c.pending_operative)
        if self.reboot_when_idle is not None and all(e.idle for e in self.evses):
            reason, self.reboot_when_idle = self.reboot_when_idle, None
            self._station.request_reboot(reason, graceful=True)

    def _schedule_unplug(self, evse: Evse, connector: Connector) -> None:
        delay = self._station.rng.uniform(*self._station.config.unplug_delay)
        self._station.timers.set(
            f"evse{evse.evse_id}:unplug", delay, lambda: self.unplug(evse, connector)
        )

    def stop_all(self, reason: StopReason) -> None:
        """Stop every running transaction (a reset)."""
        for evse in self.evses:
            if evse.transaction is not None:
                self.stop(evse.transaction, reason)

    # -- connector status -----------------------------------------------------------------

    def transition(self, connector: Connector, event: ConnectorEvent) -> None:
        """Apply `event` to `connector` and report the new status."""
        connector.machine.process(event)
        station = self._station
        tx = self.evse_of(connector).transaction
        for item in station.dialect.connector_changed(connector, tx):
            station.send(item)


def _initial_register(station: Station) -> float:
    """A used meter: a few MWh already on the register, to the Wh and a bit."""
    return round(station.rng.uniform(100_000.0, 5_000_000.0), 1)
