"""`csms messages ID [--follow]`: a station's OCPP-J frames from the frame log."""

from __future__ import annotations

import json
import time
from typing import Any

import click

from cli.client import AdminClient, segment
from cli.context import CliContext, client_options, pass_cli
from cli.output import console

__all__ = ["messages"]

_PAGE = 500


def _print_frames(cli_ctx: CliContext, frames: list[dict[str, Any]]) -> None:
    if cli_ctx.json:
        # One JSON object per line, so a follower can be piped into `jq`.
        for frame in frames:
            click.echo(json.dumps(frame, ensure_ascii=False))
        return
    out = console()
    for frame in frames:
        arrow = "[cyan]<-[/cyan]" if frame["direction"] == "in" else "[magenta]->[/magenta]"
        label = frame.get("action") or {3: "result", 4: "error"}.get(frame["message_type"], "")
        escaped = frame["frame"].replace("[", r"\[")
        stamp = f"[dim]{frame['id']:>8} {frame['timestamp']}[/dim]"
        out.print(f"{stamp} {arrow} [bold]{label}[/bold] {escaped}", soft_wrap=True)


def _fetch(client: AdminClient, station_id: str, after: int | None, limit: int) -> dict[str, Any]:
    answer: dict[str, Any] = client.get(
        f"/stations/{segment(station_id)}/messages", {"after": after, "limit": limit}
    )
    return answer


@click.command()
@click.argument("station_id")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new frames as they arrive.")
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(0, 1000),
    default=20,
    show_default=True,
    help="How many of the newest frames to print first (0: only new ones, with --follow).",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    help="Seconds between polls when following.",
)
@click.option(
    "--count",
    type=click.IntRange(min=1),
    help="With --follow: stop after this many new frames.",
)
@client_options
@pass_cli
def messages(
    cli_ctx: CliContext,
    station_id: str,
    follow: bool,
    limit: int,
    interval: float,
    count: int | None,
) -> None:
    """Frames to and from STATION_ID (`<-` from the charger, `->` to it), oldest first.

    `--json` prints one JSON object per frame and line.
    """
    client = cli_ctx.client()
    first = _fetch(client, station_id, None, max(limit, 1))
    frames = first["messages"][-limit:] if limit else []
    _print_frames(cli_ctx, frames)
    if not follow:
        return
    after = first["last_id"] or 0
    seen = 0
    try:
        while count is None or seen < count:
            time.sleep(interval)
            page = _fetch(client, station_id, after, _PAGE)
            new = page["messages"]
            if count is not None:
                new = new[: count - seen]
            _print_frames(cli_ctx, new)
            seen += len(new)
            if new:
                after = new[-1]["id"]
    except KeyboardInterrupt:
        return
