"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26 01:00:25.189530
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import shared.store.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "charging_profiles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("stack_level", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "schedule",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("valid_to", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charging_profiles")),
    )
    with op.batch_alter_table("charging_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_charging_profiles_station_id_evse_id_status"),
            ["station_id", "evse_id", "status"],
            unique=False,
        )

    op.create_table(
        "commands",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("ocpp_action", sa.String(length=64), nullable=True),
        sa.Column(
            "request",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "response",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("origin_node", sa.String(length=128), nullable=True),
        sa.Column("target_node", sa.String(length=128), nullable=True),
        sa.Column("timeout_s", sa.Float(), nullable=False),
        sa.Column("created_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commands")),
    )
    with op.batch_alter_table("commands", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commands_station_id_created_at"),
            ["station_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_commands_status_target_node"), ["status", "target_node"], unique=False
        )

    op.create_table(
        "local_list_entries",
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("id_token", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("expiry", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("group_id", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("station_id", "id_token", name=op.f("pk_local_list_entries")),
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("party_id", sa.String(length=3), nullable=False),
        sa.Column("publish", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("city", sa.String(length=45), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("latitude", sa.String(length=10), nullable=False),
        sa.Column("longitude", sa.String(length=11), nullable=False),
        sa.Column("time_zone", sa.String(length=255), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("last_updated", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_locations_last_updated_id"), ["last_updated", "id"], unique=False
        )

    op.create_table(
        "meter_values",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("timestamp", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("measurand", sa.String(length=48), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("context", sa.String(length=32), nullable=True),
        sa.Column("location", sa.String(length=16), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_values")),
    )
    with op.batch_alter_table("meter_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meter_values_station_id_timestamp"),
            ["station_id", "timestamp"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_meter_values_transaction_id_timestamp"),
            ["transaction_id", "timestamp"],
            unique=False,
        )

    op.create_table(
        "nodes",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("started_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nodes")),
    )
    op.create_table(
        "ocpp_messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("message_type", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=True),
        sa.Column("timestamp", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("frame", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocpp_messages")),
    )
    with op.batch_alter_table("ocpp_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ocpp_messages_station_id_id"), ["station_id", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ocpp_messages_timestamp"), ["timestamp"], unique=False)

    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("module", sa.String(length=24), nullable=False),
        sa.Column("object_id", sa.String(length=255), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_module_object_id_id"), ["module", "object_id", "id"], unique=False
        )

    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("party_id", sa.String(length=3), nullable=True),
        sa.Column(
            "roles",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("versions_url", sa.String(length=255), nullable=True),
        sa.Column("version", sa.String(length=8), nullable=True),
        sa.Column(
            "endpoints",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("invite_token_hash", sa.String(length=128), nullable=True),
        sa.Column("incoming_token_hash", sa.String(length=128), nullable=True),
        sa.Column("outgoing_token", sa.String(length=255), nullable=True),
        sa.Column("outgoing_token_base64", sa.Boolean(), nullable=False),
        sa.Column("replay_missed", sa.Boolean(), nullable=False),
        sa.Column("created_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
    )
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partners_incoming_token_hash"), ["incoming_token_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partners_invite_token_hash"), ["invite_token_hash"], unique=False
        )

    op.create_table(
        "reservations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=True),
        sa.Column("connector_type", sa.String(length=32), nullable=True),
        sa.Column("id_token", sa.String(length=255), nullable=False),
        sa.Column("group_id", sa.String(length=255), nullable=True),
        sa.Column("expiry", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    op.create_table(
        "station_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("timestamp", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_events")),
    )
    with op.batch_alter_table("station_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_station_events_station_id_kind_id"),
            ["station_id", "kind", "id"],
            unique=False,
        )

    op.create_table(
        "stations",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("ocpp_version", sa.String(length=8), nullable=True),
        sa.Column("version_override", sa.String(length=8), nullable=True),
        sa.Column("registration_status", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("vendor", sa.String(length=50), nullable=True),
        sa.Column("model", sa.String(length=50), nullable=True),
        sa.Column("serial_number", sa.String(length=50), nullable=True),
        sa.Column("firmware_version", sa.String(length=50), nullable=True),
        sa.Column("iccid", sa.String(length=20), nullable=True),
        sa.Column("imsi", sa.String(length=20), nullable=True),
        sa.Column("meter_type", sa.String(length=25), nullable=True),
        sa.Column("meter_serial_number", sa.String(length=25), nullable=True),
        sa.Column("ping_interval", sa.Float(), nullable=True),
        sa.Column("lenient", sa.Boolean(), nullable=True),
        sa.Column("node_id", sa.String(length=128), nullable=True),
        sa.Column("connected", sa.Boolean(), nullable=False),
        sa.Column("connected_at", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_seen", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_boot_at", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("boot_reason", sa.String(length=32), nullable=True),
        sa.Column("created_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stations")),
    )
    op.create_table(
        "tariffs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("party_id", sa.String(length=3), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "definition",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("last_updated", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariffs")),
    )
    with op.batch_alter_table("tariffs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tariffs_last_updated_id"), ["last_updated", "id"], unique=False
        )

    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("transaction_ref", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("id_token", sa.String(length=255), nullable=True),
        sa.Column("id_token_type", sa.String(length=32), nullable=True),
        sa.Column("group_id", sa.String(length=255), nullable=True),
        sa.Column("started_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("meter_start_wh", sa.Float(), nullable=True),
        sa.Column("meter_stop_wh", sa.Float(), nullable=True),
        sa.Column("energy_wh", sa.Float(), nullable=False),
        sa.Column("charging_state", sa.String(length=24), nullable=True),
        sa.Column("stop_reason", sa.String(length=32), nullable=True),
        sa.Column("remote_start_id", sa.Integer(), nullable=True),
        sa.Column("command_id", sa.String(length=36), nullable=True),
        sa.Column("reservation_id", sa.Integer(), nullable=True),
        sa.Column("last_seq_no", sa.Integer(), nullable=True),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("start_fingerprint", sa.String(length=128), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("authorization_reference", sa.String(length=36), nullable=True),
        sa.Column("cost_excl_vat", shared.store.types.Money(precision=24, scale=8), nullable=True),
        sa.Column("cost_incl_vat", shared.store.types.Money(precision=24, scale=8), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("tariff_id", sa.String(length=36), nullable=True),
        sa.Column("last_meter_at", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_updated", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
        sa.UniqueConstraint(
            "station_id",
            "start_fingerprint",
            name=op.f("uq_transactions_station_id_start_fingerprint"),
        ),
        sa.UniqueConstraint(
            "station_id", "transaction_ref", name=op.f("uq_transactions_station_id_transaction_ref")
        ),
    )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transactions_last_updated_id"), ["last_updated", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_transactions_status_station_id"), ["status", "station_id"], unique=False
        )

    op.create_table(
        "cdrs",
        sa.Column("id", sa.String(length=39), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("transaction_ref", sa.String(length=64), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("party_id", sa.String(length=3), nullable=False),
        sa.Column("start_date_time", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("end_date_time", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "total_energy_kwh", shared.store.types.Money(precision=24, scale=8), nullable=False
        ),
        sa.Column(
            "total_cost_excl_vat", shared.store.types.Money(precision=24, scale=8), nullable=False
        ),
        sa.Column(
            "total_cost_incl_vat", shared.store.types.Money(precision=24, scale=8), nullable=True
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("credit", sa.Boolean(), nullable=False),
        sa.Column("credit_reference_id", sa.String(length=39), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column(
            "record",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_updated", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_cdrs_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cdrs")),
    )
    with op.batch_alter_table("cdrs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cdrs_last_updated_id"), ["last_updated", "id"], unique=False
        )

    op.create_table(
        "evses",
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("location_id", sa.String(length=36), nullable=True),
        sa.Column("evse_uid", sa.String(length=36), nullable=True),
        sa.Column("ocpi_evse_id", sa.String(length=48), nullable=True),
        sa.Column("physical_reference", sa.String(length=16), nullable=True),
        sa.Column("floor_level", sa.String(length=4), nullable=True),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column(
            "capabilities",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "status_changed_at", shared.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_updated", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_evses_location_id_locations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_evses_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("station_id", "evse_id", name=op.f("pk_evses")),
        sa.UniqueConstraint("evse_uid", name=op.f("uq_evses_evse_uid")),
    )
    with op.batch_alter_table("evses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evses_location_id_evse_id"), ["location_id", "evse_id"], unique=False
        )

    op.create_table(
        "hub_client_info",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("party_id", sa.String(length=3), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_updated", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_hub_client_info_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("country_code", "party_id", name=op.f("pk_hub_client_info")),
    )
    op.create_table(
        "id_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("id_token", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("expiry", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("group_id", sa.String(length=255), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("contract_id", sa.String(length=36), nullable=True),
        sa.Column("visual_number", sa.String(length=64), nullable=True),
        sa.Column("issuer", sa.String(length=64), nullable=True),
        sa.Column("whitelist", sa.String(length=16), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("default_profile_type", sa.String(length=16), nullable=True),
        sa.Column(
            "energy_contract",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("last_updated", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_id_tokens_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_id_tokens")),
        sa.UniqueConstraint("source", "id_token", name=op.f("uq_id_tokens_source_id_token")),
    )
    with op.batch_alter_table("id_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_id_tokens_id_token"), ["id_token"], unique=False)

    op.create_table(
        "local_lists",
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_local_lists_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_local_lists")),
    )
    op.create_table(
        "partner_push_state",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column(
            "last_outbox_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("failing_since", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_push_state_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("partner_id", name=op.f("pk_partner_push_state")),
    )
    op.create_table(
        "station_variables",
        sa.Column("station_id", sa.String(length=255), nullable=True),
        sa.Column("component", sa.String(length=50), nullable=False),
        sa.Column("component_instance", sa.String(length=50), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("variable", sa.String(length=100), nullable=False),
        sa.Column("variable_instance", sa.String(length=50), nullable=False),
        sa.Column("attribute_type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("mutability", sa.String(length=16), nullable=True),
        sa.Column(
            "characteristics",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("updated_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_station_variables_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
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
    op.create_table(
        "transaction_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("seq_no", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=16), nullable=False),
        sa.Column("timestamp", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("trigger_reason", sa.String(length=32), nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_transaction_events_transaction_id_transactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transaction_events")),
        sa.UniqueConstraint(
            "transaction_id", "seq_no", name=op.f("uq_transaction_events_transaction_id_seq_no")
        ),
    )
    op.create_table(
        "connectors",
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("ocpp_status", sa.String(length=24), nullable=True),
        sa.Column("error_code", sa.String(length=50), nullable=True),
        sa.Column("info", sa.String(length=255), nullable=True),
        sa.Column("vendor_error_code", sa.String(length=255), nullable=True),
        sa.Column("status_at", shared.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("standard", sa.String(length=32), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=True),
        sa.Column("power_type", sa.String(length=16), nullable=True),
        sa.Column("max_voltage", sa.Integer(), nullable=True),
        sa.Column("max_amperage", sa.Integer(), nullable=True),
        sa.Column("max_electric_power", sa.Integer(), nullable=True),
        sa.Column(
            "tariff_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("last_updated", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id", "evse_id"],
            ["evses.station_id", "evses.evse_id"],
            name=op.f("fk_connectors_station_id_evse_id_evses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "station_id", "evse_id", "connector_id", name=op.f("pk_connectors")
        ),
    )


def downgrade() -> None:
    op.drop_table("connectors")
    op.drop_table("transaction_events")
    op.drop_table("station_variables")
    op.drop_table("partner_push_state")
    op.drop_table("local_lists")
    with op.batch_alter_table("id_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_id_tokens_id_token"))

    op.drop_table("id_tokens")
    op.drop_table("hub_client_info")
    with op.batch_alter_table("evses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evses_location_id_evse_id"))

    op.drop_table("evses")
    with op.batch_alter_table("cdrs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cdrs_last_updated_id"))

    op.drop_table("cdrs")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transactions_status_station_id"))
        batch_op.drop_index(batch_op.f("ix_transactions_last_updated_id"))

    op.drop_table("transactions")
    with op.batch_alter_table("tariffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tariffs_last_updated_id"))

    op.drop_table("tariffs")
    op.drop_table("stations")
    with op.batch_alter_table("station_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_station_events_station_id_kind_id"))

    op.drop_table("station_events")
    op.drop_table("reservations")
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_invite_token_hash"))
        batch_op.drop_index(batch_op.f("ix_partners_incoming_token_hash"))

    op.drop_table("partners")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_module_object_id_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("ocpp_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ocpp_messages_timestamp"))
        batch_op.drop_index(batch_op.f("ix_ocpp_messages_station_id_id"))

    op.drop_table("ocpp_messages")
    op.drop_table("nodes")
    with op.batch_alter_table("meter_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meter_values_transaction_id_timestamp"))
        batch_op.drop_index(batch_op.f("ix_meter_values_station_id_timestamp"))

    op.drop_table("meter_values")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_locations_last_updated_id"))

    op.drop_table("locations")
    op.drop_table("local_list_entries")
    with op.batch_alter_table("commands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commands_status_target_node"))
        batch_op.drop_index(batch_op.f("ix_commands_station_id_created_at"))

    op.drop_table("commands")
    with op.batch_alter_table("charging_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charging_profiles_station_id_evse_id_status"))

    op.drop_table("charging_profiles")
