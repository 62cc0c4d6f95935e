"""Printing what the simulated eMSP receives and does: one line per event."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from .events import EmspEvent
from .wire import json_dumps

__all__ = ["Printer", "summarize"]

_KEYS = ("status", "kwh", "total_cost", "result", "allowed", "end_date_time", "total_energy")


def summarize(body: Any) -> str:
    """A short description of a pushed object: its notable fields."""
    if isinstance(body, list):
        return f"{len(body)} items"
    if not isinstance(body, dict):
        return ""
    parts = []
    for key in _KEYS:
        if key in body:
            value = body[key]
            if isinstance(value, dict) and "excl_vat" in value:
                value = value["excl_vat"]
            parts.append(f"{key}={value}")
    if "charging_periods" in body:
        parts.append(f"+{len(body['charging_periods'] or [])} periods")
    if not parts and "objects" in body:
        parts.append(f"{body['objects']} objects in {body.get('pages')} pages")
    return " ".join(parts)


class Printer:
    """An `on_event` callback: human lines, or JSON lines with `json=True`."""

    def __init__(self, json: bool = False, stream: TextIO | None = None, quiet: bool = False):
        self.json = json
        self.quiet = quiet
        self.stream = stream or sys.stdout

    def __call__(self, event: EmspEvent) -> None:
        if self.quiet:
            return
        if self.json:
            self.stream.write(json_dumps({"event": "ocpi", **event.as_json()}) + "\n")
        else:
            arrow = "<-" if event.direction == "in" else "->"
            line = (
                f"{arrow} {event.method:6} {event.module:16} {event.path} {summarize(event.body)}"
            )
            if event.status_code not in (0, 1000):
                line += f" [{event.status_code}]"
            for problem in event.problems:
                line += f"\n   ! {problem}"
            self.stream.write(line.rstrip() + "\n")
        self.stream.flush()

    def note(self, kind: str, **fields: Any) -> None:
        """A line about the simulator itself (registered, pulled, …)."""
        if self.quiet:
            return
        if self.json:
            self.stream.write(json_dumps({"event": kind, **fields}) + "\n")
        else:
            details = " ".join(f"{key}={value}" for key, value in fields.items())
            self.stream.write(f"== {kind} {details}\n")
        self.stream.flush()
