"""The asynchronous half of a partner's command: wait for the charger's answer, then POST
the result to the command's `response_url` (mod_commands, *CommandResult*; the
chargingprofiles results use the same path with their own body).

Each relay is a task that lives at most `timeout` plus one partner call; tasks are kept in
a set so they are not collected while running and can be cancelled (`cancel_all`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ocpi_gateway.errors import PartnerCallError
from ocpi_gateway.routing import OcpiRequest, Party
from shared.commands import CommandRecord, CommandService
from shared.logging import get_logger
from shared.store.partners import get_secrets

__all__ = ["ResultBody", "cancel_all", "relay_result"]

log = get_logger("laddpunkt.ocpi.command_results")

#: The body to POST for a finished (or timed out: None) command record.
ResultBody = Callable[[CommandRecord | None], Awaitable[dict[str, Any]]]

_RUNNING: set[asyncio.Task[None]] = set()


def _parties(request: OcpiRequest) -> tuple[Party | None, Party]:
    """(to, from) for the result: the party that sent the command, and us
    (transport_and_format, *Message Routing*: requests carry both)."""
    identity = request.services.identity
    to_party = request.context.from_party
    main = request.context.partner.party
    if to_party is None and main is not None:
        to_party = Party(main.country_code.upper(), main.party_id.upper())
    return to_party, Party(identity.country_code, identity.party_id)


async def _relay(
    commands: CommandService,
    request: OcpiRequest,
    command_id: str,
    response_url: str,
    timeout: float,  # noqa: ASYNC109 (how long the charger may take)
    body: ResultBody,
) -> None:
    partner = request.context.partner
    record = await commands.wait(command_id, timeout)
    if record is not None and not record.finished:
        record = None
    document = await body(record)
    async with request.services.database.read() as conn:
        token = (await get_secrets(conn, partner.id)).outgoing_token
    if token is None:
        log.warning("ocpi.command_result.no_token", partner=partner.id, command=command_id)
        return
    try:
        to_party, from_party = _parties(request)
        await request.client.call(
            "POST",
            response_url,
            token,
            base64=partner.outgoing_token_base64,
            body=document,
            to_party=to_party,
            from_party=from_party,
        )
    except PartnerCallError as exc:
        log.warning("ocpi.command_result.undelivered", command=command_id, error=str(exc))
        return
    log.info("ocpi.command_result.sent", command=command_id, result=document.get("result"))


def relay_result(
    commands: CommandService,
    request: OcpiRequest,
    command_id: str,
    response_url: str,
    timeout: float,
    body: ResultBody,
) -> asyncio.Task[None]:
    """Start relaying the result of `command_id` (asked by `request`) to `response_url`."""
    task = asyncio.create_task(
        _relay(commands, request, command_id, response_url, timeout, body),
        name=f"ocpi-result-{command_id}",
    )
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    return task


async def cancel_all() -> None:
    """Cancel the relays still running (when the app stops)."""
    tasks = list(_RUNNING)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
