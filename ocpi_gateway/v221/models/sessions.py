"""OCPI 2.2.1 *Sessions* module (mod_sessions).

PATCH bodies: `SessionPatch`, which must carry `last_updated`; its
`charging_periods` are added to the existing ones, not put in their place
(mod_sessions, *PATCH*) — `OcpiPatch.apply_to` does that.
"""

from __future__ import annotations

from typing import ClassVar

from .base import OcpiEnum, OcpiModel
from .cdrs import AuthMethod, CdrToken, ChargingPeriod
from .common import Price
from .patch import patch_model
from .primitives import (
    Boolean,
    CiString2,
    CiString3,
    CiString36,
    DateTime,
    Number,
    String3,
    String255,
)
from .shared_enums import ProfileType

__all__ = [
    "ChargingPreferences",
    "ChargingPreferencesResponse",
    "ProfileType",
    "Session",
    "SessionPatch",
    "SessionStatus",
]


class SessionStatus(OcpiEnum):
    """*SessionStatus* enum."""

    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    INVALID = "INVALID"
    PENDING = "PENDING"
    RESERVATION = "RESERVATION"


class ChargingPreferencesResponse(OcpiEnum):
    """*ChargingPreferencesResponse* enum: the answer to a PUT of preferences."""

    ACCEPTED = "ACCEPTED"
    DEPARTURE_REQUIRED = "DEPARTURE_REQUIRED"
    ENERGY_NEED_REQUIRED = "ENERGY_NEED_REQUIRED"
    NOT_POSSIBLE = "NOT_POSSIBLE"
    PROFILE_TYPE_NOT_SUPPORTED = "PROFILE_TYPE_NOT_SUPPORTED"


class ChargingPreferences(OcpiModel):
    """*ChargingPreferences* object: the driver's wishes for a session."""

    profile_type: ProfileType
    """The driver's choice of smart charging profile."""
    departure_time: DateTime | None = None
    """Expected departure, an estimate."""
    energy_need: Number | None = None
    """kWh the driver wants."""
    discharge_allowed: Boolean | None = None
    """Whether the EV may be discharged when needed (absent means false)."""


class Session(OcpiModel):
    """*Session* object: one charging session, while it happens."""

    patch_required_fields: ClassVar[tuple[str, ...]] = ("last_updated",)
    patch_append_fields: ClassVar[tuple[str, ...]] = ("charging_periods",)

    country_code: CiString2
    """Country (ISO 3166 alpha-2) of the CPO owning the session."""
    party_id: CiString3
    """ID of the CPO that owns this Session (ISO-15118)."""
    id: CiString36
    """Session ID, unique at the CPO."""
    start_date_time: DateTime
    """When the session became ACTIVE (when PENDING: when it was created)."""
    end_date_time: DateTime | None = None
    """When the session was completed/finished."""
    kwh: Number
    """kWh delivered so far."""
    cdr_token: CdrToken
    """The token the session was started with."""
    auth_method: AuthMethod
    """Method used for authentication."""
    authorization_reference: CiString36 | None = None
    """The last authorization reference given by the eMSP for this session."""
    location_id: CiString36
    """Location.id of the Location of this session."""
    evse_uid: CiString36
    """EVSE.uid of the EVSE (``#NA`` for a reservation without EVSE)."""
    connector_id: CiString36
    """Connector.id of the Connector (``#NA`` likewise)."""
    meter_id: String255 | None = None
    """Identifier of the meter, if known."""
    currency: String3
    """Currency of all amounts (ISO 4217)."""
    charging_periods: list[ChargingPeriod] | None = None
    """Periods from which the cost can be worked out."""
    total_cost: Price | None = None
    """Total cost so far; absent does not mean free of charge."""
    status: SessionStatus
    """Where the session stands."""
    last_updated: DateTime
    """When the session was created or last changed."""


SessionPatch = patch_model(Session)
