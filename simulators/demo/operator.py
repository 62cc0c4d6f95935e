"""The operator's side of the demo: the `csms` commands one would type, and bulk set-up.

Importing the location and the tariff and inviting the partner run the real `csms`
commands (the demo prints them), so they are checked as a user would meet them. Twenty
stations and ten tokens go through the same operator API those commands use (`/admin/`),
in one HTTP session: twenty-odd processes would take longer than the rest of the start.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

from .output import Say, shown_path
from .serve import DemoError, csms_executable

__all__ = ["Operator", "StationPlan"]

StationPlan = tuple[str, str]  # (station id, OCPP version)


class Operator:
    """Runs `csms` commands and operator-API calls against the demo's server."""

    def __init__(self, env: Mapping[str, str], http_url: str, say: Say) -> None:
        self._env = dict(env)
        self._admin = f"{http_url}/admin"
        self._say = say
        token = env.get("CSMS_HTTP__ADMIN_TOKEN")
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def csms(self, *args: str, show: bool = True) -> str:
        """Run `csms ARGS`; its stdout. Raises DemoError when it fails."""
        if show:
            self._say.command(list(args))
        process = await asyncio.create_subprocess_exec(
            csms_executable(),
            *args,
            env=self._env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        if process.returncode != 0:
            detail = (err or out).decode(errors="replace").strip()
            raise DemoError(f"`csms {' '.join(args)}` failed ({process.returncode}): {detail}")
        return out.decode(errors="replace")

    async def import_document(self, kind: str, path: Path) -> str:
        """`csms locations|tariffs import FILE`; the id of the object it holds."""
        document = json.loads(await asyncio.to_thread(path.read_text, encoding="utf-8"))
        output = await self.csms(kind, "import", shown_path(path))
        for line in output.strip().splitlines():
            self._say(f"  {line}")
        return str(document["id"])

    async def invite(self, name: str) -> tuple[str, str]:
        """`csms partners invite --name NAME --json`: (token A, versions URL)."""
        answer = json.loads(await self.csms("partners", "invite", "--name", name, "--json"))
        return str(answer["token_a"]), str(answer["versions_url"])

    async def provision(
        self,
        stations: Sequence[StationPlan],
        location_id: str,
        tariff_id: str,
        tokens: Sequence[str],
    ) -> None:
        """Register `stations` (`csms stations add ID --version V`), link each to the
        location (`csms locations link LOC ID --tariff T`) and add `tokens`."""
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout, headers=self._headers) as http:
            for station_id, version in stations:
                await self._call(http, "PUT", f"/stations/{_seg(station_id)}", {"version": version})
                path = f"/locations/{_seg(location_id)}/stations/{_seg(station_id)}"
                await self._call(http, "POST", path, {"tariff_id": tariff_id})
            for token in tokens:
                await self._call(http, "POST", "/tokens", {"id_token": token})

    async def _call(self, http: aiohttp.ClientSession, method: str, path: str, body: Any) -> Any:
        try:
            async with http.request(method, self._admin + path, json=body) as answer:
                text = await answer.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DemoError(f"{method} /admin{path} failed: {error!r}") from None
        if answer.status >= 300:
            raise DemoError(f"{method} /admin{path} answered {answer.status}: {text}")
        return json.loads(text) if text else None


def _seg(value: str) -> str:
    return quote(value, safe="")
