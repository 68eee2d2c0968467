"""promtool (Debian's prometheus package) over deploy/prometheus: the scrape configuration, the alert
rules, and the rules' unit tests (deploy/prometheus/tests/alerts_test.yml)."""

from __future__ import annotations

import subprocess

import pytest
import yaml
from integration.monitoring.stack import ALERTS, ROOT, tool_path

PROMETHEUS = ROOT / "deploy" / "prometheus"


def promtool(*args: str) -> str:
    done = subprocess.run(
        [tool_path("promtool"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"promtool {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def test_check_config_with_its_rule_file() -> None:
    out = promtool("check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert "1 rule files found" in out  # alerts.yml, found relative to the configuration


def test_the_configuration_scrapes_every_process_of_the_compose_stack() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    targets = {
        t for job in config["scrape_configs"] for s in job["static_configs"] for t in s["targets"]
    }
    assert {"api:8000", "consumer:8001", "collector:8003", "scorer:8002"} <= targets
    assert config["rule_files"] == ["alerts.yml"]


def test_check_rules() -> None:
    rules = [
        r for g in yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"] for r in g["rules"]
    ]
    out = promtool("check", "rules", str(ALERTS))
    assert f"SUCCESS: {len(rules)} rules found" in out
    for rule in rules:
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert {"summary", "description"} <= set(rule["annotations"]), rule["alert"]


def test_every_alert_has_unit_tests_that_pass() -> None:
    tests = PROMETHEUS / "tests" / "alerts_test.yml"
    cases = yaml.safe_load(tests.read_text(encoding="utf-8"))["tests"]
    checks = [c for case in cases for c in case["alert_rule_test"]]
    alerts = {
        r["alert"] for g in yaml.safe_load(ALERTS.read_text("utf-8"))["groups"] for r in g["rules"]
    }
    fires = {c["alertname"] for c in checks if c["exp_alerts"]}
    quiet = {c["alertname"] for c in checks if not c["exp_alerts"]}
    assert fires == alerts, "an alert without a case where it fires"
    assert quiet == alerts, "an alert without a case where it must stay quiet"
    promtool("test", "rules", str(tests))


@pytest.mark.parametrize("broken", ["expr: up ==", "for: soon"])
def test_check_rules_refuses_a_broken_rule(tmp_path, broken: str) -> None:
    key, value = broken.split(": ", 1)
    rule = {"alert": "Rusak", "expr": "up == 0", "labels": {"severity": "warning"}}
    rule[key] = value
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "x", "rules": [rule]}]}), encoding="utf-8")
    done = subprocess.run(
        [tool_path("promtool"), "check", "rules", str(path)],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0


def test_compose_mounts_the_rules_beside_the_configuration_and_the_dashboards() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    config_at = {
        m.split(":")[1] for m in services["prometheus"]["volumes"] if "prometheus.yml" in m
    }
    rules_at = {m.split(":")[1] for m in services["prometheus"]["volumes"] if "alerts.yml" in m}
    assert {p.rsplit("/", 1)[0] for p in config_at} == {p.rsplit("/", 1)[0] for p in rules_at}
    provider = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/dashboards/spbe.yml").read_text(encoding="utf-8")
    )["providers"][0]["options"]["path"]
    assert f"./deploy/grafana/dashboards:{provider}:ro" in services["grafana"]["volumes"]
    collector = services["collector"]["environment"]
    assert collector["SPBE_COLLECTOR_METRICS_HOST"] == "0.0.0.0"
    assert collector["SPBE_COLLECTOR_METRICS_PORT"] == "8003"
    assert services["consumer"]["environment"]["SPBE_METRICS_PORT"] == "8001"
