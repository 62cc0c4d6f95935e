"""Functional block K, smart charging, as the station reports it: NotifyChargingLimit (K12),
ClearedChargingLimit (K13), ReportChargingProfiles (K09), NotifyEVChargingNeeds (K15/K17)
and NotifyEVChargingSchedule (K15/K16)."""

from __future__ import annotations

from typing import Any

from csms.common import charger_time
from csms.context import StationContext
from csms.notices import store_notice
from csms.ocppj import ErrorCode, OcppError
from csms.v201.mapping import reported_charging_profiles
from shared.store.station_events import StationEventKind
from shared.store.uow import UnitOfWork
from shared.usecases.station_reports import (
    StationNotice,
    clear_external_constraints,
    record_reported_charging_profiles,
    record_station_notice,
)

__all__ = [
    "on_cleared_charging_limit",
    "on_notify_charging_limit",
    "on_notify_ev_charging_needs",
    "on_notify_ev_charging_schedule",
    "on_report_charging_profiles",
]


async def on_notify_charging_limit(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    """An external system (EMS, DSO…) set a limit; the CSMS only takes note (K12)."""
    limit = payload["chargingLimit"]
    await store_notice(
        ctx,
        StationNotice(
            StationEventKind.CHARGING_LIMIT,
            payload,
            status=limit["chargingLimitSource"],
            evse_id=payload.get("evseId"),
        ),
    )
    return {}


async def on_cleared_charging_limit(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    """The external limit is gone (K13): note it, and the station-reported external
    constraint profiles of that EVSE no longer apply."""
    evse_id = payload.get("evseId")
    notice = StationNotice(
        StationEventKind.CHARGING_LIMIT_CLEARED,
        payload,
        status=payload["chargingLimitSource"],
        evse_id=evse_id,
    )

    async def store(uow: UnitOfWork) -> int:
        await record_station_notice(uow, ctx.station_id, notice)
        return await clear_external_constraints(uow, ctx.station_id, evse_id)

    cleared = await ctx.commit(store)
    ctx.log.info("ocpp.charging_limit.cleared", evse_id=evse_id, profiles_cleared=cleared)
    return {}


async def on_report_charging_profiles(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """One part of the answer to our GetChargingProfiles (K09): each profile is stored as
    installed on the station (source 'station'); the part itself as a station event."""
    profiles = reported_charging_profiles(
        payload, lambda text, field: charger_time(ctx, text, field)
    )
    notice = StationNotice(
        StationEventKind.CHARGING_PROFILES_REPORT,
        {key: value for key, value in payload.items() if key != "chargingProfile"}
        | {"profiles": [profile["id"] for profile in payload["chargingProfile"]]},
        status=payload["chargingLimitSource"],
        request_id=payload["requestId"],
        evse_id=payload["evseId"],
    )

    async def store(uow: UnitOfWork) -> int:
        await record_station_notice(uow, ctx.station_id, notice)
        return await record_reported_charging_profiles(uow, ctx.station_id, profiles)

    stored = await ctx.commit(store)
    ctx.log.info(
        "ocpp.charging_profiles.reported", request_id=payload["requestId"], profiles=stored
    )
    return {}


async def on_notify_ev_charging_needs(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """Store the EV's needs and answer (K15.FR.03–05, K17 the same):

    - needs without AC or DC parameters (K15.FR.06 requires one) leave nothing to plan a
      schedule from: Rejected, reason MissingParam;
    - otherwise Processing: the schedule is not computed while the station waits; whoever
      plans it (the load manager, on StationNoticeReceived kind `ev_charging_needs`) sends a
      TxProfile SetChargingProfile later (K15.FR.07), which the station does not wait for.
    """
    evse_id = payload["evseId"]
    if evse_id <= 0:
        # The field's definition: the EVSE the EV is connected to, never 0 (the station).
        raise OcppError(
            ErrorCode.PropertyConstraintViolation, f"evseId must be > 0 (got {evse_id})"
        )
    needs = payload["chargingNeeds"]
    plannable = "acChargingParameters" in needs or "dcChargingParameters" in needs
    status = "Processing" if plannable else "Rejected"
    await store_notice(
        ctx,
        StationNotice(
            StationEventKind.EV_CHARGING_NEEDS,
            payload | {"answer": status},
            status=status,
            evse_id=evse_id,
        ),
    )
    if plannable:
        return {"status": status}
    return {"status": status, "statusInfo": {"reasonCode": "MissingParam"}}


async def on_notify_ev_charging_schedule(
    ctx: StationContext, payload: dict[str, Any]
) -> dict[str, Any]:
    """The schedule the EV chose within our TxProfile (K15, K16). The station has checked it
    against our limits already (K16.FR.04); it is stored (its periods count from `timeBase`,
    kept in the data) and Accepted."""
    await store_notice(
        ctx,
        StationNotice(
            StationEventKind.EV_CHARGING_SCHEDULE,
            payload,
            evse_id=payload["evseId"],
        ),
    )
    return {"status": "Accepted"}
