"""Helpers for the operator API and CLI tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
from click.testing import CliRunner, Result

from cli.main import cli
from cli.node import Node
from shared.config import DatabaseSettings

__all__ = ["ADMIN_TOKEN", "CliRun", "admin", "cli_env", "json_out", "server_args"]

ADMIN_TOKEN = "s3cret-admin-token"


class _ByThread:
    """A stream that sends the writes of one thread to `mine` and all others to `theirs`."""

    def __init__(self, mine: Any, theirs: Any) -> None:
        self._owner = threading.get_ident()
        self._mine = mine
        self._theirs = theirs

    def __getattr__(self, name: str) -> Any:
        target = self._mine if threading.get_ident() == self._owner else self._theirs
        return getattr(target, name)


class ThreadCliRunner(CliRunner):
    """CliRunner for a command run in a worker thread while the node logs on the loop's
    thread: only the command's own output is captured (CliRunner swaps `sys.stdout` for the
    whole process, and structlog prints to whatever `sys.stdout` is)."""

    @contextlib.contextmanager
    def isolation(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        outer_out, outer_err = sys.stdout, sys.stderr
        with super().isolation(*args, **kwargs) as streams:
            sys.stdout = _ByThread(sys.stdout, outer_out)  # type: ignore[assignment]
            sys.stderr = _ByThread(sys.stderr, outer_err)  # type: ignore[assignment]
            yield streams


@dataclass
class CliRun:
    """Runs `csms` in a worker thread, so the node keeps serving on the test's loop."""

    env: dict[str, str | None]

    async def __call__(self, *args: str) -> Result:
        runner = ThreadCliRunner()
        return await asyncio.to_thread(
            runner.invoke, cli, list(args), env=self.env, catch_exceptions=False
        )


def cli_env(database: DatabaseSettings, **extra: str) -> dict[str, str | None]:
    """An environment without stray `CSMS_*` variables, pointing at `database`."""
    env: dict[str, str | None] = {name: None for name in os.environ if name.startswith("CSMS_")}
    env["CSMS_DATABASE__URL"] = database.url
    if database.schema_name:
        env["CSMS_DATABASE__SCHEMA_NAME"] = database.schema_name
    env.update(extra)
    return env


def server_args(node: Node, token: str | None = ADMIN_TOKEN) -> list[str]:
    """`--server URL [--token T]` for the running node."""
    args = ["--server", f"http://127.0.0.1:{node.http_port}"]
    if token is not None:
        args += ["--token", token]
    return args


def json_out(result: Result) -> Any:
    """The command's stdout as JSON (fails the test with the output when it is not)."""
    try:
        return json.loads(result.stdout)
    except ValueError as exc:
        raise AssertionError(f"not JSON: {result.stdout!r} / {result.stderr!r}") from exc


async def admin(
    node: Node,
    method: str,
    path: str,
    *,
    token: str | None = ADMIN_TOKEN,
    body: object = None,
    raw: bytes | None = None,
) -> tuple[int, Any, aiohttp.typedefs.LooseHeaders]:
    """One request to the node's `/admin` API: (status, decoded JSON, headers)."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    url = f"http://127.0.0.1:{node.http_port}/admin{path}"
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, url, headers=headers, json=body if raw is None else None, data=raw
        ) as response,
    ):
        text = await response.text()
        return response.status, json.loads(text) if text else None, response.headers
