"""The history timeline as staff read it: causes in Indonesian, the scan behind a change made by
an event, values of closed vocabularies by their labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from spbe_inventory.history.models import EntityKind
from spbe_inventory.web import timeline
from spbe_inventory.web.labels import field_label

AT = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
SCAN = {"scan_id": "scan-7", "started_at": AT - timedelta(minutes=2), "finished_at": AT}


def row(**changes: Any) -> dict[str, Any]:
    base = {
        "action": "updated",
        "before": {"lifecycle": "active"},
        "after": {"lifecycle": "missing"},
        "cause_kind": "event",
        "cause_id": "evt-1",
        "actor": None,
        "at": AT,
    }
    return {**base, **changes}


def test_a_change_by_an_event_names_the_scan_that_was_running() -> None:
    entry = timeline.entry(EntityKind.ASSET, row(), [SCAN])
    assert (entry.cause, entry.reference, entry.who) == (
        "Pemindaian",
        "scan-7",
        "Kolektor (otomatis)",
    )
    assert [(c.name, c.before, c.after) for c in entry.changes] == [
        ("Status siklus hidup", "Aktif", "Hilang")
    ]


def test_an_event_outside_any_scan_and_a_probe_and_a_person() -> None:
    late = timeline.entry(EntityKind.ASSET, row(at=AT + timedelta(hours=1)), [SCAN])
    assert (late.cause, late.reference) == ("Kejadian dari kolektor", "evt-1")
    probe = row(before={"reachable": True}, after={"reachable": False})
    assert timeline.entry(EntityKind.APPLICATION, probe, []).cause == "Pemeriksaan URL"
    person = timeline.entry(
        EntityKind.ASSET, row(cause_kind="request", cause_id="request:abc", actor="budi"), []
    )
    assert (person.cause, person.who) == ("Pengguna", "budi")


def test_a_created_record_lists_the_fields_it_was_given() -> None:
    created = row(action="created", before=None, after={"name": "srv", "serial": None})
    entry = timeline.entry(EntityKind.ASSET, created, [])
    assert entry.action == "Dibuat"
    assert [(c.name, c.after) for c in entry.changes] == [("Nama", "srv")]


def test_pages_of_fifty() -> None:
    first = timeline.build(EntityKind.ASSET, [], 120, 0)
    assert (first.newer, first.older) == (None, 50)
    last = timeline.build(EntityKind.ASSET, [], 120, 100)
    assert (last.newer, last.older) == (50, None)


def test_service_areas_and_references_read_as_words() -> None:
    areas = ["kepegawaian", "publik_sektor:informasi_publik"]
    shown = timeline.text(EntityKind.APPLICATION, "service_areas", areas)
    assert shown == "Kepegawaian, Informasi Publik"
    assert timeline.text(EntityKind.ASSET, "facility_id", 1) == "Fasilitas nomor 1"
    assert field_label("is_sample") == "Data contoh"


def test_a_persons_change_names_the_account_not_the_request_id() -> None:
    person = row(cause_kind="request", cause_id="request:628fd536-aaaa", actor="budi")
    entry = timeline.entry(EntityKind.ASSET, person, [])
    assert (entry.cause, entry.reference, entry.who) == ("Pengguna", "", "budi")
    unknown = timeline.entry(EntityKind.ASSET, row(cause_kind="request", cause_id="request:x"), [])
    assert unknown.who == "Pengguna (akun tidak tercatat)" and unknown.reference == ""
    imported = row(cause_kind="request", cause_id="impor dinkes.xlsx oleh budi", actor="budi")
    assert timeline.entry(EntityKind.ASSET, imported, []).reference == "impor dinkes.xlsx oleh budi"


def test_records_named_by_id_read_by_their_names() -> None:
    placed = row(before={"facility_id": None}, after={"facility_id": 1, "merged_from": 21})
    assert timeline.references([placed]) == {"facility_id": {1}, "merged_from": {21}}
    names = {"facility_id": {1: "Pusat Data Pemda"}, "merged_from": {21: "srv-simpeg"}}
    entry = timeline.entry(EntityKind.ASSET, placed, [], names)
    assert [(c.name, c.before, c.after, c.event) for c in entry.changes] == [
        ("Fasilitas", "-", "Pusat Data Pemda", False),
        ("Digabungkan dari aset", "-", "srv-simpeg", True),
    ]
    servers = row(before={"asset_ids": [3]}, after={"asset_ids": [3, 4]})
    shown = timeline.entry(EntityKind.APPLICATION, servers, [], {"asset_ids": {3: "srv-a"}})
    assert (shown.changes[0].before, shown.changes[0].after) == ("srv-a", "srv-a, Aset nomor 4")
