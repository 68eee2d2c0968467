"""repeat sightings update rows in place: ix_asset_last_seen and ix_service_asset_id dropped,
free space kept in asset and service pages on PostgreSQL

A repeat sighting writes only asset.last_seen/last_scan_id and service.last_seen. With no index
on those columns and room left in the page (fillfactor), PostgreSQL makes it a heap-only (HOT)
update instead of a new entry in each of the table's indexes (issue 15: index maintenance was
most of the consumer's time on PostgreSQL). Nothing looked assets up by last_seen alone (missing
marking goes through scope); the unique (asset_id, port, protocol) serves what
ix_service_asset_id did. Existing pages get the free space as rows are rewritten.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 16:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILLFACTOR = 85


def upgrade() -> None:
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_last_seen"))
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_asset_id"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE asset SET (fillfactor = {FILLFACTOR})")
        op.execute(f"ALTER TABLE service SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE service RESET (fillfactor)")
        op.execute("ALTER TABLE asset RESET (fillfactor)")
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_asset_id"), ["asset_id"], unique=False)
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_last_seen"), ["last_seen"], unique=False)
