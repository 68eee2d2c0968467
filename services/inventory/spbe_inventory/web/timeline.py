"""The history timeline of a record as staff read it: each change with its fields before -> after,
its cause (pemindaian, pemeriksaan URL, impor, pengguna, data contoh), who and when.

Pure: it formats rows the history repository read (newest first), with the scans that ran in
their time span, so a change an event made can name the scan behind it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from spbe_common.catalogue import service_area_label
from spbe_common.events.enums import (
    ApplicationKind,
    ApplicationStatus,
    AssetCondition,
    AssetKind,
    HostingKind,
    Lifecycle,
    Platform,
)
from spbe_inventory.applications.service import PROBE_TRACKED
from spbe_inventory.history.models import CauseKind, ChangeAction, EntityKind
from spbe_inventory.infrastructure.models import LinkMedia
from spbe_inventory.opd.models import OpdKind

from .labels import field_label, label
from .render import number

PAGE = 50  # newest changes on a page; older ones behind "lebih lama"
# scan.completed arrives a moment after the scan's end: it still belongs to that scan
LATE = timedelta(minutes=5)
ENUM_FIELDS: dict[EntityKind, dict[str, type[StrEnum]]] = {
    EntityKind.ASSET: {"kind": AssetKind, "lifecycle": Lifecycle, "condition": AssetCondition},
    EntityKind.APPLICATION: {
        "kind": ApplicationKind,
        "platform": Platform,
        "hosting": HostingKind,
        "status": ApplicationStatus,
    },
    EntityKind.FACILITY: {"kind": HostingKind},
    EntityKind.OPD: {"kind": OpdKind},
    EntityKind.NETWORK_LINK: {"media": LinkMedia},
}
RUPIAH_FIELDS = frozenset({"acquisition_cost"})
# Fields that hold the id of another record: shown by its name (`Names`), else by its number.
REFERENCES = {
    "facility_id": "Fasilitas",
    "asset_ids": "Aset",
    "merged_from": "Aset",
    "merged_into": "Aset",
    "unmerged": "Aset",
    "unmerged_from": "Aset",
}
# What happened to the record rather than a field's value: no "before" to show.
EVENTS = frozenset({"merged_from", "merged_into", "unmerged", "unmerged_from"})
# The names of the records a page of history refers to: {field: {id: name}}.
Names = dict[str, dict[int, str]]
DATE_FIELDS = frozenset({"warranty_until", "licence_until"})  # ISO text in the catalogue


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    before: str
    after: str
    event: bool = False  # what happened (merged from asset X): one value, no before


@dataclass(frozen=True, slots=True)
class Entry:
    action: str
    at: datetime
    cause: str
    reference: str  # the scan, event or import behind the change ("" for a person's request)
    who: str
    changes: list[FieldChange]


@dataclass(frozen=True, slots=True)
class Timeline:
    entries: list[Entry]
    total: int
    offset: int

    @property
    def older(self) -> int | None:
        """Offset of the next (older) page, if any."""
        return self.offset + PAGE if self.offset + PAGE < self.total else None

    @property
    def newer(self) -> int | None:
        return max(self.offset - PAGE, 0) if self.offset > 0 else None


def build(
    entity: EntityKind,
    rows: Sequence[dict[str, Any]],
    total: int,
    offset: int,
    scans: Sequence[dict[str, Any]] = (),
    names: Names | None = None,
) -> Timeline:
    return Timeline([entry(entity, row, scans, names) for row in rows], total, offset)


def references(rows: Sequence[dict[str, Any]]) -> dict[str, set[int]]:
    """The ids of other records the rows name, by field (to look their names up)."""
    found: dict[str, set[int]] = {}
    for row in rows:
        for values in (row["before"] or {}, row["after"] or {}):
            for name, value in values.items():
                if name in REFERENCES:
                    items = value if isinstance(value, list) else [value]
                    ids = {v for v in items if isinstance(v, int) and not isinstance(v, bool)}
                    found.setdefault(name, set()).update(ids)
    return {name: ids for name, ids in found.items() if ids}


def entry(
    entity: EntityKind,
    row: dict[str, Any],
    scans: Sequence[dict[str, Any]],
    names: Names | None = None,
) -> Entry:
    before, after = row["before"] or {}, row["after"] or {}
    fields = list(after) + [name for name in before if name not in after]
    if row["before"] is None:  # a record created: the fields it was given
        fields = [name for name in fields if after.get(name) not in (None, "", [], {})]
    shown_before = row["before"] is not None
    changes = [
        FieldChange(
            field_label(name),
            text(entity, name, before.get(name), names) if shown_before else "",
            text(entity, name, after.get(name), names),
            name in EVENTS,
        )
        for name in fields
    ]
    cause, reference = cause_of(entity, row, scans)
    return Entry(label(ChangeAction, row["action"]), row["at"], cause, reference, who(row), changes)


def who(row: dict[str, Any]) -> str:
    if row["actor"]:
        return str(row["actor"])
    if row["cause_kind"] == CauseKind.REQUEST:
        return "Pengguna (akun tidak tercatat)"
    return "Sistem" if row["cause_kind"] == CauseKind.SAMPLE else "Kolektor (otomatis)"


def cause_of(
    entity: EntityKind, row: dict[str, Any], scans: Sequence[dict[str, Any]]
) -> tuple[str, str]:
    """(what caused the change, in Indonesian; the scan, event or request id behind it)."""
    kind, cause_id = row["cause_kind"], str(row["cause_id"])
    if kind == CauseKind.REQUEST:
        imported = cause_id.removeprefix("request:").startswith(("import", "impor"))
        # a request id means nothing to staff: "Oleh" names the account behind it
        return ("Impor", cause_id) if imported else ("Pengguna", "")
    if kind != CauseKind.EVENT:
        return label(CauseKind, kind), cause_id
    if entity is EntityKind.APPLICATION and set(row["after"] or {}) <= set(PROBE_TRACKED):
        return "Pemeriksaan URL", cause_id
    scan = scan_at(row["at"], scans)
    if scan is not None:
        return "Pemindaian", str(scan["scan_id"])
    if row["action"] == ChangeAction.MARKED_MISSING:
        return "Pemindaian", cause_id
    return label(CauseKind, kind), cause_id


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def scan_at(at: datetime, scans: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The scan that was running when an event made a change (scans of the record's scope)."""
    at = _aware(at)
    for scan in scans:
        started, finished = scan["started_at"], scan["finished_at"]
        if _aware(started) <= at and (finished is None or at <= _aware(finished) + LATE):
            return scan
    return None


def referenced(name: str, value: Any, names: Names | None) -> str:
    """Another record named by its id: its name when the page knows it, else its number."""
    known = (names or {}).get(name, {}).get(value) if isinstance(value, int) else None
    return known or f"{REFERENCES[name]} nomor {value}"


def text(entity: EntityKind, name: str, value: Any, names: Names | None = None) -> str:
    """A field's value as staff read it (`names`: of the records that ids refer to)."""
    if value is None or value == "" or value == [] or value == {}:
        return "-"
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if name in REFERENCES:
        items = value if isinstance(value, list) else [value]
        return ", ".join(referenced(name, item, names) for item in items)
    if name == "service_areas" and isinstance(value, list):
        return ", ".join(service_area_label(str(code)) for code in value)
    if name in RUPIAH_FIELDS and isinstance(value, int):
        return f"Rp {number(value)}"
    if name in DATE_FIELDS:
        return day(value)
    enum = ENUM_FIELDS.get(entity, {}).get(name)
    if enum is not None:
        return label(enum, value)
    if name == "services" and isinstance(value, dict):
        return "; ".join(f"{key} {_service(svc)}".strip() for key, svc in value.items())
    if isinstance(value, list):
        return ", ".join(text(entity, name, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {text(entity, k, v)}" for k, v in value.items())
    return str(value)


def day(value: date | str) -> str:
    """A calendar date as staff write it (dd-mm-yyyy); text that is not a date stays as it is."""
    try:
        return date.fromisoformat(str(value)[:10]).strftime("%d-%m-%Y")
    except ValueError:
        return str(value)


def _service(svc: Any) -> str:
    if not isinstance(svc, dict):
        return str(svc)
    return " ".join(str(svc[k]) for k in ("name", "product", "version") if svc.get(k))
