"""`csms simulate chargers|emsp`: simulated chargers and a simulated roaming partner.

`chargers` runs a fleet of OCPP 1.6J / 2.0.1 stations (`simulators.chargepoint`) against a
CSMS, Laddpunkt or any other, with a live summary line on stderr and, with `--json`, one
JSON event per line on stdout. `emsp` (in `cli/commands/simulate_emsp.py`) runs the
simulated eMSP. The simulators are imported only when a command runs, so `csms --help`
stays quick.
"""

from __future__ import annotations

import io
import sys
from typing import TextIO, cast

import click

from cli.commands.simulate_emsp import emsp
from cli.context import CliContext, pass_cli, run_async

__all__ = ["LiveLine", "chargers", "default_ocpp_url", "simulate"]


@click.group()
def simulate() -> None:
    """Simulated chargers and roaming partners (trying Laddpunkt, load tests)."""


simulate.add_command(emsp)


class LiveLine(io.TextIOBase):
    """A stream that shows each line written to it in place of the previous one.

    On a terminal every complete line replaces the one before (carriage return, erase to
    end of line), so a summary printed every few seconds reads as one live line; anywhere
    else (a pipe, a log file) lines pass through unchanged. `finish()` ends the live line.
    """

    def __init__(self, target: TextIO, live: bool) -> None:
        super().__init__()
        self._target = target
        self._live = live
        self._showing = False
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        """Take `text`; complete lines are shown (in place when live)."""
        if not self._live:
            self._target.write(text)
            return len(text)
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            self._target.write("\r\x1b[K" + line)
            self._showing = True
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def finish(self) -> None:
        """Leave the last live line on screen and move to a fresh line."""
        if self._showing:
            self._target.write("\n")
            self._showing = False
        self._target.flush()


def default_ocpp_url(cli_ctx: CliContext) -> str:
    """The configured OCPP endpoint (`[ocpp] host/port/path`) as a websocket URL."""
    ocpp = cli_ctx.settings.ocpp
    host = "127.0.0.1" if ocpp.host in ("", "0.0.0.0", "::") else ocpp.host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    scheme = "wss" if ocpp.tls_cert else "ws"
    return f"{scheme}://{host}:{ocpp.port}/{ocpp.path.strip('/')}"


def _duration_range(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[float, float] | None:
    if value is None:
        return None
    low, sep, high = value.partition("-")
    try:
        bounds = (float(low), float(high if sep else low))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not MIN-MAX in seconds, e.g. 60-300") from None
    if not 0 < bounds[0] <= bounds[1]:
        raise click.BadParameter("the range must satisfy 0 < MIN <= MAX")
    return bounds


def _tags(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if value.startswith("@"):
        try:
            with open(value[1:], encoding="utf-8") as handle:
                return tuple(line.strip() for line in handle if line.strip())
        except OSError as error:
            raise click.BadParameter(f"cannot read {value[1:]}: {error}") from None
    return tuple(tag.strip() for tag in value.split(",") if tag.strip())


@simulate.command("chargers")
@click.option("--count", type=click.IntRange(1, 100_000), required=True, help="Stations.")
@click.option("--version", type=click.Choice(["1.6", "2.0.1", "mixed"]), required=True)
@click.option("--url", metavar="URL", help="CSMS endpoint (default: the configured [ocpp]).")
@click.option(
    "--sessions-per-hour",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Sessions arriving at each station per hour (0: none).",
)
@click.option("--password", metavar="PW", help="HTTP Basic password (security profile 1).")
@click.option("--json", "as_json", is_flag=True, help="JSON events on stdout, one per line.")
@click.option("--duration", type=click.FloatRange(min=0, min_open=True), help="Stop after S s.")
@click.option("--prefix", default="SIM", show_default=True, help="Station ids are PREFIX-N.")
@click.option("--first", type=click.IntRange(min=0), default=1, show_default=True, help="First N.")
@click.option(
    "--connect-rate",
    type=click.FloatRange(min=0, min_open=True),
    default=50.0,
    show_default=True,
    help="New stations per second.",
)
@click.option(
    "--evses", type=click.IntRange(1, 64), default=2, show_default=True, help="Per station."
)
@click.option("--connectors-per-evse", type=click.IntRange(1, 8), default=1, show_default=True)
@click.option("--id-tags", callback=_tags, help="Comma-separated tags, or @FILE (one per line).")
@click.option(
    "--session-duration",
    callback=_duration_range,
    metavar="MIN-MAX",
    help="How long sessions last, seconds  [default: 1200-5400]",
)
@click.option(
    "--sample-interval",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Meter values during a transaction every S seconds.",
)
@click.option(
    "--summary-interval",
    type=click.FloatRange(min=0, min_open=True),
    default=5.0,
    show_default=True,
    help="Seconds between summary lines.",
)
@click.option("--seed", type=int, help="Random seed, for a repeatable fleet.")
@pass_cli
def chargers(
    cli_ctx: CliContext,
    count: int,
    version: str,
    url: str | None,
    sessions_per_hour: float,
    password: str | None,
    as_json: bool,
    duration: float | None,
    prefix: str,
    first: int,
    connect_rate: float,
    evses: int,
    connectors_per_evse: int,
    id_tags: tuple[str, ...],
    session_duration: tuple[float, float] | None,
    sample_interval: int,
    summary_interval: float,
    seed: int | None,
) -> None:
    """Run COUNT simulated charging stations until Ctrl-C (or --duration).

    Stations are PREFIX-1, PREFIX-2, … (mixed: odd ones 1.6, even ones 2.0.1); each boots,
    reports its connectors, sends heartbeats, obeys the CSMS and, at --sessions-per-hour,
    runs charging sessions. Exit 0 when at least one station connected.
    """
    from simulators.chargepoint import DEFAULT_ID_TAGS, ConfigurationError, FleetOptions
    from simulators.chargepoint.fleet import run_fleet_async

    try:
        options = FleetOptions(
            count=count,
            version=version,  # type: ignore[arg-type]  # click.Choice checked it
            url=url or default_ocpp_url(cli_ctx),
            sessions_per_hour=sessions_per_hour,
            password=password,
            json=as_json,
            duration=duration,
            prefix=prefix,
            first=first,
            connect_rate=connect_rate,
            evses=evses,
            connectors_per_evse=connectors_per_evse,
            id_tags=id_tags or DEFAULT_ID_TAGS,
            summary_interval=summary_interval,
            meter_sample_interval=sample_interval,
            session_duration=session_duration or (1200.0, 5400.0),
            seed=seed,
        )
        # Stations are built (and their configuration checked) before anything connects.
        options.station_config(options.first)
    except ConfigurationError as error:
        raise click.UsageError(str(error)) from None
    live = LiveLine(sys.stderr, live=sys.stderr.isatty() and not as_json)
    try:
        # LiveLine is an io.TextIOBase, which typing.TextIO does not name but describes.
        code = run_async(run_fleet_async(options, err=cast(TextIO, live)))
    finally:
        live.finish()
    sys.exit(code)
