"""Load the sample catalogue of a regency (Kabupaten Serang), marked as sample data."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import Connection, select, update

from spbe_inventory.applications import service as applications
from spbe_inventory.applications.repository import APPLICATION
from spbe_inventory.assets.identity import Identity
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.assets.service import AssetUnitOfWork, Declaration
from spbe_inventory.db import utcnow
from spbe_inventory.history.models import CauseKind, ChangeAction, EntityKind
from spbe_inventory.history.service import Cause, ChangeLog
from spbe_inventory.infrastructure.repository import FACILITY, NETWORK_LINK, insert_one
from spbe_inventory.opd import repository as opd_repo

SAMPLE_FILE = "kabupaten_serang.yaml"
API_URL = "{api_url}"  # in a sample URL: the API's own address, so that its probe answers
DEFAULT_API_URL = "http://127.0.0.1:8000"  # InventorySettings' default host and port


@dataclass(frozen=True)
class SampleSummary:
    loaded: bool
    opd: int = 0
    facilities: int = 0
    network_links: int = 0
    assets: int = 0
    applications: int = 0


def read_sample() -> dict[str, Any]:
    text = resources.files(__package__).joinpath(SAMPLE_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_sample(conn: Connection, api_url: str = DEFAULT_API_URL) -> SampleSummary:
    """Idempotent: a catalogue that already holds the sample OPD is left as it is. `api_url`
    (InventorySettings.api_url) is where the sample's local application answers."""
    data = read_sample()
    if opd_repo.exists(conn, data["opd"][0]["code"]):
        return SampleSummary(loaded=False)
    cause = Cause(CauseKind.SAMPLE, "sample:kabupaten-serang", utcnow())
    changes = ChangeLog()
    opd = _load_opd(conn, data, cause, changes)
    facilities = _load_rows(conn, FACILITY, EntityKind.FACILITY, data["facilities"], cause, changes)
    links = _load_rows(conn, NETWORK_LINK, EntityKind.NETWORK_LINK, _links(data), cause, changes)
    runs_on = _load_servers(conn, data["servers"], cause, changes)
    app_ids = _load_applications(conn, data, runs_on, api_url, cause, changes)
    changes.flush(conn)
    return SampleSummary(True, opd, facilities, links, len(data["servers"]), len(app_ids))


def _load_opd(conn: Connection, data: dict[str, Any], cause: Cause, changes: ChangeLog) -> int:
    rows = [{"kind": "agency", "aliases": [], "abbreviation": None, **o} for o in data["opd"]]
    rows += [
        {
            "code": "KEC-" + name.upper().replace(" ", ""),
            "name": f"Kecamatan {name}",
            "abbreviation": None,
            "kind": "kecamatan",
            "aliases": [],
        }
        for name in data["kecamatan"]
    ]
    for row in rows:
        values = {**row, "is_sample": True, "created_at": cause.at}
        opd_id = opd_repo.insert_one(conn, values)
        changes.record(EntityKind.OPD, opd_id, ChangeAction.CREATED, None, row, cause)
    return len(rows)


def _links(data: dict[str, Any]) -> list[dict[str, Any]]:
    spec = data["network_links"]
    return [
        {
            "opd_code": code,
            "site": f"Kantor {code} (contoh fiktif)",
            "media": spec["media"],
            "bandwidth_mbps": spec["bandwidth_mbps"],
            "owner": "DISKOMINFOSATIK",
            "operator": "Bidang Aptika",
            "on_intra_network": True,
            "jip_interconnected": False,
        }
        for code in spec["sites"]
    ]


def _load_rows(
    conn: Connection,
    table: Any,
    entity: EntityKind,
    rows: list[dict[str, Any]],
    cause: Cause,
    changes: ChangeLog,
) -> int:
    for row in rows:
        created = insert_one(conn, table, {**row, "is_sample": True, "created_at": cause.at})
        changes.record(entity, created["id"], ChangeAction.CREATED, None, row, cause)
    return len(rows)


def _load_servers(
    conn: Connection, servers: list[dict[str, Any]], cause: Cause, changes: ChangeLog
) -> dict[str, int]:
    uow = AssetUnitOfWork(conn, changes)
    facility_of = {name: id_ for id_, name in conn.execute(select(FACILITY.c.id, FACILITY.c.name))}
    states = {}
    for server in servers:
        fields: dict[str, Any] = {
            k: server[k] for k in ("name", "kind", "hostname", "location") if k in server
        }
        fields.update(
            opd_code=server["opd"], address=server["addresses"][0], addresses=server["addresses"]
        )
        if server.get("location") in facility_of:  # placed in one of the sample facilities
            fields["facility_id"] = facility_of[server["location"]]
        for key in ("mac", "serial"):
            if key in server:
                fields[key] = server[key]
        ident = Identity(
            server.get("mac"),
            server.get("serial"),
            tuple(server["addresses"]),
            server["hostname"],
            None,
        )
        states[server["name"]] = (
            uow.declare(Declaration(ident, fields, cause)),
            server.get("runs", []),
        )
    uow.flush()
    ids = {name: int(state.id or 0) for name, (state, _) in states.items()}
    conn.execute(update(ASSET).where(ASSET.c.id.in_(list(ids.values()))).values(is_sample=True))
    return {app: ids[name] for name, (_, runs) in states.items() for app in runs}


def _load_applications(
    conn: Connection,
    data: dict[str, Any],
    runs_on: dict[str, int],
    api_url: str,
    cause: Cause,
    changes: ChangeLog,
) -> list[int]:
    facility = conn.execute(select(FACILITY.c.id).order_by(FACILITY.c.id)).scalars().first()
    ids = []
    for app in data["applications"]:
        fields = {k: v for k, v in app.items() if k != "opd"}
        fields["opd_code"] = app["opd"]
        if "urls" in app:
            fields["urls"] = [url.replace(API_URL, api_url) for url in app["urls"]]
        if fields.get("hosting") == "pusat_data_pemda" or app["name"] in runs_on:
            fields.update(hosting="pusat_data_pemda", facility_id=facility)
        if app["name"] in runs_on:
            fields["asset_ids"] = [runs_on[app["name"]]]
        ids.append(applications.declare(conn, changes, fields, cause))
    conn.execute(update(APPLICATION).where(APPLICATION.c.id.in_(ids)).values(is_sample=True))
    return ids
