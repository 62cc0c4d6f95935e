"""meter_values without the (station_id, timestamp) index: the hot path's costliest write

Revision ID: 0005
Revises: 0004

Every sampled value is a row (eight or more per MeterValues). Each secondary index adds a
B-tree insert per row at a position spread over all stations, so a group commit dirties a
page per station and writes it to the WAL: on SQLite this index cost ~35 µs of CPU per
8-sample message (docs/performance.md). Nothing reads meter values by station and time;
by transaction they are still indexed.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meter_values") as batch:
        batch.drop_index(batch.f("ix_meter_values_station_id_timestamp"))


def downgrade() -> None:
    with op.batch_alter_table("meter_values") as batch:
        batch.create_index(
            batch.f("ix_meter_values_station_id_timestamp"), ["station_id", "timestamp"]
        )
