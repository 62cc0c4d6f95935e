"""Helpers for the conformance test: which model implements which spec table,
what a model field looks like, and payloads built from the spec tables."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ocpi_gateway.v221 import models as m
from ocpi_gateway.v221.models import OcpiType

from ._data import load_schema

SCHEMA = load_schema()

#: Every table of the spec (schema id) and the class that implements it.
IMPLEMENTATION: dict[str, type[Any]] = {
    "credentials_credentials_object": m.Credentials,
    "credentials_credentials_role_class": m.CredentialsRole,
    "mod_cdrs_authmethod_enum": m.AuthMethod,
    "mod_cdrs_cdr_location_class": m.CdrLocation,
    "mod_cdrs_cdr_object": m.CDR,
    "mod_cdrs_cdr_token_object": m.CdrToken,
    "mod_cdrs_cdrdimension_class": m.CdrDimension,
    "mod_cdrs_cdrdimensiontype_enum": m.CdrDimensionType,
    "mod_cdrs_chargingperiod_class": m.ChargingPeriod,
    "mod_cdrs_signed_data_class": m.SignedData,
    "mod_cdrs_signed_value_class": m.SignedValue,
    "mod_charging_profiles_active_charging_profile_class": m.ActiveChargingProfile,
    "mod_charging_profiles_active_charging_profiles_result_object": m.ActiveChargingProfileResult,
    "mod_charging_profiles_charging_profile_class": m.ChargingProfile,
    "mod_charging_profiles_charging_profile_period_class": m.ChargingProfilePeriod,
    "mod_charging_profiles_charging_profiles_result_object": m.ChargingProfileResult,
    "mod_charging_profiles_chargingrateunit": m.ChargingRateUnit,
    "mod_charging_profiles_clear_profiles_result_object": m.ClearProfileResult,
    "mod_charging_profiles_response_object": m.ChargingProfileResponse,
    "mod_charging_profiles_responsetype_enum": m.ChargingProfileResponseType,
    "mod_charging_profiles_resulttype_enum": m.ChargingProfileResultType,
    "mod_charging_profiles_set_charging_profile_object": m.SetChargingProfile,
    "mod_commands_cancelreservation_object": m.CancelReservation,
    "mod_commands_commandresponse_object": m.CommandResponse,
    "mod_commands_commandresponsetype_enum": m.CommandResponseType,
    "mod_commands_commandresult_object": m.CommandResult,
    "mod_commands_commandresulttype_enum": m.CommandResultType,
    "mod_commands_commandtype_enum": m.CommandType,
    "mod_commands_reservenow_object": m.ReserveNow,
    "mod_commands_startsession_object": m.StartSession,
    "mod_commands_stopsession_object": m.StopSession,
    "mod_commands_unlockconnector_object": m.UnlockConnector,
    "mod_hub_client_info_hub_client_info_object": m.ClientInfo,
    "mod_hub_client_info_hub_connection_type_enum": m.ConnectionStatus,
    "mod_locations_additionalgeolocation_class": m.AdditionalGeoLocation,
    "mod_locations_businessdetails_class": m.BusinessDetails,
    "mod_locations_capability_enum": m.Capability,
    "mod_locations_connector_object": m.Connector,
    "mod_locations_connectorformat_enum": m.ConnectorFormat,
    "mod_locations_connectortype_enum": m.ConnectorType,
    "mod_locations_energymix_class": m.EnergyMix,
    "mod_locations_energysource_class": m.EnergySource,
    "mod_locations_energysourcecategory_enum": m.EnergySourceCategory,
    "mod_locations_environmentalimpact_class": m.EnvironmentalImpact,
    "mod_locations_environmentalimpactcategory_enum": m.EnvironmentalImpactCategory,
    "mod_locations_evse_object": m.EVSE,
    "mod_locations_exceptionalperiod_class": m.ExceptionalPeriod,
    "mod_locations_facility_enum": m.Facility,
    "mod_locations_geolocation_class": m.GeoLocation,
    "mod_locations_hours_class": m.Hours,
    "mod_locations_image_class": m.Image,
    "mod_locations_imagecategory_enum": m.ImageCategory,
    "mod_locations_location_object": m.Location,
    "mod_locations_parkingrestriction_enum": m.ParkingRestriction,
    "mod_locations_parkingtype_enum": m.ParkingType,
    "mod_locations_powertype_enum": m.PowerType,
    "mod_locations_publish_token_class": m.PublishTokenType,
    "mod_locations_regularhours_class": m.RegularHours,
    "mod_locations_status_enum": m.Status,
    "mod_locations_statusschedule_class": m.StatusSchedule,
    "mod_sessions_charging_preferences_object": m.ChargingPreferences,
    "mod_sessions_charging_preferences_response_enum": m.ChargingPreferencesResponse,
    "mod_sessions_profile_type_enum": m.ProfileType,
    "mod_sessions_session_object": m.Session,
    "mod_sessions_sessionstatus_enum": m.SessionStatus,
    "mod_tariffs_dayofweek_enum": m.DayOfWeek,
    "mod_tariffs_pricecomponent_class": m.PriceComponent,
    "mod_tariffs_reservation_restriction_type": m.ReservationRestrictionType,
    "mod_tariffs_tariff_object": m.Tariff,
    "mod_tariffs_tariff_type": m.TariffType,
    "mod_tariffs_tariffdimensiontype_enum": m.TariffDimensionType,
    "mod_tariffs_tariffelement_class": m.TariffElement,
    "mod_tariffs_tariffrestrictions_class": m.TariffRestrictions,
    "mod_tokens_allowed_enum": m.AllowedType,
    "mod_tokens_authorizationinfo_object": m.AuthorizationInfo,
    "mod_tokens_energy_contract": m.EnergyContract,
    "mod_tokens_locationreferences_class": m.LocationReferences,
    "mod_tokens_token_object": m.Token,
    "mod_tokens_tokentype_enum": m.TokenType,
    "mod_tokens_whitelisttype_enum": m.WhitelistType,
    "transport_and_format_response_format": m.OcpiResponse,
    "types_displaytext_class": m.DisplayText,
    "types_price_class": m.Price,
    "types_role_enum": m.Role,
    "version_information_endpoint_endpoint_class": m.Endpoint,
    "version_information_endpoint_interface_role_enum": m.InterfaceRole,
    "version_information_endpoint_moduleid_enum": m.ModuleID,
    "version_information_endpoint_version_class": m.Version,
    "version_information_endpoint_versionnumber_enum": m.VersionNumber,
    "version_information_get_details_endpoint_data": m.VersionDetails,
}

OBJECT_IDS = sorted(k for k, v in SCHEMA.items() if v["kind"] == "object")
ENUM_IDS = sorted(k for k, v in SCHEMA.items() if v["kind"] == "enum")


@dataclass
class FieldShape:
    """What a model field is, read from its annotation."""

    required: bool
    is_list: bool
    min_items: int | None
    inner: list[Any]  # the item type(s); several for a union
    ocpi: OcpiType | None  # the primitive's metadata, if a primitive
    extra: list[Any] = field(default_factory=list)


def _strip_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
        return typing.Union[tuple(args)]  # noqa: UP007
    return annotation


def _peel(annotation: Any, metadata: list[Any]) -> Any:
    while typing.get_origin(annotation) is Annotated:
        base, *extra = typing.get_args(annotation)
        metadata.extend(extra)
        annotation = _strip_optional(base)
    return annotation


def field_shape(info: FieldInfo) -> FieldShape:
    """Read required-ness, list-ness, item type and OCPI metadata of a field."""
    metadata = list(info.metadata)
    annotation = _peel(_strip_optional(info.annotation), metadata)
    is_list = typing.get_origin(annotation) is list
    min_items = None
    for item in metadata:
        if getattr(item, "min_length", None) is not None and is_list:
            min_items = item.min_length
    if is_list:
        annotation = _peel(typing.get_args(annotation)[0], metadata)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [_peel(a, metadata) for a in typing.get_args(annotation)]
    else:
        inner = [annotation]
    ocpi = next((x for x in reversed(metadata) if isinstance(x, OcpiType)), None)
    return FieldShape(info.is_required(), is_list, min_items, inner, ocpi, metadata)


# --- payloads built from the tables --------------------------------------------------

#: Valid values for the fields that carry a pattern, as long as the table allows.
PATTERN_SAMPLES = {
    "latitude": "51.0475991",
    "longitude": "126.1049651",
    "period_begin": "08:00",
    "period_end": "20:00",
    "start_time": "08:00",
    "end_time": "20:00",
    "start_date": "2020-01-01",
    "end_date": "2020-12-31",
}

#: Values that the spec's prose rules need in an otherwise generated payload.
FIXUPS: dict[str, dict[str, Any]] = {
    # Hours: regular_hours are required when twentyfourseven is false.
    "mod_locations_hours_class": {
        "twentyfourseven": False,
        "regular_hours": [{"weekday": 1, "period_begin": "08:00", "period_end": "20:00"}],
    },
    # PublishTokenType: uid (with type) or visual_number or group_id.
    "mod_locations_publish_token_class": {"uid": "A", "type": "RFID"},
    # publish_allowed_to only when publish is false.
    "mod_locations_location_object": {"publish": False},
    # CDRs must not use the "Session Only" dimensions; reservations price
    # only FLAT and TIME.
    "mod_cdrs_cdrdimension_class": {"type": "ENERGY"},
    "mod_tariffs_pricecomponent_class": {"type": "TIME"},
    "transport_and_format_response_format": {"status_code": 1000},
}


def sample_value(type_id: str, spec_field: dict[str, Any], *, full: bool) -> Any:
    """A valid value for one field of a table (a list for * and +)."""
    single = _sample_single(spec_field, full=full)
    if spec_field["card"] in ("*", "+"):
        return [single]
    return single


def _sample_single(spec_field: dict[str, Any], *, full: bool) -> Any:
    spec_type = spec_field["type"]
    if "ref" in spec_type:
        ref = spec_type["ref"]
        if SCHEMA[ref]["kind"] == "enum":
            return SCHEMA[ref]["values"][0]
        return payload(ref, full=full)
    prim = spec_type.get("prim")
    if spec_field["name"] in PATTERN_SAMPLES and prim == "string":
        return PATTERN_SAMPLES[spec_field["name"]]
    return {
        "CiString": "A",
        "string": "a",
        "URL": "https://example.com/",
        "DateTime": "2020-01-01T00:00:00Z",
        "number": 1,
        "int": 1,
        "boolean": False,
        None: None,
    }[prim]


def payload(type_id: str, *, full: bool) -> dict[str, Any]:
    """A valid JSON object for a table: the required fields only, or all."""
    result: dict[str, Any] = {}
    for spec_field in SCHEMA[type_id]["fields"]:
        if full or spec_field["card"] in ("1", "+"):
            value = sample_value(type_id, spec_field, full=full)
            if value is not None:
                result[spec_field["name"]] = value
    result.update(FIXUPS.get(type_id, {}))
    return result


def model_for(type_id: str) -> type[BaseModel]:
    """The pydantic model implementing a table (the envelope parametrized)."""
    implementation = IMPLEMENTATION[type_id]
    if implementation is m.OcpiResponse:
        return m.OcpiResponse[dict[str, Any]]
    assert issubclass(implementation, BaseModel)
    return implementation
