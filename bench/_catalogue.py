"""A benchmark's catalogue against a reference run: row counts and a checksum of the content.

A fast wrong answer must fail: after ingesting, a benchmark fingerprints its catalogue (assets,
their services, their history) by natural keys, leaving out what differs between two correct
runs (row ids, wall-clock times, the order consumers happened to write in), and compares it
with bench/reference.json, recorded by `python bench/_catalogue.py record` from a run of the
code before the throughput work (commit db94ef0) on the same workload.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, select

from spbe_inventory.assets.repository import ASSET, SERVICE
from spbe_inventory.history.service import HISTORY

REFERENCE = Path(__file__).with_name("reference.json")
LEFT_OUT = {"id", "asset_id", "created_at", "updated_at"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _row(row: Any, columns: list[str]) -> dict[str, Any]:
    return {name: _plain(row._mapping[name]) for name in columns}


def _digest(rows: list[Any]) -> str:
    lines = sorted(orjson.dumps(row, option=orjson.OPT_SORT_KEYS) for row in rows)
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


def fingerprint(engine: Engine) -> dict[str, Any]:
    """Counts and one checksum of assets, services and history, independent of row ids."""
    asset_columns = [c.name for c in ASSET.columns if c.name not in LEFT_OUT]
    service_columns = [c.name for c in SERVICE.columns if c.name not in LEFT_OUT]
    with engine.connect() as conn:
        assets = {row.id: _row(row, asset_columns) for row in conn.execute(select(ASSET))}
        key = {
            asset_id: (a["mac"], a["serial"], a["scope"], a["address"])
            for asset_id, a in assets.items()
        }
        services = {}
        for row in conn.execute(select(SERVICE)):
            services[row.id] = {"asset": key[row.asset_id], **_row(row, service_columns)}
        history = []
        for row in conn.execute(select(HISTORY)):
            entry = _row(row, [c.name for c in HISTORY.columns if c.name not in LEFT_OUT])
            found: Any = {"asset": key, "service": services}.get(entry["entity"], {})
            target = found.get(entry.pop("entity_id"), None)
            entry["of"] = (
                target
                if not isinstance(target, dict)
                else [target["asset"], target["port"], target["protocol"]]
            )
            history.append(entry)
    return {
        "assets": len(assets),
        "services": len(services),
        "history_rows": len(history),
        "checksum": _digest([*assets.values(), *services.values(), *history])[:32],
    }


def workload_key(**params: Any) -> str:
    return ",".join(f"{name}={params[name]}" for name in sorted(params))


def check(engine: Engine, **workload: Any) -> dict[str, Any]:
    """Print the fingerprint and `check=`; exit 1 when it differs from the reference."""
    found = fingerprint(engine)
    print(f"catalogue_checksum={found['checksum']}")
    reference = json.loads(REFERENCE.read_text()).get(workload_key(**workload))
    if reference is None:
        print("check=no-reference")  # a workload of other sizes: nothing recorded to compare
        return found
    if found != reference:
        print("check=FAILED")
        print(f"catalogue differs from the reference run: {found} != {reference}", file=sys.stderr)
        raise SystemExit(1)
    print("check=ok")
    return found


def record(engine: Engine, **workload: Any) -> None:
    """Store this run's fingerprint as the reference of its workload."""
    known = json.loads(REFERENCE.read_text()) if REFERENCE.exists() else {}
    known[workload_key(**workload)] = fingerprint(engine)
    REFERENCE.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n")


def main() -> None:
    """`record`: ingest a workload through the embedded log into SQLite with the code on the
    path (PYTHONPATH=<a checkout of the reference commit>/libs:.../services/inventory) and
    store its fingerprint as the reference."""
    import argparse
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from synthetic import opd_codes, register_opd, scan_stream

    from spbe_common.bus import EmbeddedBus, publish
    from spbe_inventory import migrate
    from spbe_inventory.db import make_engine
    from spbe_inventory.ingest.consumer import InventoryConsumer

    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["record"])
    for name in ("scopes", "hosts", "scans", "absent-every"):
        parser.add_argument(f"--{name}", type=int, required=True)
    args = parser.parse_args()
    workload = {
        "scopes": args.scopes,
        "hosts": args.hosts,
        "scans": args.scans,
        "absent_every": args.absent_every,
    }
    with tempfile.TemporaryDirectory() as tmp:
        bus = EmbeddedBus(Path(tmp) / "events.db")
        producer = bus.producer()
        publish(producer, scan_stream(**workload))
        producer.flush()
        engine = make_engine(f"sqlite:///{tmp}/inventory.db")
        migrate.upgrade(engine)
        register_opd(engine, opd_codes(args.scopes))
        consumer = InventoryConsumer(engine, bus, group_id="ref", batch_size=1000, poll_timeout_s=0)
        consumer.drain()
        record(engine, **workload)
        print(workload_key(**workload), fingerprint(engine))


if __name__ == "__main__":
    main()
