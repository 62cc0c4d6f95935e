"""Domain objects → the JSON the operator API serves and `csms … --json` prints.

One place for these shapes, because the CLI prints the same JSON whether it asked the server
or (server down) read the database itself. DESIGN.md fixes some of them for scripts:

- a station in `stations list`: at least `id`, `ocpp_version` ("1.6" | "2.0.1"), `connected`,
  `last_seen` (RFC 3339), `evses`: `[{evse_id, status, connectors: [{connector_id, status}]}]`;
- a session in `sessions list`: exactly `id`, `transaction_id` (the charger's, a string),
  `station_id`, `evse_id`, `id_tag`, `start`, `end`, `energy_wh`, `status`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from shared.cluster.codec import encode_dataclass
from shared.domain.commands import CommandRecord
from shared.domain.partners import Partner
from shared.domain.stations import Evse, Station
from shared.store.device_model import StationVariable
from shared.store.queries import FrameRecord, MeterSample, SessionSummary, TokenRecord

__all__ = [
    "Json",
    "command_json",
    "frame_json",
    "meter_sample_json",
    "partner_json",
    "rfc3339",
    "session_detail_json",
    "session_json",
    "station_detail_json",
    "station_json",
    "token_json",
    "variable_json",
]

Json = dict[str, Any]


def rfc3339(value: datetime | None) -> str | None:
    """`2026-01-31T12:00:00.123Z` (UTC, milliseconds), or None."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def _money(value: Decimal | None) -> str | None:
    # Strings, not floats: money stays exact on the way through JSON.
    return format(value, "f") if value is not None else None


def _evse_json(evse: Evse) -> Json:
    return {
        "evse_id": evse.evse_id,
        "status": evse.status.value,
        "connectors": [
            {
                "connector_id": connector.connector_id,
                "status": connector.status.value,
                "ocpp_status": connector.ocpp_status,
            }
            for connector in evse.connectors
        ],
    }


def station_json(station: Station) -> Json:
    """A station as `stations list` shows it.

    OCPP 1.6 connector 0 (the whole charge point) is stored as EVSE 0; it is not an EVSE a
    driver can use, so it appears as `station_status`, not in `evses`.
    """
    whole = next((evse for evse in station.evses if evse.evse_id == 0), None)
    return {
        "id": station.id,
        "ocpp_version": station.ocpp_version or station.version_override,
        "connected": station.connected,
        "last_seen": rfc3339(station.last_seen),
        "registration_status": station.registration_status.value,
        "station_status": whole.status.value if whole is not None else None,
        "vendor": station.vendor,
        "model": station.model,
        "evses": [_evse_json(evse) for evse in station.evses if evse.evse_id != 0],
    }


def station_detail_json(
    station: Station,
    *,
    sessions: list[SessionSummary],
    variable_count: int,
) -> Json:
    """A station as `stations show` shows it: the list shape plus details and live state."""
    data = station_json(station)
    data.update(
        {
            "version_override": station.version_override,
            "serial_number": station.serial_number,
            "firmware_version": station.firmware_version,
            "has_password": station.has_password,
            "ping_interval": station.ping_interval,
            "lenient": station.lenient,
            "node_id": station.node_id,
            "last_boot_at": rfc3339(station.last_boot_at),
            "active_sessions": [session_json(session) for session in sessions],
            "variable_count": variable_count,
        }
    )
    for evse_data, evse in zip(
        data["evses"], [e for e in station.evses if e.evse_id != 0], strict=True
    ):
        for connector_data, connector in zip(evse_data["connectors"], evse.connectors, strict=True):
            connector_data.update(
                {
                    "error_code": connector.error_code,
                    "info": connector.info,
                    "vendor_error_code": connector.vendor_error_code,
                    "status_at": rfc3339(connector.status_at),
                }
            )
    return data


def session_json(session: SessionSummary) -> Json:
    """A session as `sessions list --json` prints it (exactly the DESIGN.md keys)."""
    return {
        "id": session.id,
        "transaction_id": session.transaction_ref,
        "station_id": session.station_id,
        "evse_id": session.evse_id,
        "id_tag": session.id_token,
        "start": rfc3339(session.started_at),
        "end": rfc3339(session.ended_at),
        "energy_wh": session.energy_wh,
        "status": session.status,
    }


def meter_sample_json(sample: MeterSample) -> Json:
    return {
        "timestamp": rfc3339(sample.timestamp),
        "evse_id": sample.evse_id,
        "measurand": sample.measurand,
        "value": sample.value,
        "unit": sample.unit,
        "phase": sample.phase,
        "context": sample.context,
        "location": sample.location,
    }


def session_detail_json(session: SessionSummary, meter_values: list[MeterSample]) -> Json:
    """A session with its details and meter values (`sessions show`)."""
    data = session_json(session)
    data.update(
        {
            "connector_id": session.connector_id,
            "meter_start_wh": session.meter_start_wh,
            "meter_stop_wh": session.meter_stop_wh,
            "stop_reason": session.stop_reason,
            "charging_state": session.charging_state,
            "offline": session.offline,
            "cost_excl_vat": _money(session.cost_excl_vat),
            "cost_incl_vat": _money(session.cost_incl_vat),
            "currency": session.currency,
            "tariff_id": session.tariff_id,
            "last_updated": rfc3339(session.last_updated),
            "meter_values": [meter_sample_json(sample) for sample in meter_values],
        }
    )
    return data


def frame_json(frame: FrameRecord) -> Json:
    """A logged OCPP-J frame."""
    return {
        "id": frame.id,
        "station_id": frame.station_id,
        "direction": frame.direction,
        "message_type": frame.message_type,
        "message_id": frame.message_id,
        "action": frame.action,
        "timestamp": rfc3339(frame.timestamp),
        "frame": frame.frame,
    }


def variable_json(variable: StationVariable) -> Json:
    """A device model variable attribute, or a 1.6 configuration key (`component` empty)."""
    address = variable.address
    return {
        "component": address.component,
        "component_instance": address.component_instance,
        "evse_id": address.evse_id,
        "connector_id": address.connector_id,
        "variable": address.variable,
        "variable_instance": address.variable_instance,
        "attribute_type": address.attribute_type,
        "value": variable.value,
        "mutability": variable.mutability,
        "persistent": variable.persistent,
        "constant": variable.constant,
        "characteristics": (
            encode_dataclass(variable.characteristics) if variable.characteristics else None
        ),
        "updated_at": rfc3339(variable.updated_at),
    }


def token_json(token: TokenRecord) -> Json:
    """An id token."""
    return {
        "id_token": token.id_token,
        "type": token.type,
        "status": token.status,
        "source": token.source,
        "expiry": rfc3339(token.expiry),
        "group_id": token.group_id,
        "partner_id": token.partner_id,
        "contract_id": token.contract_id,
        "visual_number": token.visual_number,
        "whitelist": token.whitelist,
        "last_updated": rfc3339(token.last_updated),
    }


def partner_json(partner: Partner) -> Json:
    """A roaming partner (the store keeps its tokens out of the domain object)."""
    party = partner.party
    return {
        "id": partner.id,
        "name": partner.name,
        "status": partner.status.value,
        "country_code": party.country_code if party else None,
        "party_id": party.party_id if party else None,
        "roles": [
            {
                "role": role.role,
                "country_code": role.country_code,
                "party_id": role.party_id,
                "name": role.name,
                "website": role.website,
            }
            for role in partner.roles
        ],
        "versions_url": partner.versions_url,
        "version": partner.version,
        "endpoints": [
            {"identifier": e.module, "role": e.role, "url": e.url} for e in partner.endpoints
        ],
        "created_at": rfc3339(partner.created_at),
        "updated_at": rfc3339(partner.updated_at),
    }


def command_json(record: CommandRecord) -> Json:
    """A command and what became of it (`stations start …`, `commands show`)."""
    return {
        "id": record.id,
        "station_id": record.station_id,
        "command": record.kind,
        "status": record.status.value,
        "ocpp_action": record.ocpp_action,
        "request": encode_dataclass(record.request),
        "response": record.response,
        "error": record.error,
        "requested_by": record.requested_by,
        "created_at": rfc3339(record.created_at),
        "sent_at": rfc3339(record.sent_at),
        "completed_at": rfc3339(record.completed_at),
        "target_node": record.target_node,
        "timeout_s": record.timeout_s,
    }
