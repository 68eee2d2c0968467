"""End to end over the embedded log: events -> consumer -> catalogue -> API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from spbe_common.events import EventType, Topic, new_event, to_binary
from spbe_common.events.enums import ScanStatus
from spbe_common.events.payloads import (
    AssetDeclared,
    AssetObserved,
    ObservedService,
    ScanCompleted,
    ScanScope,
    ScanStarted,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BAPPEDA = ScanScope(key="bapperida-lan", opd="BAPPERIDA", ranges=["127.20.0.0/24"])
DINKES = ScanScope(key="dinkes-lan", opd="DINKES", ranges=["127.21.0.0/24"])


def host(
    address: str, mac: str | None = None, hostname: str | None = None, **services: str
) -> AssetObserved:
    svc = [ObservedService(port=int(p.removeprefix("p")), name=n) for p, n in services.items()]
    return AssetObserved(addresses=[address], mac=mac, hostname=hostname, services=svc)


def scan(
    scope: ScanScope,
    scan_id: str,
    start: datetime,
    hosts: list[AssetObserved],
    status: ScanStatus = ScanStatus.COMPLETE,
) -> list:
    common = {"source": "test-collector", "scan_id": scan_id, "scope": scope.key}
    events = [
        new_event(
            EventType.SCAN_STARTED,
            ScanStarted(scan_id=scan_id, scope=scope, profile="common-ports", started_at=start),
            time=start,
            **common,
        )
    ]
    for i, data in enumerate(hosts):
        events.append(
            new_event(
                EventType.ASSET_OBSERVED, data, time=start + timedelta(seconds=i + 1), **common
            )
        )
    done = ScanCompleted(
        scan_id=scan_id,
        scope=scope,
        profile="common-ports",
        status=status,
        started_at=start,
        finished_at=start + timedelta(minutes=5),
        hosts_up=len(hosts),
    )
    events.append(
        new_event(EventType.SCAN_COMPLETED, done, time=start + timedelta(minutes=5), **common)
    )
    return events


def assets_by_address(inventory) -> dict[str, dict]:
    return {a["address"]: a for a in inventory.get("/api/v1/assets", limit=500)["data"]}


def test_observed_assets_appear_with_first_last_seen_and_services(inventory):
    first = scan(
        BAPPEDA,
        "s1",
        T0,
        [host("127.20.0.2", "02:00:00:00:00:02", "web", p80="http", p443="https")],
    )
    second = scan(
        BAPPEDA,
        "s2",
        T0 + timedelta(days=1),
        [host("127.20.0.2", "02:00:00:00:00:02", "web", p80="http", p443="https")],
    )
    inventory.publish(first + second)
    inventory.drain()

    asset = assets_by_address(inventory)["127.20.0.2"]
    assert asset["mac"] == "02:00:00:00:00:02"
    assert asset["opd_code"] == "BAPPERIDA"  # from the scan's scope
    assert asset["first_seen"].startswith("2026-03-02T08:00:01")
    assert asset["last_seen"].startswith("2026-03-03T08:00:01")
    assert asset["identity_rule"] == "mac"
    detail = inventory.get(f"/api/v1/assets/{asset['id']}")
    assert [(s["port"], s["name"]) for s in detail["services"]] == [(80, "http"), (443, "https")]
    assert all(s["last_seen"].startswith("2026-03-03T08:00:01") for s in detail["services"])
    services = inventory.get("/api/v1/services", port=443)
    assert services["count"] == 1 and services["data"][0]["asset_id"] == asset["id"]


def test_a_duplicate_event_changes_nothing(inventory):
    events = scan(BAPPEDA, "s1", T0, [host("127.20.0.2", "02:00:00:00:00:02", p22="ssh")])
    inventory.publish(events)
    inventory.drain()
    before_assets = inventory.rows("SELECT * FROM asset")
    before_history = inventory.rows("SELECT * FROM history")
    before_services = inventory.rows("SELECT * FROM service")

    inventory.publish(events)  # at-least-once: the whole stream again, same event ids
    inventory.drain()

    assert inventory.rows("SELECT * FROM asset") == before_assets
    assert inventory.rows("SELECT * FROM history") == before_history
    assert inventory.rows("SELECT * FROM service") == before_services


def test_complete_scan_marks_unseen_assets_of_its_scope_missing_only(inventory):
    inventory.publish(
        scan(
            BAPPEDA,
            "b1",
            T0,
            [host("127.20.0.2", "02:00:00:00:00:02"), host("127.20.0.3", "02:00:00:00:00:03")],
        )
    )
    inventory.publish(scan(DINKES, "d1", T0, [host("127.21.0.2", "02:00:00:00:00:12")]))
    # the second complete Bappeda scan no longer sees .3; Dinkes is not scanned again
    inventory.publish(
        scan(BAPPEDA, "b2", T0 + timedelta(days=1), [host("127.20.0.2", "02:00:00:00:00:02")])
    )
    inventory.drain()

    assets = assets_by_address(inventory)
    assert assets["127.20.0.2"]["lifecycle"] == "active"
    assert assets["127.20.0.3"]["lifecycle"] == "missing"  # never deleted
    assert assets["127.21.0.2"]["lifecycle"] == "active"  # another scope is untouched
    history = inventory.get(f"/api/v1/assets/{assets['127.20.0.3']['id']}/history")["data"]
    assert history[0]["action"] == "marked_missing"
    scans = {s["scan_id"]: s for s in inventory.get("/api/v1/scans")["data"]}
    assert scans["b2"]["status"] == "complete" and scans["b2"]["marked_missing"] == 1


def test_partial_or_failed_scan_marks_nothing(inventory):
    inventory.publish(
        scan(
            BAPPEDA,
            "b1",
            T0,
            [host("127.20.0.2", "02:00:00:00:00:02"), host("127.20.0.3", "02:00:00:00:00:03")],
        )
    )
    inventory.publish(
        scan(
            BAPPEDA,
            "b2",
            T0 + timedelta(days=1),
            [host("127.20.0.2", "02:00:00:00:00:02")],
            ScanStatus.PARTIAL,
        )
    )
    inventory.publish(scan(BAPPEDA, "b3", T0 + timedelta(days=2), [], ScanStatus.FAILED))
    inventory.drain()

    assets = assets_by_address(inventory)
    assert {a["lifecycle"] for a in assets.values()} == {"active"}
    assert inventory.get("/api/v1/scans", scope="bapperida-lan")["count"] == 3


def test_missing_asset_seen_again_reappears(inventory):
    inventory.publish(scan(BAPPEDA, "b1", T0, [host("127.20.0.3", "02:00:00:00:00:03")]))
    inventory.publish(scan(BAPPEDA, "b2", T0 + timedelta(days=1), []))
    inventory.publish(
        scan(BAPPEDA, "b3", T0 + timedelta(days=2), [host("127.20.0.3", "02:00:00:00:00:03")])
    )
    inventory.drain()

    asset = assets_by_address(inventory)["127.20.0.3"]
    assert asset["lifecycle"] == "active"
    actions = [h["action"] for h in inventory.get(f"/api/v1/assets/{asset['id']}/history")["data"]]
    assert actions == ["reappeared", "marked_missing", "created"]


def test_declared_owner_survives_later_observations(inventory):
    inventory.publish(
        scan(BAPPEDA, "b1", T0, [host("127.20.0.2", "02:00:00:00:00:02", "old-name")])
    )
    inventory.drain()
    asset = assets_by_address(inventory)["127.20.0.2"]
    # a Telematika officer declares the real owner, OPD and hostname
    _seed_opd(inventory, "DISKOMINFOSATIK")
    patch = {"owner": "Bidang Aptika", "opd_code": "DISKOMINFOSATIK", "hostname": "srv-jdih"}
    response = inventory.client.patch(
        f"/api/v1/assets/{asset['id']}", json=patch, headers={"X-Request-ID": "req-42"}
    )
    assert response.status_code == 200, response.text

    later = scan(
        BAPPEDA,
        "b2",
        T0 + timedelta(days=1),
        [host("127.20.0.2", "02:00:00:00:00:02", "scanner-says-this", p80="http")],
    )
    inventory.publish(later)
    inventory.drain()

    detail = inventory.get(f"/api/v1/assets/{asset['id']}")
    assert detail["owner"] == "Bidang Aptika"
    assert detail["opd_code"] == "DISKOMINFOSATIK"  # the scan's scope says BAPPERIDA: declared wins
    assert detail["hostname"] == "srv-jdih"
    assert detail["observed"]["hostname"] == "scanner-says-this"  # observed state is kept apart
    assert detail["declared"]["owner"] == "Bidang Aptika"
    assert [s["port"] for s in detail["services"]] == [80]


def _seed_opd(inventory, code: str) -> None:
    response = inventory.client.post("/api/v1/opd", json={"code": code, "name": f"Dinas {code}"})
    assert response.status_code == 201, response.text


def test_history_shows_before_after_and_cause(inventory):
    first = scan(BAPPEDA, "b1", T0, [host("127.20.0.2", "02:00:00:00:00:02", "web")])
    second = scan(
        BAPPEDA,
        "b2",
        T0 + timedelta(days=1),
        [host("127.20.0.2", "02:00:00:00:00:02", "web2", p80="http")],
    )
    inventory.publish(first + second)
    inventory.drain()
    asset = assets_by_address(inventory)["127.20.0.2"]
    _seed_opd(inventory, "DISKOMINFOSATIK")
    inventory.client.patch(
        f"/api/v1/assets/{asset['id']}",
        json={"owner": "Bidang Aptika"},
        headers={"X-Request-ID": "req-7"},
    )

    history = inventory.get(f"/api/v1/assets/{asset['id']}/history")["data"]
    declared, observed, created = history
    assert created["action"] == "created" and created["before"] is None
    assert created["cause_kind"] == "event" and created["cause_id"] == first[1].id
    assert observed["before"] == {"hostname": "web"}
    assert observed["after"]["hostname"] == "web2"
    assert observed["after"]["services"] == {
        "80/tcp": {"name": "http", "product": None, "version": None}
    }
    assert observed["cause_id"] == second[1].id
    assert declared["before"] == {"owner": None} and declared["after"] == {"owner": "Bidang Aptika"}
    assert declared["cause_kind"] == "request" and declared["cause_id"] == "request:req-7"


def test_invalid_events_are_set_aside_with_reason_and_the_rest_ingested(inventory):
    good = scan(BAPPEDA, "b1", T0, [host("127.20.0.2", "02:00:00:00:00:02"), host("127.20.0.3")])
    inventory.publish(good[:2])
    inventory.send_raw(
        b"{not json",
        [
            ("ce_id", b"x1"),
            ("ce_type", b"asset.observed"),
            ("ce_source", b"t"),
            ("ce_time", b"2026-03-02T08:00:00Z"),
            ("ce_specversion", b"1.0"),
        ],
    )
    bad_headers, _ = to_binary(good[1])
    inventory.send_raw(
        b'{"addresses": ["999.1.1.1"]}', [(k, v if k != "ce_id" else b"x2") for k, v in bad_headers]
    )
    inventory.send_raw(
        b"{}", [(k, v if k != "ce_type" else b"asset.exploded") for k, v in bad_headers]
    )
    unknown_opd = new_event(
        EventType.ASSET_DECLARED, AssetDeclared(mac="02:00:00:00:00:09", opd="NOPE"), source="sheet"
    )
    inventory.publish([unknown_opd, *good[2:]])
    inventory.drain()

    assert set(assets_by_address(inventory)) == {"127.20.0.2", "127.20.0.3"}
    rejected = inventory.get("/api/v1/rejected-events")["data"]
    reasons = {r["event_id"]: r["reason"] for r in rejected}
    assert "Invalid JSON" in reasons["x1"]
    assert "not an IP address" in reasons["x2"]
    assert "unknown event type 'asset.exploded'" in reasons[good[1].id]
    assert reasons[unknown_opd.id] == "unknown OPD code 'NOPE'"
    # the originals, with their reason, also went to the dead-letter topic
    assert inventory.bus.count(Topic.DEAD_LETTER.value) == 4
