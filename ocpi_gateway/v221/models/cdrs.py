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
        """True for the values the spec marks "Session Only": they "SHALL
        therefore only be used in Sessions", never in a CDR."""
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
    """Volume of the dimension consumed, in the dimension type's unit."""


class ChargingPeriod(OcpiModel):
    """*ChargingPeriod* class: values of one period of a session; a period
    ends when the next one starts."""

    start_date_time: DateTime
    """Start timestamp of the charging period."""
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]
    """List of relevant values for this charging period."""
    tariff_id: CiString36 | None = None
    """The Tariff relevant for this period; absent means none."""


class CdrToken(OcpiModel):
    """*CdrToken* class: the token of a session, as recorded in it."""

    country_code: CiString2
    """ISO-3166 alpha-2 country code of the eMSP that owns this Token."""
    party_id: CiString3
    """ID of the eMSP that owns this Token (ISO-15118)."""
    uid: CiString36
    """Unique ID by which this Token can be identified."""
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
    """Display name of the location."""
    address: String45
    """Street/block name and house number if available."""
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
    """The EVSE's uid (``#NA`` for a reservation that never became a session)."""
    evse_id: CiString48
    """The eMI3 EVSE ID (``#NA`` likewise)."""
    connector_id: CiString36
    """The Connector's id (``#NA`` likewise)."""
    connector_standard: ConnectorType
    """The standard of the installed connector."""
    connector_format: ConnectorFormat
    """The format (socket/cable) of the installed connector."""
    connector_power_type: PowerType
    """The power type of the connector."""


class SignedValue(OcpiModel):
    """*SignedValue* class: a signed and the plain (unsigned) data."""

    nature: CiString32
    """The event this value belongs to, e.g. Start, End, Intermediate."""
    plain_data: String5000
    """The un-encoded data; format per encoding method."""
    signed_data: String5000
    """Blob of signed data, base64 encoded."""


class SignedData(OcpiModel):
    """*SignedData* class: signed meter values (e.g. German Eichrecht)."""

    encoding_method: CiString36
    """Name of the encoding used, e.g. OCMF."""
    encoding_method_version: Int | None = None
    """Version of the encoding method, when applicable."""
    public_key: String512 | None = None
    """Public key used to sign the data, base64 encoded."""
    signed_values: Annotated[list[SignedValue], Field(min_length=1)]
    """One or more signed values."""
    url: String512 | None = None
    """URL where the EV driver can check the signed data."""


class CDR(OcpiModel):
    """*CDR* object: the sealed record of a charging session and its costs."""

    country_code: CiString2
    """ISO-3166 alpha-2 country code of the CPO that owns this CDR."""
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
    """Token used to start this charging session."""
    auth_method: AuthMethod
    """Method used for authentication (the last one, if several)."""
    authorization_reference: CiString36 | None = None
    """The last authorization reference given by the eMSP for this session."""
    cdr_location: CdrLocation
    """Location, EVSE and Connector where the session took place."""
    meter_id: String255 | None = None
    """Identification of the Meter inside the Charge Point."""
    currency: String3
    """ISO 4217 code of the currency of the CDR."""
    tariffs: list[Tariff] | None = None
    """The relevant Tariffs, as they were at the start of the session."""
    charging_periods: Annotated[list[ChargingPeriod], Field(min_length=1)]
    """The Charging Periods that make up this session."""
    signed_data: SignedData | None = None
    """Signed data that belongs to this charging session."""
    total_cost: Price
    """Total sum of all the costs of this transaction."""
    total_fixed_cost: Price | None = None
    """Total of the fixed costs, except those of parking and reservation."""
    total_energy: Number
    """Total energy charged, in kWh."""
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
    """Total cost related to a reservation, fixed components included."""
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
    """Timestamp when this CDR was last updated (or created)."""

    @model_validator(mode="after")
    def _credit_has_reference(self) -> Self:
        # CDR, credit: "When set to true, this is a Credit CDR, and the field
        # credit_reference_id needs to be set as well."
        if self.credit and self.credit_reference_id is None:
            raise ValueError("credit_reference_id must be set for a credit CDR")
        return self

    @model_validator(mode="after")
    def _no_session_only_dimensions(self) -> Self:
        # CdrDimensionType: the values marked "Session Only" "SHALL therefore
        # only be used in Sessions".
        for period in self.charging_periods:
            for dimension in period.dimensions:
                if dimension.type.session_only:
                    raise ValueError(
                        f"dimension {dimension.type} may only be used in Sessions, not in a CDR"
                    )
        return self
