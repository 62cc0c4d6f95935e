"""locations.address 255 / state 45 (the spec's corrected lengths); per-partner feed indexes

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("locations") as batch:
        batch.alter_column(
            "address", existing_type=sa.String(45), type_=sa.String(255), existing_nullable=False
        )
        batch.alter_column(
            "state", existing_type=sa.String(20), type_=sa.String(45), existing_nullable=True
        )
    with op.batch_alter_table("transactions") as batch:
        batch.create_index(
            batch.f("ix_transactions_partner_id_last_updated_id"),
            ["partner_id", "last_updated", "id"],
            unique=False,
        )
    with op.batch_alter_table("cdrs") as batch:
        batch.create_index(
            batch.f("ix_cdrs_partner_id_last_updated_id"),
            ["partner_id", "last_updated", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("cdrs") as batch:
        batch.drop_index(batch.f("ix_cdrs_partner_id_last_updated_id"))
    with op.batch_alter_table("transactions") as batch:
        batch.drop_index(batch.f("ix_transactions_partner_id_last_updated_id"))
    with op.batch_alter_table("locations") as batch:
        batch.alter_column(
            "state", existing_type=sa.String(45), type_=sa.String(20), existing_nullable=True
        )
        batch.alter_column(
            "address", existing_type=sa.String(255), type_=sa.String(45), existing_nullable=False
        )
