"""The demo's terminal output: steps, the commands it runs, and the simulators' lines.

Every line starts with a short label (`demo`, `fleet`, `emsp`) so that the three voices
can be told apart when they interleave. The server's own log goes to a file.
"""

from __future__ import annotations

import io
import os
import sys
from collections import Counter
from typing import Any, TextIO

from simulators.emsp import EmspEvent, Printer
from simulators.emsp.report import summarize

__all__ = ["EmspLines", "LabelledStream", "Say", "shown_path"]

_WIDTH = 5


def shown_path(path: str | os.PathLike[str]) -> str:
    """`path` relative to the working directory when it lies inside it, else absolute."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive (Windows)
        return absolute
    return absolute if relative.startswith("..") else relative


def _label(name: str) -> str:
    return f"{name:<{_WIDTH}} | "


class Say:
    """Prints the demo's own lines."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def __call__(self, text: str = "", label: str = "demo") -> None:
        """One line (or several) under `label`."""
        for line in text.splitlines() or [""]:
            self.stream.write(_label(label) + line + "\n")
        self.stream.flush()

    def command(self, args: list[str]) -> None:
        """Show a `csms` command the demo runs, as an operator would type it."""
        shown = " ".join(a if a and " " not in a else repr(a) for a in args)
        self(f"$ csms {shown}")

    def block(self, title: str, lines: list[str]) -> None:
        """A paragraph without labels (what to try next)."""
        self.stream.write(f"\n{title}\n")
        for line in lines:
            self.stream.write(f"  {line}\n")
        self.stream.write("\n")
        self.stream.flush()


class LabelledStream(io.TextIOBase):
    """A text stream that prints every complete line under a label (the fleet's summary)."""

    def __init__(self, say: Say, label: str) -> None:
        super().__init__()
        self._say = say
        self._label = label
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            self._say(line, self._label)
        return len(text)


class EmspLines(Printer):
    """The eMSP simulator's printer, quieter: location and tariff pushes are only counted
    (twenty stations change status often); sessions, CDRs, commands and notes are shown."""

    _COUNTED = frozenset({"locations", "tariffs"})

    def __init__(self, say: Say) -> None:
        super().__init__(json=False, stream=say.stream)
        self._say = say
        self.counted: Counter[str] = Counter()

    def __call__(self, event: EmspEvent) -> None:
        if event.direction == "in" and event.module in self._COUNTED:
            self.counted[event.module] += 1
            return
        if event.direction == "out" and event.method == "GET":
            return  # our own pulls: the demo says what it found
        arrow = "<-" if event.direction == "in" else "->"
        line = f"{arrow} {event.method} {event.module} {event.path} {summarize(event.body)}"
        if event.status_code not in (0, 1000):
            line += f" [OCPI status {event.status_code}]"
        self._say(line.rstrip(), "emsp")
        for problem in event.problems:
            self._say(f"   ! {problem}", "emsp")

    def note(self, kind: str, **fields: Any) -> None:
        details = " ".join(f"{key}={value}" for key, value in fields.items())
        self._say(f"{kind.replace('_', ' ')} {details}".rstrip(), "emsp")

    def pushes(self) -> str:
        """How many location and tariff pushes arrived so far."""
        return ", ".join(f"{n} {module}" for module, n in sorted(self.counted.items())) or "none"
