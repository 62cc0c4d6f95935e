"""structlog set-up: readable lines on a terminal, JSON lines otherwise.

Log events are dotted names (`ocpp.call.received`, `ocpi.push.failed`); context such as
`station_id` is bound with `log.bind(...)` so every line about a station carries it.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal, cast

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
    """A bound logger; `name` is recorded as `logger` when given.

    Modules take their logger at import time, before `configure_logging` has run; the
    logger is therefore built on first use, with the configuration of that moment (a logger
    bound at import would keep structlog's defaults: console output, every level).
    """
    return cast(structlog.typing.FilteringBoundLogger, _LazyLogger(name))


class _LazyLogger:
    """Binds `logger=name` on first use; later uses go straight to the bound logger's
    methods (each is cached on the instance after its first lookup)."""

    def __init__(self, name: str | None) -> None:
        self._name = name
        self._bound: structlog.typing.FilteringBoundLogger | None = None

    def __getattr__(self, attribute: str) -> Any:
        bound = self._bound
        if bound is None:
            logger: structlog.typing.FilteringBoundLogger = structlog.get_logger()
            bound = self._bound = logger.bind(logger=self._name) if self._name else logger
        value = getattr(bound, attribute)
        setattr(self, attribute, value)
        return value
