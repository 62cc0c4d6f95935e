"""structlog set-up: readable lines on a terminal, JSON lines otherwise.

Log events are dotted names (`ocpp.call.received`, `ocpi.push.failed`); context such as
`station_id` is bound with `log.bind(...)` so every line about a station carries it.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

import structlog

__all__ = ["configure_logging", "get_logger"]

_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING}


def configure_logging(
    level: str = "INFO", fmt: Literal["auto", "console", "json"] = "auto"
) -> None:
    """Configure structlog and the standard library's root logger."""
    numeric = _LEVELS.get(level.upper(), logging.ERROR)
    use_console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    shared_processors: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.typing.Processor
    if use_console:
        renderer = structlog.dev.ConsoleRenderer()
    else:
        renderer = structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[
            *shared_processors,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=max(numeric, logging.WARNING), stream=sys.stderr, force=True)


def get_logger(name: str | None = None) -> structlog.typing.FilteringBoundLogger:
    """A bound logger; `name` is recorded as `logger` when given."""
    log: structlog.typing.FilteringBoundLogger = structlog.get_logger()
    return log.bind(logger=name) if name else log
