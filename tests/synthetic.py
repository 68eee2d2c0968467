"""Deterministic synthetic scan streams for tests and benchmarks (loopback addresses only).

Scope `i` belongs to OPD `OPD<i>`: `register_opd` puts those OPD in a catalogue first, since
scans of an OPD that does not exist are set aside."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address

from sqlalchemy import Engine, insert, select

from spbe_common.events import Event, EventType, new_event
from spbe_common.events.enums import ScanStatus
from spbe_common.events.payloads import (
    AssetObserved,
    ObservedService,
    ScanCompleted,
    ScanScope,
    ScanStarted,
)

SOURCE = "spbe-synthetic"
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
PRODUCTS = [
    ("http", "nginx", "1.24.0"),
    ("https", "Apache httpd", "2.4.62"),
    ("ssh", "OpenSSH", "9.2p1"),
    ("mysql", "MySQL", "8.0.36"),
    ("postgresql", "PostgreSQL DB", "15.8"),
]


def scope_of(index: int) -> ScanScope:
    return ScanScope(
        key=f"opd{index:02d}-lan",
        opd=f"OPD{index:02d}",
        ranges=[f"127.{index}.0.0/16"],
    )


def opd_codes(scopes: int) -> list[str]:
    """The OPD of the scopes `scan_stream(scopes=...)` scans (numbered from 1)."""
    return [scope_of(i).opd for i in range(1, scopes + 1)]


def register_opd(engine: Engine, codes: list[str] | None = None) -> None:
    """The OPD of the synthetic scopes (the first 100 unless named), where not there yet."""
    from spbe_inventory.opd.repository import OPD

    wanted = codes if codes is not None else opd_codes(100)
    with engine.begin() as conn:
        known = set(conn.execute(select(OPD.c.code).where(OPD.c.code.in_(wanted))).scalars())
        rows = [
            {"code": c, "name": f"OPD sintetis {c}", "kind": "agency", "aliases": []}
            | {"is_sample": False, "created_at": T0}
            for c in wanted
            if c not in known
        ]
        if rows:
            conn.execute(insert(OPD), rows)


def register_scan_opds(engine: Engine, events: list[Event]) -> None:
    """The OPD whose scopes these events scan, registered as Aptika would before scanning."""
    codes = {e.data.scope.opd for e in events if isinstance(e.data, ScanStarted | ScanCompleted)}
    if codes:
        register_opd(engine, sorted(codes))


def host_payload(
    rng: random.Random, scope_index: int, host: int, services: int, drift: bool
) -> AssetObserved:
    address = IPv4Address(f"127.{scope_index}.0.0") + host + 1
    mac = (
        None
        if host % 5 == 0
        else ":".join(
            f"{b:02X}" for b in (2, scope_index, *(host >> s & 0xFF for s in (24, 16, 8, 0)))
        )
    )
    chosen = [PRODUCTS[(host + k) % len(PRODUCTS)] for k in range(services)]
    svc = [
        ObservedService(
            port=[80, 443, 22, 3306, 5432][(host + k) % 5],
            name=name,
            product=product,
            version=version if not drift else version + "-1",
        )
        for k, (name, product, version) in enumerate(chosen)
    ]
    hostname = f"host{host}.opd{scope_index:02d}.test" if host % 3 else None
    return AssetObserved(
        addresses=[str(address)],
        mac=mac,
        hostname=hostname,
        os_guess="Linux 5.x" if host % 2 else None,
        services=svc,
    )


def scan_stream(
    *,
    scopes: int,
    hosts: int,
    scans: int,
    services: int = 2,
    seed: int = 7,
    absent_every: int = 0,
    partial_every: int = 0,
) -> Iterator[Event]:
    """`scans` rounds over `scopes` scopes of `hosts` hosts each; one host in `absent_every` is
    not seen in odd rounds; one round in `partial_every` ends partial."""
    rng = random.Random(seed)
    for round_no in range(scans):
        for s in range(1, scopes + 1):
            scope = scope_of(s)
            scan_id = f"scan-{round_no}-{s}"
            start = T0 + timedelta(hours=round_no * 24, minutes=s)
            yield new_event(
                EventType.SCAN_STARTED,
                ScanStarted(
                    scan_id=scan_id, scope=scope, profile="service-version", started_at=start
                ),
                source=SOURCE,
                scan_id=scan_id,
                scope=scope.key,
                time=start,
                event_id=f"{scan_id}-start",
            )
            seen = 0
            for h in range(hosts):
                if absent_every and round_no % 2 == 1 and h % absent_every == 0:
                    continue
                at = start + timedelta(milliseconds=h)
                data = host_payload(rng, s, h, services, drift=round_no >= 2 and h % 7 == 0)
                yield new_event(
                    EventType.ASSET_OBSERVED,
                    data,
                    source=SOURCE,
                    scan_id=scan_id,
                    scope=scope.key,
                    time=at,
                    event_id=f"{scan_id}-h{h}",
                )
                seen += 1
            status = (
                ScanStatus.PARTIAL
                if partial_every and round_no % partial_every == partial_every - 1
                else ScanStatus.COMPLETE
            )
            end = start + timedelta(minutes=1)
            done = ScanCompleted(
                scan_id=scan_id,
                scope=scope,
                profile="service-version",
                status=status,
                started_at=start,
                finished_at=end,
                hosts_up=seen,
            )
            yield new_event(
                EventType.SCAN_COMPLETED,
                done,
                source=SOURCE,
                scan_id=scan_id,
                scope=scope.key,
                time=end,
                event_id=f"{scan_id}-done",
            )
