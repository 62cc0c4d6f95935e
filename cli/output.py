"""Printing for people (rich tables, status colours) and for scripts (`--json`).

rich is imported on first use: `csms --help` and `--json` runs never pay for it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = [
    "console",
    "emit_json",
    "human_time",
    "note",
    "print_table",
    "status_text",
    "table",
    "yes_no",
]

_STATUS_STYLES = {
    # connectors (2.0.1 vocabulary, plus 1.6's richer words)
    "available": "green",
    "occupied": "cyan",
    "charging": "cyan",
    "preparing": "cyan",
    "suspendedev": "cyan",
    "suspendedevse": "cyan",
    "finishing": "cyan",
    "reserved": "magenta",
    "unavailable": "yellow",
    "faulted": "bold red",
    # stations, sessions, commands, tokens, partners
    "online": "green",
    "offline": "red",
    "accepted": "green",
    "active": "cyan",
    "completed": "green",
    "pending": "yellow",
    "sent": "yellow",
    "registered": "green",
    "invited": "yellow",
    "rejected": "red",
    "failed": "red",
    "timeout": "red",
    "blocked": "red",
    "expired": "yellow",
    "invalid": "red",
    "suspended": "yellow",
}


def console(stderr: bool = False) -> Console:
    """A rich console on the current stdout (or stderr).

    Made afresh each time: the streams may have been swapped (pipes, click's test runner).
    """
    import rich.console

    stream = sys.stderr if stderr else sys.stdout
    return rich.console.Console(file=stream, highlight=False, soft_wrap=False)


def emit_json(data: object) -> None:
    """Print `data` as JSON on stdout (two-space indent, non-ASCII kept)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def note(message: str) -> None:
    """A remark for the person at the terminal, on stderr (never mixed into --json output)."""
    click.echo(message, err=True)


def status_text(status: object) -> str:
    """`status` as rich markup in its colour (`-` when absent)."""
    if status is None or status == "":
        return "[dim]-[/dim]"
    text = str(status)
    style = _STATUS_STYLES.get(text.lower().replace("_", ""))
    escaped = text.replace("[", r"\[")
    return f"[{style}]{escaped}[/{style}]" if style else escaped


def yes_no(value: object) -> str:
    if value is None:
        return "[dim]-[/dim]"
    return "yes" if value else "no"


def human_time(value: str | None, now: datetime | None = None) -> str:
    """An RFC 3339 time as `2026-01-31 12:00:00Z (5m ago)` for a table."""
    if not value:
        return "[dim]-[/dim]"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    now = now or datetime.now(UTC)
    text = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return f"{text} [dim]({_ago((now - moment).total_seconds())})[/dim]"


def _ago(seconds: float) -> str:
    if seconds < 0:
        return "in the future"
    for size, unit in ((86_400, "d"), (3_600, "h"), (60, "m")):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return f"{int(seconds)}s ago"


def table(title: str | None, columns: Sequence[str]) -> Table:
    """An empty table with the house style."""
    from rich.table import Table

    result = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        result.add_column(column, overflow="fold")
    return result


def print_table(
    title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]], empty: str
) -> None:
    """Print rows as a table, or the sentence `empty` when there are none."""
    grid = table(title, columns)
    count = 0
    for row in rows:
        grid.add_row(*(str(cell) if cell is not None else "[dim]-[/dim]" for cell in row))
        count += 1
    if count == 0:
        click.echo(empty)
        return
    console().print(grid)
