"""billing snapshot on transactions; connector status history; index cdrs(transaction_id)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.store.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transactions") as batch:
        batch.add_column(
            sa.Column(
                "billing_snapshot",
                sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql"),
                nullable=True,
            )
        )
    op.create_table(
        "connector_status_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("station_id", sa.String(length=255), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("ocpp_status", sa.String(length=24), nullable=True),
        sa.Column("error_code", sa.String(length=50), nullable=True),
        sa.Column("vendor_error_code", sa.String(length=255), nullable=True),
        sa.Column("timestamp", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("received_at", shared.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_status_history")),
    )
    with op.batch_alter_table("connector_status_history") as batch:
        batch.create_index(
            batch.f("ix_connector_status_history_station_id_evse_id_timestamp"),
            ["station_id", "evse_id", "timestamp"],
            unique=False,
        )
        batch.create_index(
            batch.f("ix_connector_status_history_timestamp"), ["timestamp"], unique=False
        )
    with op.batch_alter_table("cdrs") as batch:
        batch.create_index(batch.f("ix_cdrs_transaction_id"), ["transaction_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cdrs") as batch:
        batch.drop_index(batch.f("ix_cdrs_transaction_id"))
    op.drop_table("connector_status_history")
    with op.batch_alter_table("transactions") as batch:
        batch.drop_column("billing_snapshot")
