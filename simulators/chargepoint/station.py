"""One simulated charging station: its connection, boot, heartbeats and outbox.

The station runs as one task (`run`) that connects, talks and reconnects; per connection it
adds the library's reader task (`ChargePoint.start`) and one conversation task that boots and
then sends the outbox in order. Everything periodic is a named timer (`timers.Timers`), not a
task. What the EVSEs do lives in `charging.Charging`; how messages are spelled, in the
version's dialect.

Connection losses are normal: the station reconnects with exponential back-off and jitter
(`backoff.Backoff`), keeps transaction-related messages queued meanwhile, and sends them in
order once it is back (without a new BootNotification: OCPP boots only when the station
reboots, 1.6 §4.2 / 2.0.1 B01).
"""

from __future__ import annotations

import asyncio
import logging
import random
from base64 import b64encode
from typing import TYPE_CHECKING

import ocpp.messages
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.typing import Subprotocol

from . import keys as k
from .backoff import Backoff
from .catalogue import build_device_model
from .config import StationConfig
from .conversation import Conversation, RebootNow
from .device_model import Setting
from .evse import BootReason, Transaction
from .maintenance import Maintenance
from .observer import EventKind, StationEvent, StationObserver, StationStats
from .outbox import Failure, Outbox, Outgoing
from .timers import Timers

if TYPE_CHECKING:
    from .charging import Charging
    from .dialect import BootAnswer, Dialect

__all__ = ["Station"]

_log = logging.getLogger(__name__)


class Station:
    """A simulated charging station speaking OCPP 1.6J or 2.0.1 to one CSMS URL."""

    def __init__(self, config: StationConfig, observer: StationObserver | None = None) -> None:
        from .charging import Charging  # circular: Charging needs a Station to act on
        from .v16 import Dialect16
        from .v201 import Dialect201

        self.config = config
        self.observer = observer
        self.rng = random.Random(config.seed if config.seed is not None else config.station_id)
        self.device_model = build_device_model(config)
        self.device_model.on_change = self._setting_changed
        self.stats = StationStats()
        self.outbox = Outbox()
        self.timers = Timers()
        self.timers.on_error = lambda name, exc: self.report_error("timer_failed", exc)
        self.backoff = Backoff(
            self.rng,
            minimum=config.backoff_min,
            maximum=config.backoff_max,
            random_range=config.backoff_random,
            repeat=config.backoff_repeat,
        )
        self.charging: Charging = Charging(self)
        self.maintenance = Maintenance(self)
        self.dialect: Dialect = Dialect16(self) if config.version == "1.6" else Dialect201(self)
        self.connected = False
        self.booted = False
        self.boot_status: str | None = None
        self.needs_boot = True
        self.boot_reason = BootReason.POWER_UP
        self.boot_trigger = asyncio.Event()
        self._reboot_reason: BootReason | None = None
        self._ws: ClientConnection | None = None
        self._outage_until = 0.0
        self._holding: list[Outgoing] | None = None
        self._online_event = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- public surface -------------------------------------------------------------------

    @property
    def station_id(self) -> str:
        """The station's identity (the last path segment of its URL)."""
        return self.config.station_id

    @property
    def online(self) -> bool:
        """Connected and accepted by the CSMS: free to send anything."""
        return self.connected and self.booted

    def active_transactions(self) -> list[Transaction]:
        """The transactions running now."""
        return [e.transaction for e in self.charging.evses if e.transaction is not None]

    async def wait_online(self) -> None:
        """Return once the station is connected and accepted."""
        while not self.online:
            await self._online_event.wait()

    def drop_connection(self, duration: float) -> None:
        """Simulate a network outage: cut the link now and stay offline for `duration` s.

        The CSMS sees the TCP connection vanish without a close handshake. Transactions go on;
        their messages are queued and delivered, marked offline, after reconnecting.
        """
        loop = asyncio.get_running_loop()
        self._outage_until = max(self._outage_until, loop.time() + max(0.0, duration))
        if self._ws is not None:
            self._ws.transport.abort()

    async def run(self) -> None:
        """Connect, talk and reconnect until `stop()` (or cancellation)."""
        self._task = asyncio.current_task()
        # PITFALLS: the library validates in a thread pool by default, which costs latency
        # and has caused races; validate in-line (process-wide, and right for a CSMS too).
        ocpp.messages.ASYNC_VALIDATION = False
        self.charging.start()
        try:
            while True:
                await self._sit_out_outage()
                reboot = await self._connect_and_serve()
                if reboot is not None:
                    await self._reboot(reboot)
                else:
                    await asyncio.sleep(self.backoff.next_delay())
        finally:
            self.timers.cancel_all()
            self._link_down()

    async def stop(self) -> None:
        """Stop running and close the connection."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            # wait() rather than awaiting the task: our own cancellation must still reach us.
            await asyncio.wait({task})

    def request_reboot(self, reason: BootReason, *, graceful: bool) -> None:
        """Reboot once the outbox has sent what was queued before (graceful) or at once."""
        self._reboot_reason = reason
        self.send(Outgoing(build=None, urgent=not graceful))

    def triggered_boot(self) -> Outgoing:
        """A BootNotification the CSMS asked for while the station is accepted."""

        def answered(result: object) -> None:
            answer = self.dialect.parse_boot(result)
            self.boot_status = answer.status
            if answer.status == "Accepted" and answer.interval > 0:
                self.device_model.assign(k.K_HEARTBEAT, str(answer.interval))

        return Outgoing(
            lambda: self.dialect.boot_notification(BootReason.TRIGGERED), on_result=answered
        )

    def trigger_boot(self) -> None:
        """Send a BootNotification now if the station waits for a retry (TriggerMessage)."""
        self.boot_trigger.set()

    # -- sending --------------------------------------------------------------------------

    def send(self, item: Outgoing) -> None:
        """Queue a message; one that is not transaction-related fails at once if offline.

        While a CALL from the CSMS is being handled, messages are held back until its
        CALLRESULT has gone out (`hold` / `release`).
        """
        if self._holding is not None:
            self._holding.append(item)
            return
        if item.build is not None and not item.transactional and not self.online:
            item.fail(Failure.OFFLINE)
            return
        if item.urgent:
            self.outbox.put_front(item)
        else:
            self.outbox.put(item)

    def hold(self) -> None:
        """Start holding back messages: a CALL from the CSMS is being handled.

        PITFALLS: a handler must never await a call, and its follow-up messages must go
        out after its answer. Handlers change state at once; what they send waits here.
        """
        self._holding = []

    def release(self) -> None:
        """The answer went out: queue what was held back, in order."""
        held, self._holding = self._holding or [], None
        for item in held:
            self.send(item)

    def emit(self, kind: EventKind, **data: object) -> None:
        """Tell the observer about `kind`."""
        if self.observer is not None:
            self.observer.on_station_event(StationEvent(kind, self.station_id, data))

    def report_error(self, what: str, exc: BaseException | str) -> None:
        """Count an error and report it as an `error` event."""
        self.stats.errors += 1
        self.emit("error", what=what, detail=str(exc) or type(exc).__name__)

    # -- connection -----------------------------------------------------------------------

    async def _sit_out_outage(self) -> None:
        loop = asyncio.get_running_loop()
        remaining = self._outage_until - loop.time()
        if remaining > 0:
            await asyncio.sleep(remaining)

    async def _open(self) -> ClientConnection | None:
        config = self.config
        headers = None
        if config.password is not None:
            # OCPP security profile 1: HTTP Basic with the station id as user name.
            token = b64encode(f"{config.station_id}:{config.password}".encode()).decode()
            headers = {"Authorization": f"Basic {token}"}
        ping = self.device_model.integer(k.K_PING_INTERVAL)
        agent = f"{config.vendor}/{config.model} {self.maintenance.firmware_version}"
        try:
            return await connect(
                config.endpoint,
                subprotocols=[Subprotocol(self.dialect.subprotocol)],
                compression=None,
                additional_headers=headers,
                open_timeout=config.open_timeout,
                ping_interval=ping or None,
                ping_timeout=ping or None,
                proxy=None,
                close_timeout=5,
                user_agent_header=agent,
            )
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            self.report_error("connect_failed", exc)
            return None

    async def _connect_and_serve(self) -> BootReason | None:
        """One connection's life; returns a boot reason if it ended in a reboot."""
        ws = await self._open()
        if ws is None:
            return None
        if asyncio.get_running_loop().time() < self._outage_until:
            await ws.close()  # the outage began while connecting: this link never happened
            return None
        if ws.subprotocol != self.dialect.subprotocol:
            self.report_error("subprotocol_refused", f"CSMS chose {ws.subprotocol!r}")
            await ws.close()
            return None
        self._ws = ws
        self.connected = True
        self.stats.connections += 1
        self.emit("connected", url=self.config.endpoint)
        cp = self.dialect.charge_point(ws)
        reader = asyncio.create_task(cp.start(), name=f"{self.station_id}-reader")
        talk = asyncio.create_task(Conversation(self, cp).run(), name=f"{self.station_id}-talk")
        try:
            await asyncio.wait({reader, talk}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reader, talk):
                task.cancel()
            results = await asyncio.gather(reader, talk, return_exceptions=True)
            self._ws = None
            self._link_down()
            await ws.close()
        for outcome in results:
            self._check_outcome(outcome)
        if isinstance(results[1], RebootNow):
            return self._reboot_reason or BootReason.REMOTE_RESET
        return None

    def _check_outcome(self, outcome: object) -> None:
        """Report a task that died of something other than the link going away."""
        expected = (asyncio.CancelledError, ConnectionClosed, RebootNow)
        if isinstance(outcome, BaseException) and not isinstance(outcome, expected):
            _log.error("sim.task.failed station_id=%s", self.station_id, exc_info=outcome)
            self.report_error("internal_error", outcome)

    def _link_down(self) -> None:
        was_connected = self.connected
        self.connected = False
        self.booted = False
        self._online_event.clear()
        self.timers.cancel("heartbeat")
        self.outbox.drop_volatile()
        if was_connected:
            self.emit("disconnected")

    async def _reboot(self, reason: BootReason) -> None:
        self._reboot_reason = None
        self.needs_boot = True
        self.boot_reason = reason
        self.charging.power_cycle()
        await asyncio.sleep(self.config.reboot_delay)

    # -- boot ---------------------------------------------------------------------------

    def boot_answered(self, answer: BootAnswer) -> bool:
        """Take in a BootNotification answer; True if the station is now accepted."""
        self.boot_status = answer.status
        if answer.status != "Accepted":
            self.emit("boot_refused", status=answer.status, interval=answer.interval)
            return False
        if answer.interval > 0:
            self.device_model.assign(k.K_HEARTBEAT, str(answer.interval))
        self.needs_boot = False
        self.stats.boots += 1
        self.emit("booted", reason=self.boot_reason.value, interval=answer.interval)
        return True

    def came_online(self) -> None:
        """Accepted on this connection: report every connector, start heartbeats."""
        self.booted = True
        self.backoff.reset()
        self._online_event.set()
        for item in self.dialect.statuses():
            self.send(item)
        for item in self.dialect.after_boot():
            self.send(item)
        self._schedule_heartbeat()

    # -- heartbeats and settings ----------------------------------------------------------

    def _schedule_heartbeat(self) -> None:
        interval = self.device_model.integer(k.K_HEARTBEAT)
        self.timers.set("heartbeat", interval, self._heartbeat_due)

    def _heartbeat_due(self) -> None:
        if self.online:
            self.send(self.dialect.heartbeat())
            self._schedule_heartbeat()

    def _setting_changed(self, setting: Setting) -> None:
        if setting.key == k.K_HEARTBEAT and self.online:
            self._schedule_heartbeat()
        self.charging.setting_changed(setting)

    def __repr__(self) -> str:
        return f"<Station {self.station_id} {self.config.version} online={self.online}>"
