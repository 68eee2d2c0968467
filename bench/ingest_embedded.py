"""Ingest 100,000 asset.observed events through the embedded log into SQLite.

Workload: 5 scopes x 4,000 hosts, 5 scan rounds (a new catalogue, then repeat sightings with
some version drift and absences), 2 services per host. Prints key=value lines.
Run: .venv/bin/python bench/ingest_embedded.py [--hosts 4000 --scans 5 --scopes 5]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from spbe_common.bus import EmbeddedBus, publish
from spbe_common.events import EventType
from spbe_inventory import migrate
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.db import make_engine
from spbe_inventory.history.service import HISTORY
from spbe_inventory.ingest.consumer import InventoryConsumer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from synthetic import opd_codes, register_opd, scan_stream


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scopes", type=int, default=5)
    parser.add_argument("--hosts", type=int, default=4000)
    parser.add_argument("--scans", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bus = EmbeddedBus(Path(tmp) / "events.db")
        producer = bus.producer()
        started = time.perf_counter()
        stream = scan_stream(
            scopes=args.scopes, hosts=args.hosts, scans=args.scans, absent_every=50
        )
        published = publish(producer, stream)
        producer.flush()
        publish_s = time.perf_counter() - started
        engine = make_engine(f"sqlite:///{tmp}/inventory.db")
        migrate.upgrade(engine)
        register_opd(engine, opd_codes(args.scopes))
        consumer = InventoryConsumer(
            engine, bus, group_id="bench", batch_size=args.batch, poll_timeout_s=0.01
        )
        observed = 0
        rss_marks = []
        started = time.perf_counter()
        cpu_started = time.process_time()
        while (result := consumer.step()) is not None:
            observed += result.ingested.get(EventType.ASSET_OBSERVED.value, 0)
            rss_marks.append(rss_mb())
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        with engine.connect() as conn:
            assets = conn.execute(select(func.count()).select_from(ASSET)).scalar_one()
            history = conn.execute(select(func.count()).select_from(HISTORY)).scalar_one()
        quarter = max(1, len(rss_marks) // 4)
        print(f"events_published={published}")
        print(f"publish_per_s={published / publish_s:.0f}")
        print(f"asset_observed_events={observed}")
        print(f"assets={assets}")
        print(f"history_rows={history}")
        print(f"ingest_s={elapsed:.2f}")
        print(f"events_per_s={observed / elapsed:.0f}")
        print(f"events_per_cpu_s={observed / cpu:.0f}")
        print(f"rss_after_first_quarter_mb={rss_marks[quarter - 1]:.1f}")
        print(f"peak_rss_mb={rss_mb():.1f}")


if __name__ == "__main__":
    main()
