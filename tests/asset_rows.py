"""Asset rows that exercise every kind of column of the asset list, in two OPD (the API's
asset-page tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from spbe_common.db import begin_write
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.opd.repository import OPD

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
MINE, OTHER = "OPD-A", "OPD-B"


def asset(n: int) -> dict[str, Any]:
    """Rows that exercise every kind of column: timestamps with and without microseconds,
    JSON, booleans, NULLs, register facts, text that JSON must escape."""
    seen = T0 + timedelta(hours=n, microseconds=(n % 3) * 250_000)
    return {
        "name": f'Aset "{n}" ü\n' if n % 4 else None,
        "kind": ("server", "vm", "network_device")[n % 3],
        "hostname": f"host-{n:03d}.test",
        "mac": f"02:00:00:00:00:{n:02X}",
        "serial": None,
        "opd_code": MINE if n % 3 else OTHER,
        "location": None,
        "owner": None,
        "facility_id": None,
        "address": f"127.80.0.{n + 1}",
        "addresses": [f"127.80.0.{n + 1}"],
        "os_guess": None,
        "vendor": "Dell" if n % 2 else None,
        "lifecycle": "active" if n % 5 else "missing",
        "first_seen": seen,
        "last_seen": seen if n % 7 else None,
        "scope": "a-lan",
        "last_scan_id": None,
        "identity_rule": "mac",
        "fingerprint": None,
        "observed": {},
        "declared": {},
        "is_sample": n % 6 == 0,
        "procurement_year": 2020 + n % 5 if n % 2 else None,
        "acquisition_cost": 15_000_000_000 + n if n % 2 else None,
        "warranty_until": "2027-12-31" if n % 2 else None,
        "notes": "tab\there, quote ' and \\ backslash" if n % 2 else None,
        "created_at": T0,
        "updated_at": T0,
    }


def fill(engine: Engine, count: int = 40) -> None:
    with begin_write(engine) as conn:
        conn.execute(
            insert(OPD),
            [{"code": code, "name": f"Dinas {code}", "abbreviation": None, "kind": "agency",
              "aliases": [], "is_sample": False, "created_at": T0} for code in (MINE, OTHER)],
        )  # fmt: skip
        conn.execute(insert(ASSET), [asset(n) for n in range(count)])
