"""OCPI 2.2.1 *CDRs* module (mod_cdrs).

`ChargingPeriod`, `CdrDimension` and `CdrToken` are also used by Sessions.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from .base import OcpiEnum, OcpiModel
from .common import Price
from .location_classes import GeoLocation
from .location_enums import ConnectorFormat, ConnectorType, PowerType
from .primitives import (
    Boolean,
    CiString2,
    CiString3,
    CiString32,
    CiString36,
    CiString39,
    CiString48,
    DateTime,
    Int,
    Number,
    String3,
    String10,
    String20,
    String45,
    String255,
    String512,
    String5000,
)
from .shared_enums import TokenType
from .tariffs import Tariff

__all__ = [
    "CDR",
    "AuthMethod",
    "CdrDimension",
    "CdrDimensionType",
    "CdrLocation",
    "CdrToken",
    "ChargingPeriod",
    "SignedData",
    "SignedValue",
]


class AuthMethod(OcpiEnum):
    """*AuthMethod* enum: how a session was authorized."""

    AUTH_REQUEST = "AUTH_REQUEST"
    COMMAND = "COMMAND"
    WHITELIST = "WHITELIST"


class CdrDimensionType(OcpiEnum):
    """*CdrDimensionType* enum: what a CdrDimension measures."""

    CURRENT = "CURRENT"
    ENERGY = "ENERGY"
    ENERGY_EXPORT = "ENERGY_EXPORT"
    ENERGY_IMPORT = "ENERGY_IMPORT"
    MAX_CURRENT = "MAX_CURRENT"
    MIN_CURRENT = "MIN_CURRENT"
    MAX_POWER = "MAX_POWER"
    MIN_POWER = "MIN_POWER"
    PARKING_TIME = "PARKING_TIME"
    POWER = "POWER"
    RESERVATION_TIME = "RESERVATION_TIME"
    STATE_OF_CHARGE = "STATE_OF_CHARGE"
    TIME = "TIME"

    @property
    def session_only(self) -> bool:
        """True for the values in the spec's "Session Only" column: allowed in
        Sessions, never in a CDR."""
        return self in _SESSION_ONLY


_SESSION_ONLY = frozenset(
    {
        CdrDimensionType.CURRENT,
        CdrDimensionType.ENERGY_EXPORT,
        CdrDimensionType.ENERGY_IMPORT,
        CdrDimensionType.POWER,
        CdrDimensionType.STATE_OF_CHARGE,
    }
)


class CdrDimension(OcpiModel):
    """*CdrDimension* class: one measured value of a charging period."""

    type: CdrDimensionType
    """Type of CDR dimension."""
    volume: Number
    """The amount, in the unit the dimension type defines."""


class ChargingPeriod(OcpiModel):
    """*ChargingPeriod* class: what was measured from one moment until the
    next period (or the session's end)."""

    start_date_time: DateTime
    """When this period begins; it lasts until the next one begins."""
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]
    """The measured values of this period."""
    tariff_id: CiString36 | None = None
    """The Tariff relevant for this period; absent means none."""


class CdrToken(OcpiModel):
    """*CdrToken* class: the token of a session, as recorded in it."""

    country_code: CiString2
    """Country (ISO 3166 alpha-2) of the eMSP owning the token."""
    party_id: CiString3
    """ID of the eMSP that owns this Token (ISO-15118)."""
    uid: CiString36
    """The token's identifier (for RFID: the ID the reader sees)."""
    type: TokenType
    """Type of the token."""
    contract_id: CiString36
    """The EV driver's contract ID within the eMSP platform."""


class CdrLocation(OcpiModel):
    """*CdrLocation* class: the Location, EVSE and Connector of a CDR.

    Note the shorter limits than in Location: address string(45) and state
    string(20), as the spec's table gives them.
    """

    id: CiString36
    """The Location's id."""
    name: String255 | None = None
    """The location's name, as shown to drivers."""
    address: String45
    """Street and, where there is one, house number."""
    city: String45
    """City or town."""
    postal_code: String10 | None = None
    """Postal code, omitted only when the location has none."""
    state: String20 | None = None
    """State, only when relevant."""
    country: String3
    """ISO 3166-1 alpha-3 code of the country."""
    coordinates: GeoLocation
    """Coordinates of the location."""
    evse_uid: CiString36
    """EVSE.uid; ``#NA`` when a reservation never turned into a session."""
    evse_id: CiString48
    """The eMI3 EVSE ID (``#NA`` likewise)."""
    connector_id: CiString36
    """The Connector's id (``#NA`` likewise)."""
    connector_standard: ConnectorType
    """Plug/socket standard of the connector used."""
    connector_format: ConnectorFormat
    """Socket or fixed cable."""
    connector_power_type: PowerType
    """The power type of the connector."""


class SignedValue(OcpiModel):
    """*SignedValue* class: a signed and the plain (unsigned) data."""

    nature: CiString32
    """Which reading this is, e.g. Start, End, Intermediate."""
    plain_data: String5000
    """The un-encoded data; format per encoding method."""
    signed_data: String5000
    """The signature blob, in base64."""


class SignedData(OcpiModel):
    """*SignedData* class: signed meter values (e.g. German Eichrecht)."""

    encoding_method: CiString36
    """Name of the encoding used, e.g. OCMF."""
    encoding_method_version: Int | None = None
    """Version of the encoding method, when applicable."""
    public_key: String512 | None = None
    """The signer's public key, in base64."""
    signed_values: Annotated[list[SignedValue], Field(min_length=1)]
    """The signed readings, at least one."""
    url: String512 | None = None
    """URL where the EV driver can check the signed data."""


class CDR(OcpiModel):
    """*CDR* object: the final, billable account of one session."""

    country_code: CiString2
    """Country (ISO 3166 alpha-2) of the CPO owning the CDR."""
    party_id: CiString3
    """ID of the CPO that owns this CDR (ISO-15118)."""
    id: CiString39
    """Unique ID per country_code/party_id (39 to allow credit CDR suffixes)."""
    start_date_time: DateTime
    """Start of the charging session (or of the reservation)."""
    end_date_time: DateTime
    """When the session was completed/finished."""
    session_id: CiString36 | None = None
    """The Session this CDR is for, if any."""
    cdr_token: CdrToken
    """The token the session was started with."""
    auth_method: AuthMethod
    """Method used for authentication (the last one, if several)."""
    authorization_reference: CiString36 | None = None
    """The last authorization reference given by the eMSP for this session."""
    cdr_location: CdrLocation
    """Location, EVSE and Connector where the session took place."""
    meter_id: String255 | None = None
    """Identifier of the Charge Point's meter."""
    currency: String3
    """Currency of all amounts (ISO 4217)."""
    tariffs: list[Tariff] | None = None
    """The relevant Tariffs, as they were at the start of the session."""
    charging_periods: Annotated[list[ChargingPeriod], Field(min_length=1)]
    """The session's charging periods, at least one."""
    signed_data: SignedData | None = None
    """Signed meter data for the session, if any."""
    total_cost: Price
    """Everything the session costs."""
    total_fixed_cost: Price | None = None
    """Total of the fixed costs, except those of parking and reservation."""
    total_energy: Number
    """kWh delivered in the whole session."""
    total_energy_cost: Price | None = None
    """Total cost of the energy used."""
    total_time: Number
    """Total duration of the session (charging and not), in hours."""
    total_time_cost: Price | None = None
    """Total cost related to the duration of charging."""
    total_parking_time: Number | None = None
    """Total duration of the session not charging, in hours."""
    total_parking_cost: Price | None = None
    """Total cost related to parking, fixed components included."""
    total_reservation_cost: Price | None = None
    """Reservation cost, flat fees included."""
    remark: String255 | None = None
    """Human readable remark, e.g. why the transaction was stopped."""
    invoice_reference_id: CiString39 | None = None
    """Reference to an invoice that will later be sent for this CDR."""
    credit: Boolean | None = None
    """True for a Credit CDR; then `credit_reference_id` is required."""
    credit_reference_id: CiString39 | None = None
    """For a Credit CDR: the id of the CDR it credits."""
    home_charging_compensation: Boolean | None = None
    """True for a session on the driver's home charger, to be compensated."""
    last_updated: DateTime
    """When the CDR was created or last changed."""

    @model_validator(mode="after")
    def _credit_has_reference(self) -> Self:
        # CDR, credit: a Credit CDR (credit true) must also carry
        # credit_reference_id.
        if self.credit and self.credit_reference_id is None:
            raise ValueError("credit_reference_id must be set for a credit CDR")
        return self

    @model_validator(mode="after")
    def _no_session_only_dimensions(self) -> Self:
        # CdrDimensionType: the values of the "Session Only" column are for
        # Sessions and must not appear in a CDR.
        for period in self.charging_periods:
            for dimension in period.dimensions:
                if dimension.type.session_only:
                    raise ValueError(
                        f"dimension {dimension.type} may only be used in Sessions, not in a CDR"
                    )
        return self
