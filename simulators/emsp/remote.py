"""Commands and charging profiles the eMSP sends to the CPO's Receiver interfaces.

mod_commands: POST ``{commands}/{CommandType}`` with the command object; the CPO answers a
CommandResponse at once and POSTs a CommandResult to our `response_url` later.
mod_charging_profiles: PUT / DELETE / GET ``{chargingprofiles}/{session_id}``; the CPO
answers a ChargingProfileResponse and POSTs the result to `response_url` later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .client import CpoClient
from .party import PartyState
from .results import PendingRequest, ResultBook
from .schema import check_object
from .store import ReceivedStore
from .tokens import TokenBook, make_token
from .wire import JsonObject, format_datetime, new_id

__all__ = ["RemoteControl"]

_RESULT_TYPES = {
    "set": "ChargingProfileResult",
    "clear": "ClearProfileResult",
    "get": "ActiveChargingProfileResult",
}


class RemoteControl:
    """Sends commands and charging profiles; the simulator inherits it."""

    party: PartyState
    client: CpoClient
    results: ResultBook
    tokens: TokenBook
    store: ReceivedStore

    def _command_token(self, token_uid: str | None, token_type: str) -> JsonObject:
        if token_uid is not None:
            known = self.tokens.get(token_uid, token_type)
            if known is not None:
                return known.token
            return make_token(
                self.party.country_code, self.party.party_id, token_uid, type=token_type
            )
        # mod_commands, *StartSession*: app tokens need not have been pushed before.
        return make_token(
            self.party.country_code,
            self.party.party_id,
            f"APP{new_id().replace('-', '')[:20]}".upper(),
            type="AD_HOC_USER",
            whitelist="NEVER",
        )

    async def send_command(self, command: str, fields: JsonObject) -> PendingRequest:
        """POST `command` with `fields` (response_url added); returns the pending request
        holding the CommandResponse, whose `result()` awaits the CommandResult."""
        pending = self.results.new(
            "commands", command, "CommandResult", self.party.module_url("commands")
        )
        body = {"response_url": pending.response_url, **fields}
        url = self.party.endpoint("commands", "RECEIVER").rstrip("/") + f"/{command}"
        answer = await self.client.request("POST", url, module="commands", body=body)
        answer.raise_for_status(f"POST commands/{command}")
        for problem in check_object("CommandResponse", answer.data, f"{command} response"):
            self.client.report(problem)
        pending.response = answer.data if isinstance(answer.data, dict) else None
        return pending

    async def start_session(
        self,
        location_id: str,
        evse_uid: str | None = None,
        connector_id: str | None = None,
        *,
        token_uid: str | None = None,
        token_type: str = "RFID",
        authorization_reference: str | None = None,
    ) -> PendingRequest:
        """START_SESSION at a location (EVSE and connector optional)."""
        fields: JsonObject = {
            "token": self._command_token(token_uid, token_type),
            "location_id": location_id,
        }
        if evse_uid is not None:
            fields["evse_uid"] = evse_uid
        if connector_id is not None:
            fields["connector_id"] = connector_id
        if authorization_reference is not None:
            fields["authorization_reference"] = authorization_reference
        return await self.send_command("START_SESSION", fields)

    async def stop_session(self, session_id: str) -> PendingRequest:
        """STOP_SESSION of a session the CPO told us about."""
        return await self.send_command("STOP_SESSION", {"session_id": session_id})

    async def reserve_now(
        self,
        location_id: str,
        reservation_id: str,
        expiry: datetime,
        evse_uid: str | None = None,
        *,
        token_uid: str | None = None,
        token_type: str = "RFID",
    ) -> PendingRequest:
        """RESERVE_NOW an EVSE (or any EVSE of the location) until `expiry`."""
        fields: JsonObject = {
            "token": self._command_token(token_uid, token_type),
            "expiry_date": format_datetime(expiry),
            "reservation_id": reservation_id,
            "location_id": location_id,
        }
        if evse_uid is not None:
            fields["evse_uid"] = evse_uid
        return await self.send_command("RESERVE_NOW", fields)

    async def cancel_reservation(self, reservation_id: str) -> PendingRequest:
        """CANCEL_RESERVATION of a reservation made with RESERVE_NOW."""
        return await self.send_command("CANCEL_RESERVATION", {"reservation_id": reservation_id})

    async def unlock_connector(
        self, location_id: str, evse_uid: str, connector_id: str
    ) -> PendingRequest:
        """UNLOCK_CONNECTOR (help desk use only, mod_commands *CommandType*)."""
        return await self.send_command(
            "UNLOCK_CONNECTOR",
            {"location_id": location_id, "evse_uid": evse_uid, "connector_id": connector_id},
        )

    async def _profile_call(
        self, method: str, name: str, session_id: str, body: Any, params: dict[str, str]
    ) -> PendingRequest:
        pending = self.results.new(
            "chargingprofiles",
            name,
            _RESULT_TYPES[name],
            self.party.module_url("chargingprofiles"),
        )
        url = self.party.endpoint("chargingprofiles", "RECEIVER").rstrip("/") + f"/{session_id}"
        if body is not None:
            body = {**body, "response_url": pending.response_url}
        else:
            params = {**params, "response_url": pending.response_url}
        answer = await self.client.request(
            method, url, module="chargingprofiles", body=body, params=params
        )
        answer.raise_for_status(f"{method} chargingprofiles/{session_id}")
        for problem in check_object("ChargingProfileResponse", answer.data, f"{name} response"):
            self.client.report(problem)
        pending.response = answer.data if isinstance(answer.data, dict) else None
        return pending

    async def set_charging_profile(
        self, session_id: str, profile: JsonObject | None = None, *, limit: float | None = None
    ) -> PendingRequest:
        """PUT a ChargingProfile on a session; `limit` alone makes a flat profile in W."""
        if profile is None:
            if limit is None:
                raise ValueError("give a profile or a limit")
            profile = {
                "charging_rate_unit": "W",
                "charging_profile_period": [{"start_period": 0, "limit": limit}],
            }
        pending = await self._profile_call(
            "PUT", "set", session_id, {"charging_profile": profile}, {}
        )
        if pending.accepted:
            self.store.profiles_set.add(session_id)
        return pending

    async def clear_charging_profile(self, session_id: str) -> PendingRequest:
        """DELETE the profile we set on a session."""
        return await self._profile_call("DELETE", "clear", session_id, None, {})

    async def get_active_charging_profile(
        self, session_id: str, duration: int = 900
    ) -> PendingRequest:
        """GET the ActiveChargingProfile of a session for the next `duration` seconds."""
        return await self._profile_call("GET", "get", session_id, None, {"duration": str(duration)})
