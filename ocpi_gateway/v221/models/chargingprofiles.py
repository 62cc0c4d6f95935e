"""OCPI 2.2.1 *Charging Profiles* module (mod_charging_profiles).

The eMSP (or SCSP) GETs, PUTs (`SetChargingProfile`) or DELETEs a profile on
the CPO; the CPO answers at once with a `ChargingProfileResponse` and later
POSTs an `ActiveChargingProfileResult`, `ChargingProfileResult` or
`ClearProfileResult` to the request's `response_url`.

`min_charging_rate` and `limit` take one fractional digit at most (8.1, not
8.15), as their descriptions say: more decimals are refused.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from .base import OcpiEnum, OcpiModel
from .primitives import URL, DateTime, Int, number_with_places

__all__ = [
    "ActiveChargingProfile",
    "ActiveChargingProfileResult",
    "ChargingProfile",
    "ChargingProfilePeriod",
    "ChargingProfileResponse",
    "ChargingProfileResponseType",
    "ChargingProfileResult",
    "ChargingProfileResultType",
    "ChargingRateUnit",
    "ClearProfileResult",
    "SetChargingProfile",
]

#: A number with at most one fractional digit.
Rate = Annotated[Decimal, number_with_places(1)]


class ChargingRateUnit(OcpiEnum):
    """*ChargingRateUnit* enum: W is total power, A is current per phase."""

    W = "W"
    A = "A"


class ChargingProfileResponseType(OcpiEnum):
    """*ChargingProfileResponseType* enum: the CPO's immediate answer."""

    ACCEPTED = "ACCEPTED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TOO_OFTEN = "TOO_OFTEN"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class ChargingProfileResultType(OcpiEnum):
    """*ChargingProfileResultType* enum: the EVSE's result."""

    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    UNKNOWN = "UNKNOWN"


class ChargingProfilePeriod(OcpiModel):
    """*ChargingProfilePeriod* class: one limit from a moment on."""

    start_period: Int
    """Offset in seconds from the profile's start; it also ends the previous period."""
    limit: Rate
    """Charging rate limit in the profile's unit, at most one decimal."""


class ChargingProfile(OcpiModel):
    """*ChargingProfile* class: a schedule of power or current limits."""

    start_date_time: DateTime | None = None
    """Start of an absolute profile; absent means relative to charging start."""
    duration: Int | None = None
    """Duration of the profile in seconds; absent means indefinitely."""
    charging_rate_unit: ChargingRateUnit
    """The unit of measure."""
    min_charging_rate: Rate | None = None
    """Lowest rate the EV can charge at, at most one decimal."""
    charging_profile_period: list[ChargingProfilePeriod] | None = None
    """The successive limits over time."""


class ActiveChargingProfile(OcpiModel):
    """*ActiveChargingProfile* class: the profile a Charge Point computed."""

    start_date_time: DateTime
    """When the Charge Point calculated this profile; times are relative to it."""
    charging_profile: ChargingProfile
    """The charging periods."""


class ChargingProfileResponse(OcpiModel):
    """*ChargingProfileResponse* object: sent in the HTTP response."""

    result: ChargingProfileResponseType
    """The CPO's verdict on the request."""
    timeout: Int
    """Timeout for this request in seconds."""


class ActiveChargingProfileResult(OcpiModel):
    """*ActiveChargingProfileResult* object: result of a GET."""

    result: ChargingProfileResultType
    """Whether the EVSE could process the request."""
    profile: ActiveChargingProfile | None = None
    """The requested profile, when `result` is ACCEPTED."""


class ChargingProfileResult(OcpiModel):
    """*ChargingProfileResult* object: result of a PUT (SetChargingProfile)."""

    result: ChargingProfileResultType
    """Whether the EVSE could process the new/updated profile."""


class ClearProfileResult(OcpiModel):
    """*ClearProfileResult* object: result of a DELETE (ClearProfile)."""

    result: ChargingProfileResultType
    """Whether the EVSE could remove the profile."""


class SetChargingProfile(OcpiModel):
    """*SetChargingProfile* object: the body of a PUT."""

    charging_profile: ChargingProfile
    """The profile to apply."""
    response_url: URL
    """Where the ChargingProfileResult is to be POSTed."""
