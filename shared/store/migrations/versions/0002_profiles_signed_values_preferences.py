"""charging profile purpose fits 2.0.1 names; charger profile ids and limit sources; signed
meter values; OCPI charging preferences and the charger's own stop id on transactions

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.store.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("charging_profiles") as batch:
        batch.alter_column(
            "purpose", existing_type=sa.String(32), type_=sa.String(40), existing_nullable=False
        )
        batch.add_column(sa.Column("ocpp_profile_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("limit_source", sa.String(20), nullable=True))
    with op.batch_alter_table("meter_values") as batch:
        batch.add_column(sa.Column("signed_data", sa.Text(), nullable=True))
    with op.batch_alter_table("transactions") as batch:
        batch.add_column(
            sa.Column(
                "charging_preferences",
                sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql"),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("stop_ref", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transactions") as batch:
        batch.drop_column("stop_ref")
        batch.drop_column("charging_preferences")
    with op.batch_alter_table("meter_values") as batch:
        batch.drop_column("signed_data")
    with op.batch_alter_table("charging_profiles") as batch:
        batch.drop_column("limit_source")
        batch.drop_column("ocpp_profile_id")
        batch.alter_column(
            "purpose", existing_type=sa.String(40), type_=sa.String(32), existing_nullable=False
        )


# Keep the import used: column types of this package appear in later revisions.
_ = shared.store.types
