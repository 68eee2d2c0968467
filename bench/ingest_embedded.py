"""Ingest 100,000 asset.observed events through the embedded log into SQLite.

Workload: 5 scopes x 4,000 hosts, 5 scan rounds (a new catalogue, then repeat sightings with
some version drift and absences), 2 services per host. Prints key=value lines.
Ends with `check=ok` when the catalogue equals the reference run's (bench/_catalogue.py).
Run: .venv/bin/python bench/ingest_embedded.py [--hosts 4000 --scans 5 --scopes 5] [--profile]
The consumer's process settles its garbage collector as `spbe consume` does (spbe_common.heap);
`--gc-default` leaves Python's defaults, to see what that is worth. `gc_s`: time in collections.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

from spbe_common import heap
from spbe_common.bus import EmbeddedBus, publish
from spbe_common.events import EventType
from spbe_inventory import migrate
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.consumer import InventoryConsumer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _catalogue import check
from _gc import CollectionTimer
from synthetic import opd_codes, register_opd, scan_stream

ABSENT_EVERY = 50


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scopes", type=int, default=5)
    parser.add_argument("--hosts", type=int, default=4000)
    parser.add_argument("--scans", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="cProfile the ingest phase")
    parser.add_argument(
        "--gc-default", action="store_true", help="do not settle the garbage collector"
    )
    args = parser.parse_args()
    workload = {
        "scopes": args.scopes,
        "hosts": args.hosts,
        "scans": args.scans,
        "absent_every": ABSENT_EVERY,
    }
    with tempfile.TemporaryDirectory() as tmp:
        bus = EmbeddedBus(Path(tmp) / "events.db")
        producer = bus.producer()
        started = time.perf_counter()
        published = publish(producer, scan_stream(**workload))
        producer.flush()
        publish_s = time.perf_counter() - started
        engine = make_engine(f"sqlite:///{tmp}/inventory.db")
        migrate.upgrade(engine)
        register_opd(engine, opd_codes(args.scopes))
        consumer = InventoryConsumer(
            engine, bus, group_id="bench", batch_size=args.batch, poll_timeout_s=0.01
        )
        if not args.gc_default:
            heap.settle()  # as `spbe consume` does once its consumer is built
        observed = 0
        rss_marks = []
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        cpu_started = time.process_time()
        if profiler:
            profiler.enable()
        with CollectionTimer() as collections:
            while (result := consumer.step()) is not None:
                observed += result.ingested.get(EventType.ASSET_OBSERVED.value, 0)
                rss_marks.append(rss_mb())
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        if profiler:
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(25)
            stats.sort_stats("tottime").print_stats(25)
        peak_rss = rss_mb()  # before the check, which holds the whole catalogue in memory
        found = check(engine, **workload)
        quarter = max(1, len(rss_marks) // 4)
        print(f"events_published={published}")
        print(f"publish_per_s={published / publish_s:.0f}")
        print(f"asset_observed_events={observed}")
        print(f"assets={found['assets']}")
        print(f"history_rows={found['history_rows']}")
        print(f"ingest_s={elapsed:.2f}")
        print(f"events_per_s={observed / elapsed:.0f}")
        print(f"cpu_s={cpu:.2f}")
        print(f"events_per_cpu_s={observed / cpu:.0f}")
        print(f"gc_s={collections.seconds:.2f}")
        print(f"gc_collections={collections.collections}")
        print(f"rss_after_first_quarter_mb={rss_marks[quarter - 1]:.1f}")
        print(f"peak_rss_mb={peak_rss:.1f}")


if __name__ == "__main__":
    main()
