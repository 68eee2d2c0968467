"""What the services export reaches a real Prometheus: read back through its HTTP API after a scan,
ingested events (one of them poison), API requests and a scoring run (conftest.py: the stack)."""

from __future__ import annotations

from fractions import Fraction

import httpx
import pytest
import yaml
from integration.monitoring.stack import ALERTS, OPD, SCOPE_KEY, Stack

from spbe_common.events.enums import ScanStatus


def _total(results: list[dict]) -> float:
    return sum(float(r["value"][1]) for r in results)


def test_every_process_is_a_target_that_is_up(stack: Stack) -> None:
    jobs = {"spbe-inventory-api", "spbe-scorer", "spbe-collector"}
    found = stack.prometheus.wait_for(
        "up == 1", lambda rs: {r["metric"]["job"] for r in rs} >= jobs, "every target up"
    )
    assert {r["metric"]["job"] for r in found} == jobs


def test_the_scan_is_counted_by_profile_and_outcome(stack: Stack) -> None:
    assert stack.scan.status is ScanStatus.COMPLETE
    selector = '{profile="common-ports", outcome="complete"}'
    stack.prometheus.wait_for(
        f"spbe_collector_scans_total{selector} == 1", bool, "the complete scan counted"
    )
    hosts = stack.prometheus.query('spbe_collector_hosts_found_total{profile="common-ports"}')
    ports = stack.prometheus.query('spbe_collector_open_ports_found_total{profile="common-ports"}')
    assert (_total(hosts), _total(ports)) == (1, 1)  # 127.0.0.2 and its HTTP port
    durations = stack.prometheus.query(
        'spbe_collector_scan_duration_seconds_count{profile="common-ports"}'
    )
    assert _total(durations) == 1
    failed = stack.prometheus.query('spbe_collector_scans_total{outcome="failed"}')
    assert failed and _total(failed) == 0  # every series exists at 0 before the first failure


def test_the_scan_events_are_ingested_and_the_poison_set_aside(stack: Stack) -> None:
    prometheus = stack.prometheus
    applied = prometheus.wait_for(
        'spbe_inventory_events_applied_total{type="scan.completed"}',
        lambda rs: _total(rs) == 1,
        "scan.completed applied",
    )
    assert applied
    consumed = prometheus.values("sum by (type) (spbe_inventory_events_consumed_total)")
    by_type = {dict(labels)["type"]: v for labels, v in consumed.items()}
    assert by_type["scan.started"] == by_type["scan.completed"] == 1
    assert by_type["asset.observed"] == 2  # the scanned host, and the poison that claims it is one
    applied_hosts = prometheus.query('spbe_inventory_events_applied_total{type="asset.observed"}')
    assert _total(applied_hosts) == 1
    prometheus.wait_for(
        "sum(spbe_inventory_dead_letters_total) >= 1", bool, "the poison event set aside"
    )
    prometheus.wait_for(
        "sum(spbe_inventory_consumer_lag) == 0", bool, "the consumer caught up (lag 0)"
    )
    assert prometheus.query("spbe_inventory_batch_seconds_count > 0")


def test_catalogue_quality_per_opd_and_the_scanned_scope(stack: Stack) -> None:
    prometheus = stack.prometheus
    ages = prometheus.wait_for(
        f'spbe_inventory_scope_last_complete_scan_age_seconds{{scope="{SCOPE_KEY}"}}',
        bool,
        "the scope's last complete scan",
    )
    assert 0 <= float(ages[0]["value"][1]) < 600
    assets = prometheus.query(f'sum(spbe_inventory_assets{{opd="{OPD}"}})')
    assert _total(assets) >= 1  # the sample catalogue and the scanned host
    for name in (
        "spbe_inventory_assets_unseen",
        "spbe_inventory_assets_without_owner",
        "spbe_inventory_assets_without_application",
        "spbe_inventory_assets_lifecycle_data_ratio",
        "spbe_inventory_review_unreviewed",
        "spbe_inventory_applications_down",
        "spbe_inventory_certificates_expiring",
    ):
        assert prometheus.query(f'{name}{{opd="{OPD}"}}'), f"{name} has no series for {OPD}"
    ratio = prometheus.query(f'spbe_inventory_assets_lifecycle_data_ratio{{opd="{OPD}"}}')
    assert 0 <= float(ratio[0]["value"][1]) <= 1


def test_http_requests_of_both_apis_by_route_template(stack: Stack) -> None:
    assets = httpx.get(f"{stack.inventory_url}/api/v1/assets", headers=stack.admin, timeout=10)
    assert assets.status_code == 200
    prometheus = stack.prometheus
    prometheus.wait_for(
        'spbe_http_requests_total{service="scorer", route="/api/v1/runs", method="POST",'
        ' status="201"} >= 1',
        bool,
        "the scoring run's request",
    )
    prometheus.wait_for(
        'spbe_http_requests_total{service="inventory", route="/api/v1/assets", method="GET",'
        ' status="200"} >= 1',
        bool,
        "the inventory request",
    )
    routes = prometheus.values("count by (route) (spbe_http_requests_total)")
    assert all("127.0.0.1" not in dict(labels)["route"] for labels in routes)
    latency = prometheus.query(
        'spbe_http_request_duration_seconds_count{service="inventory", route="/api/v1/assets"}'
    )
    assert _total(latency) >= 1


def test_the_index_of_the_latest_run(stack: Stack) -> None:
    found = stack.prometheus.wait_for(
        'spbe_scorer_index{framework="spbe-2020"}', bool, "the index of the run"
    )
    assert float(found[0]["value"][1]) == pytest.approx(float(Fraction(stack.run["index"])))
    for kind, label in (("domains", "domain"), ("aspects", "aspect")):
        name = f"spbe_scorer_{label}_index"
        series = stack.prometheus.values(f'{name}{{framework="spbe-2020"}}')
        got = {dict(labels)[label]: value for labels, value in series.items()}
        wanted = {g["id"]: float(Fraction(g["index"])) for g in stack.run[kind]}
        assert wanted and got == pytest.approx(wanted), kind


def test_every_alert_rule_is_loaded_and_evaluates_without_error(stack: Stack) -> None:
    expected = {
        rule["alert"]
        for group in yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
        for rule in group["rules"]
    }

    def evaluated() -> list[dict]:
        groups = stack.prometheus.api("rules", type="alert")["groups"]
        return [r for g in groups for r in g["rules"] if r["lastEvaluation"][:4] != "0001"]

    stack.prometheus.wait_for("vector(1)", lambda _: len(evaluated()) == len(expected), "rules")
    rules = evaluated()
    assert {r["name"] for r in rules} == expected
    assert [r for r in rules if r["health"] != "ok"] == []
    assert all(r["labels"]["severity"] in {"warning", "critical"} for r in rules)
