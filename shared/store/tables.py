"""The database schema as SQLAlchemy Core tables (the ORM is not used: Core is faster and the
repositories map rows to domain objects themselves).

Constraint names follow `NAMING_CONVENTION` so Alembic batch migrations on SQLite can address
them. Every table that OCPI partners page through has an index on `(last_updated, id)`
for keyset pagination.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.store.types import BigId, JsonDoc, Money, UtcDateTime

__all__ = [
    "NAMING_CONVENTION",
    "cdrs",
    "charging_profiles",
    "commands",
    "connector_status_history",
    "connectors",
    "evses",
    "hub_client_info",
    "id_tokens",
    "local_list_entries",
    "local_lists",
    "locations",
    "metadata",
    "meter_values",
    "nodes",
    "ocpp_messages",
    "outbox",
    "partner_push_state",
    "partners",
    "reservations",
    "station_events",
    "station_variables",
    "stations",
    "tariffs",
    "transaction_events",
    "transactions",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# --- cluster -------------------------------------------------------------------------------

nodes = Table(
    "nodes",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("heartbeat_at", UtcDateTime, nullable=False),
)

# --- stations, EVSEs, connectors -----------------------------------------------------------

stations = Table(
    "stations",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("ocpp_version", String(8)),
    Column("version_override", String(8)),  # serve this version when none is negotiated
    Column("registration_status", String(16), nullable=False),  # accepted | pending | rejected
    Column("password_hash", String(255)),
    Column("vendor", String(50)),
    Column("model", String(50)),
    Column("serial_number", String(50)),
    Column("firmware_version", String(50)),
    Column("iccid", String(20)),
    Column("imsi", String(20)),
    Column("meter_type", String(25)),
    Column("meter_serial_number", String(25)),
    Column("ping_interval", Float),  # per-station websocket keepalive; NULL = config default
    Column("lenient", Boolean),  # per-station lenient validation; NULL = config default
    Column("node_id", String(128)),
    Column("connected", Boolean, nullable=False, default=False),
    Column("connected_at", UtcDateTime),
    Column("last_seen", UtcDateTime),
    Column("last_boot_at", UtcDateTime),
    Column("boot_reason", String(32)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

evses = Table(
    "evses",
    metadata,
    Column("station_id", String(255), ForeignKey("stations.id", ondelete="CASCADE")),
    Column("evse_id", Integer),
    Column("status", String(24), nullable=False),
    Column("location_id", String(36), ForeignKey("locations.id", ondelete="SET NULL")),
    Column("evse_uid", String(36)),  # OCPI uid, unique per CPO
    Column("ocpi_evse_id", String(48)),  # eMI3 EVSE id shown to drivers
    Column("physical_reference", String(16)),
    Column("floor_level", String(4)),
    Column("removed", Boolean, nullable=False, default=False),
    Column("capabilities", JsonDoc),
    Column("status_changed_at", UtcDateTime),
    Column("last_updated", UtcDateTime, nullable=False),
    UniqueConstraint("evse_uid"),
    Index(None, "location_id", "evse_id"),
    PrimaryKeyConstraint("station_id", "evse_id"),
)

connectors = Table(
    "connectors",
    metadata,
    Column("station_id", String(255), primary_key=True),
    Column("evse_id", Integer, primary_key=True),
    Column("connector_id", Integer, primary_key=True),
    Column("status", String(24), nullable=False),  # domain ConnectorStatus (2.0.1 vocabulary)
    Column("ocpp_status", String(24)),  # status as the charger said it (1.6 is richer)
    Column("error_code", String(50)),
    Column("info", String(255)),
    Column("vendor_error_code", String(255)),
    Column("status_at", UtcDateTime),  # the charger's timestamp of the status
    Column("standard", String(32)),
    Column("format", String(16)),
    Column("power_type", String(16)),
    Column("max_voltage", Integer),
    Column("max_amperage", Integer),
    Column("max_electric_power", Integer),
    Column("tariff_ids", JsonDoc),
    Column("last_updated", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["station_id", "evse_id"], ["evses.station_id", "evses.evse_id"], ondelete="CASCADE"
    ),
)

# Every status a connector reported, for utilisation, fault statistics and 1.6 charging states.
connector_status_history = Table(
    "connector_status_history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(255), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("status", String(24), nullable=False),
    Column("ocpp_status", String(24)),
    Column("error_code", String(50)),
    Column("vendor_error_code", String(255)),
    Column("timestamp", UtcDateTime, nullable=False),  # the charger's time (or receipt)
    Column("received_at", UtcDateTime, nullable=False),
    Index(None, "station_id", "evse_id", "timestamp"),
    Index(None, "timestamp"),
)

station_variables = Table(
    "station_variables",
    metadata,
    Column("station_id", String(255), ForeignKey("stations.id", ondelete="CASCADE")),
    Column("component", String(50), nullable=False),  # '' for 1.6 configuration keys
    Column("component_instance", String(50), nullable=False, default=""),
    Column("evse_id", Integer, nullable=False, default=0),
    Column("connector_id", Integer, nullable=False, default=0),
    Column("variable", String(100), nullable=False),
    Column("variable_instance", String(50), nullable=False, default=""),
    Column("attribute_type", String(16), nullable=False, default="Actual"),
    Column("value", Text),
    Column("mutability", String(16)),
    Column("characteristics", JsonDoc),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint(
        "station_id",
        "component",
        "component_instance",
        "evse_id",
        "connector_id",
        "variable",
        "variable_instance",
        "attribute_type",
        name="uq_station_variables_address",
    ),
)

station_events = Table(
    "station_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(255), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("data", JsonDoc, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Index(None, "station_id", "kind", "id"),
)

# --- authorization -------------------------------------------------------------------------

id_tokens = Table(
    "id_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(16), nullable=False),  # 'local' or '<CC>*<PARTY>' of the issuing eMSP
    Column("id_token", String(255), nullable=False),
    Column("type", String(32), nullable=False),
    Column("status", String(24), nullable=False),  # Accepted | Blocked | Expired | Invalid | …
    Column("expiry", UtcDateTime),
    Column("group_id", String(255)),
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE")),
    Column("contract_id", String(36)),
    Column("visual_number", String(64)),
    Column("issuer", String(64)),
    Column("whitelist", String(16)),  # ALWAYS | ALLOWED | ALLOWED_OFFLINE | NEVER
    Column("language", String(2)),
    Column("default_profile_type", String(16)),
    Column("energy_contract", JsonDoc),
    Column("last_updated", UtcDateTime, nullable=False),
    UniqueConstraint("source", "id_token"),
    Index(None, "id_token"),
)

local_lists = Table(
    "local_lists",
    metadata,
    Column("station_id", String(255), ForeignKey("stations.id", ondelete="CASCADE")),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("station_id"),
)

local_list_entries = Table(
    "local_list_entries",
    metadata,
    Column("station_id", String(255), primary_key=True),
    Column("id_token", String(255), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("status", String(24), nullable=False),
    Column("expiry", UtcDateTime),
    Column("group_id", String(255)),
)

# --- transactions and meter values ---------------------------------------------------------

transactions = Table(
    "transactions",
    metadata,
    # The key doubles as the OCPP 1.6 transactionId (an integer the database allocates).
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", String(255), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("transaction_ref", String(64), nullable=False),  # the id as the charger knows it
    Column("status", String(16), nullable=False),  # active | completed
    Column("id_token", String(255)),
    Column("id_token_type", String(32)),
    Column("group_id", String(255)),
    Column("started_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Column("meter_start_wh", Float),
    Column("meter_stop_wh", Float),
    Column("energy_wh", Float, nullable=False, default=0.0),
    Column("charging_state", String(24)),
    Column("stop_reason", String(32)),
    Column("remote_start_id", Integer),
    Column("command_id", String(36)),
    Column("reservation_id", Integer),
    Column("last_seq_no", Integer),
    Column("offline", Boolean, nullable=False, default=False),
    Column("start_fingerprint", String(128)),  # recognises a StartTransaction sent twice
    Column("partner_id", Integer),  # the eMSP whose token authorised it, if any
    Column("authorization_reference", String(36)),
    Column("cost_excl_vat", Money),
    Column("cost_incl_vat", Money),
    Column("currency", String(3)),
    Column("tariff_id", String(36)),
    Column("last_meter_at", UtcDateTime),
    Column("charging_preferences", JsonDoc),  # OCPI PUT charging_preferences, as received
    Column("stop_ref", String(64)),  # the id a StopTransaction carried when it differed
    # What billing fixed at the start: {"tariff", "cdr_location", "time_zone"}.
    Column("billing_snapshot", JsonDoc),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_updated", UtcDateTime, nullable=False),
    UniqueConstraint("station_id", "transaction_ref"),
    UniqueConstraint("station_id", "start_fingerprint"),
    Index(None, "status", "station_id"),
    Index(None, "last_updated", "id"),
    Index(None, "partner_id", "last_updated", "id"),
)

transaction_events = Table(
    "transaction_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("transaction_id", Integer, ForeignKey("transactions.id", ondelete="CASCADE")),
    Column("seq_no", Integer, nullable=False),
    Column("event_type", String(16), nullable=False),  # Started | Updated | Ended
    Column("timestamp", UtcDateTime, nullable=False),
    Column("trigger_reason", String(32), nullable=False),
    Column("offline", Boolean, nullable=False, default=False),
    Column("data", JsonDoc, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    UniqueConstraint("transaction_id", "seq_no"),
)

meter_values = Table(
    "meter_values",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(255), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("transaction_id", Integer),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("measurand", String(48), nullable=False),
    Column("phase", String(8)),
    Column("unit", String(16)),
    Column("context", String(32)),
    Column("location", String(16)),
    Column("value", Float, nullable=False),
    Column("signed_data", Text),  # 1.6 SignedData / 2.0.1 signedMeterValue, as sent
    # By transaction only: every secondary index costs a B-tree insert per sampled value,
    # the hot path's costliest write (migration 0005, docs/performance.md).
    Index(None, "transaction_id", "timestamp"),
)

# --- frame log -----------------------------------------------------------------------------

ocpp_messages = Table(
    "ocpp_messages",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(255), nullable=False),
    Column("direction", String(3), nullable=False),  # in | out
    Column("message_type", Integer),
    Column("message_id", String(64)),
    Column("action", String(64)),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("frame", Text, nullable=False),
    Index(None, "station_id", "id"),
    Index(None, "timestamp"),
)

# --- commands, reservations, charging profiles ---------------------------------------------

commands = Table(
    "commands",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("station_id", String(255), nullable=False),
    Column("kind", String(48), nullable=False),  # domain command, e.g. start_transaction
    Column("ocpp_action", String(64)),
    Column("request", JsonDoc, nullable=False),
    Column("status", String(16), nullable=False),
    Column("response", JsonDoc),
    Column("error", Text),
    Column("requested_by", String(64), nullable=False),
    Column("origin_node", String(128)),
    Column("target_node", String(128)),
    Column("timeout_s", Float, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("completed_at", UtcDateTime),
    Index(None, "status", "target_node"),
    Index(None, "station_id", "created_at"),
)

reservations = Table(
    "reservations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", String(255), nullable=False),
    Column("evse_id", Integer),
    Column("connector_type", String(32)),
    Column("id_token", String(255), nullable=False),
    Column("group_id", String(255)),
    Column("expiry", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("partner_id", Integer),
    Column("external_id", String(36)),  # the partner's reservation id
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

charging_profiles = Table(
    "charging_profiles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", String(255), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("purpose", String(40), nullable=False),
    Column("stack_level", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("schedule", JsonDoc, nullable=False),
    Column("source", String(32), nullable=False),  # operator | ocpi:<partner> | loadmgmt | station
    Column("ocpp_profile_id", Integer),  # the chargingProfileId the charger knows it by
    Column("limit_source", String(20)),  # 2.0.1 ChargingLimitSourceEnumType, for station ones
    Column("status", String(16), nullable=False),  # requested | installed | rejected | cleared
    Column("transaction_id", Integer),
    Column("valid_from", UtcDateTime),
    Column("valid_to", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "station_id", "evse_id", "status"),
)

# --- locations, tariffs, CDRs --------------------------------------------------------------

locations = Table(
    "locations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
    Column("publish", Boolean, nullable=False, default=True),
    Column("name", String(255)),
    Column("address", String(255), nullable=False),
    Column("city", String(45), nullable=False),
    Column("postal_code", String(10)),
    Column("state", String(45)),
    Column("country", String(3), nullable=False),
    Column("latitude", String(10), nullable=False),
    Column("longitude", String(11), nullable=False),
    Column("time_zone", String(255), nullable=False),
    Column("details", JsonDoc, nullable=False),  # descriptive attributes (facilities, hours, …)
    Column("last_updated", UtcDateTime, nullable=False),
    Index(None, "last_updated", "id"),
)

tariffs = Table(
    "tariffs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("definition", JsonDoc, nullable=False),  # the domain tariff (elements, prices)
    Column("deleted", Boolean, nullable=False, default=False),
    Column("last_updated", UtcDateTime, nullable=False),
    Index(None, "last_updated", "id"),
)

cdrs = Table(
    "cdrs",
    metadata,
    Column("id", String(39), primary_key=True),
    Column("transaction_id", Integer, ForeignKey("transactions.id")),
    Column("station_id", String(255), nullable=False),
    Column("transaction_ref", String(64), nullable=False),
    Column("country_code", String(2), nullable=False),
    Column("party_id", String(3), nullable=False),
    Column("start_date_time", UtcDateTime, nullable=False),
    Column("end_date_time", UtcDateTime, nullable=False),
    Column("total_energy_kwh", Money, nullable=False),
    Column("total_cost_excl_vat", Money, nullable=False),
    Column("total_cost_incl_vat", Money),
    Column("currency", String(3), nullable=False),
    Column("credit", Boolean, nullable=False, default=False),
    Column("credit_reference_id", String(39)),
    Column("partner_id", Integer),
    Column("record", JsonDoc, nullable=False),  # the immutable CDR as issued
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_updated", UtcDateTime, nullable=False),
    Index(None, "last_updated", "id"),
    Index(None, "transaction_id"),
    Index(None, "partner_id", "last_updated", "id"),
)

# --- roaming partners and the push outbox --------------------------------------------------

partners = Table(
    "partners",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    # invited | registered | suspended | unregistered
    Column("status", String(16), nullable=False),
    Column("country_code", String(2)),
    Column("party_id", String(3)),
    Column("roles", JsonDoc, nullable=False),  # [{role, country_code, party_id, business}]
    Column("versions_url", String(255)),
    Column("version", String(8)),
    Column("endpoints", JsonDoc, nullable=False),  # [{identifier, role, url}]
    Column("invite_token_hash", String(128)),  # Token A we issued, until it is used
    Column("incoming_token_hash", String(128)),  # the token the partner presents to us
    Column("outgoing_token", String(255)),  # the token we present to the partner (secret)
    Column("outgoing_token_base64", Boolean, nullable=False, default=True),
    Column("replay_missed", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "incoming_token_hash"),
    Index(None, "invite_token_hash"),
)

hub_client_info = Table(
    "hub_client_info",
    metadata,
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE"), nullable=False),
    Column("country_code", String(2), primary_key=True),
    Column("party_id", String(3), primary_key=True),
    Column("role", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("last_updated", UtcDateTime, nullable=False),
)

# One row per change to push, written in the change's own transaction. Partners consume it
# through their own cursor in `partner_push_state`, so one slow partner delays nobody.
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("module", String(24), nullable=False),  # locations | sessions | cdrs | tariffs | …
    Column("object_id", String(255), nullable=False),
    Column("method", String(8), nullable=False),  # PUT | PATCH | POST | DELETE
    Column("payload", JsonDoc),  # the changed fields, for PATCH
    Column("partner_id", Integer),  # NULL: every partner with the receiver endpoint
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "module", "object_id", "id"),
)

partner_push_state = Table(
    "partner_push_state",
    metadata,
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE")),
    Column("last_outbox_id", BigId, nullable=False),
    Column("failing_since", UtcDateTime),
    Column("last_error", Text),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("partner_id"),
)
