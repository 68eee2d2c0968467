"""repeat sightings stay on their page: half of each asset and service page kept free on
PostgreSQL; ix_asset_mac dropped (uq_asset_mac serves every lookup by MAC)

Migration 0014 left 15 % of each page free so that a repeat sighting (asset.last_seen and
last_scan_id, service.last_seen) is a heap-only (HOT) update. But a batch sees a scope's hosts
again together, so one transaction updates most rows of a page, and the versions it replaces
cannot be pruned before it commits: every new version needs room on the page. With 15 % free,
28 % of asset updates (23 % of service updates) were heap-only; the rest wrote a new entry into
each of the table's indexes. With half the page free: 70 % (tests/integration/inventory/
test_sighting_storage.py). `bench/ingest_floor.py --postgres` (the consumer's statements
replayed bare) measured the database's share of the workload at 13.1 s with 85 %, 10.3 s with
70 %, 8.3 s with 60 % and 6.9 s with 50 % (ix_asset_mac gone too); `bench/ingest_kafka.py` went
from 4,124-5,792 to 5,361-6,866 events/s, five runs each, alternating. Pages half full cost
space (twice the heap of a packed table), not reads through an index.

ix_asset_mac duplicated uq_asset_mac (mac) WHERE mac IS NOT NULL: every lookup by MAC (`mac = ?`,
`mac IN (...)`, `mac = ANY(...)`) implies the MAC is not NULL, so both databases use the unique
index; the plain one was one more index to write for every new asset and every moved row.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 00:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILLFACTOR = 50
BEFORE = 85  # migration 0014's


def upgrade() -> None:
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_mac"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE asset SET (fillfactor = {FILLFACTOR})")
        op.execute(f"ALTER TABLE service SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE service SET (fillfactor = {BEFORE})")
        op.execute(f"ALTER TABLE asset SET (fillfactor = {BEFORE})")
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_mac"), ["mac"], unique=False)
