"""Parse + validate cost per incoming OCPP message: our compiled validators vs the ocpp library.

Run: ``.venv/bin/python -m bench.bench_validation``. For each typical message it prints the
microseconds per message for parsing the frame, validating the payload, both together, and
the same work done the ``ocpp`` library's way (``json`` + jsonschema ``Draft4Validator``, as
``ocpp.messages.unpack`` and ``validate_payload`` do it, run in-line). It also prints how long
compiling every schema takes (:func:`csms.ocppj.warm_up`) and the core count.
"""

from __future__ import annotations

import os
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from ocpp import messages as ocpp_messages

from csms.ocppj import call_frame, get_validator, parse_frame, warm_up
from csms.ocppj.frames import Call

__all__ = ["main"]


@dataclass(frozen=True)
class Case:
    """One benchmarked message."""

    name: str
    version: str
    frame: str


def _meter_values_16() -> dict[str, Any]:
    samples = [
        ("Energy.Active.Import.Register", "Wh", None, "123456.7"),
        ("Power.Active.Import", "W", None, "11040.5"),
        ("Current.Import", "A", "L1", "16.02"),
        ("Current.Import", "A", "L2", "15.98"),
        ("Current.Import", "A", "L3", "16.10"),
        ("Voltage", "V", "L1-N", "230.1"),
        ("Voltage", "V", "L2-N", "229.8"),
        ("Voltage", "V", "L3-N", "231.0"),
        ("Temperature", "Celsius", None, "38.5"),
        ("Frequency", None, None, "50.01"),
    ]
    sampled = []
    for measurand, unit, phase, value in samples:
        item: dict[str, Any] = {
            "value": value,
            "context": "Sample.Periodic",
            "format": "Raw",
            "measurand": measurand,
            "location": "Outlet",
        }
        if unit is not None:
            item["unit"] = unit
        if phase is not None:
            item["phase"] = phase
        sampled.append(item)
    return {
        "connectorId": 1,
        "transactionId": 4711,
        "meterValue": [{"timestamp": "2026-03-01T12:00:00.000Z", "sampledValue": sampled}],
    }


def _transaction_event_201() -> dict[str, Any]:
    return {
        "eventType": "Updated",
        "timestamp": "2026-03-01T12:00:00.000Z",
        "triggerReason": "MeterValuePeriodic",
        "seqNo": 7,
        "transactionInfo": {"transactionId": "b3c1e5d2-4f6a-4c8e-9a1b-2d3e4f5a6b7c"},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [
            {
                "timestamp": "2026-03-01T12:00:00.000Z",
                "sampledValue": [
                    {"value": 123456.7, "measurand": "Energy.Active.Import.Register"},
                    {"value": 11040.5, "measurand": "Power.Active.Import"},
                    {"value": 16.02, "measurand": "Current.Import", "phase": "L1"},
                    {"value": 230.1, "measurand": "Voltage", "phase": "L1-N"},
                    {"value": 54, "measurand": "SoC"},
                ],
            }
        ],
    }


def cases() -> list[Case]:
    """The messages a busy CSMS sees most."""
    status_16 = {"connectorId": 1, "errorCode": "NoError", "status": "Charging"}
    return [
        Case(
            "1.6 MeterValues (10 samples)",
            "1.6",
            call_frame("m1", "MeterValues", _meter_values_16()),
        ),
        Case("1.6 Heartbeat", "1.6", call_frame("h1", "Heartbeat", {})),
        Case("1.6 StatusNotification", "1.6", call_frame("s1", "StatusNotification", status_16)),
        Case(
            "2.0.1 TransactionEvent Updated",
            "2.0.1",
            call_frame("t1", "TransactionEvent", _transaction_event_201()),
        ),
    ]


def _ours(case: Case) -> tuple[Callable[[], object], Callable[[], object]]:
    validator = get_validator(case.version)
    call = parse_frame(case.frame)
    assert isinstance(call, Call)

    def both() -> object:
        frame = parse_frame(case.frame)
        assert isinstance(frame, Call)
        return validator.validate_request(frame.action, frame.payload)

    def validate_only() -> object:
        return validator.validate_request(call.action, call.payload)

    return both, validate_only


def _library(case: Case) -> Callable[[], object]:
    def both() -> object:
        message = ocpp_messages.unpack(case.frame)
        ocpp_messages._validate_payload(message, case.version)
        return message

    return both


def _micros(func: Callable[[], object]) -> float:
    """Best of several runs, in µs per call."""
    timer = timeit.Timer(func)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=5, number=number)) / number * 1e6


def main() -> None:
    """Print the figures."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"cores available: {cores} (os.cpu_count() = {os.cpu_count()})")
    timer = timeit.default_timer()
    compiled = warm_up()
    print(f"warm_up(): compiled {compiled} validators in {timeit.default_timer() - timer:.2f} s")
    print()
    columns = ("bytes", 6), ("parse", 8), ("validate", 9), ("ours", 8), ("ocpp lib", 9), ("x", 6)
    header = f"{'message':32}" + "".join(f" {name:>{width}}" for name, width in columns)
    print(header)
    print("-" * len(header))
    for case in cases():
        both, validate_only = _ours(case)
        ours = _micros(both)
        check = _micros(validate_only)
        parse = _micros(partial(parse_frame, case.frame))
        library = _library(case)
        library()  # load and cache its validator outside the timing
        theirs = _micros(library)
        print(
            f"{case.name:32} {len(case.frame):>6} {parse:>7.1f}µ {check:>8.1f}µ "
            f"{ours:>7.1f}µ {theirs:>8.1f}µ {theirs / ours:>5.1f}x"
        )
    print()
    print("µs per message, best of 5 runs; 'ours' = parse_frame + validate_request,")
    print("'ocpp lib' = ocpp.messages.unpack + jsonschema validation in-line (no thread pool).")


if __name__ == "__main__":
    main()
