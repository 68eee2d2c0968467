"""Every PromQL expression of the Grafana dashboards and of the alert rules, evaluated by the real
Prometheus of conftest.py: it must parse, and every metric it names must be one that a running
service exports on its /metrics (counters with _total, histograms with _bucket/_sum/_count)."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import httpx
import pytest
import yaml
from integration.monitoring.stack import ALERTS, ROOT, Stack
from prometheus_client.parser import text_string_to_metric_families

DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"
UIDS = {"spbe-overview-opd", "spbe-collector", "spbe-ingestion", "spbe-applications", "spbe-index"}
MADE_BY_PROMETHEUS = {"up"}  # per target, by the scrape itself
TARGET_LABELS = {"job", "instance"}
# Grafana's own variables, as Grafana would fill them in; dashboard variables match every value
GRAFANA = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"),
            "summary": ("_sum", "_count")}  # fmt: skip
KEYWORDS = {"and", "or", "unless", "offset", "bool", "by", "without", "on", "ignoring",
            "group_left", "group_right", "inf", "nan"}  # fmt: skip
LABEL_VALUES = re.compile(r"^label_values\((?P<selector>.+),\s*(?P<label>\w+)\)$")


def dashboards() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DASHBOARDS.glob("*.json"))]


def _panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in board.get("panels", []):
        found.append(panel)
        found.extend(panel.get("panels", []))  # panels inside a row
    return found


def expressions() -> list[tuple[str, str]]:
    """(where, PromQL) of every panel target, templating query and alert rule."""
    found = []
    for board in dashboards():
        for panel in _panels(board):
            for target in panel.get("targets", []):
                where = f"{board['uid']}/{panel['title']}/{target['refId']}"
                found.append((where, target["expr"]))
        for variable in board["templating"]["list"]:
            query = variable["query"]
            query = query["query"] if isinstance(query, dict) else query
            match = LABEL_VALUES.match(query)
            found.append(
                (f"{board['uid']}/${variable['name']}", match["selector"] if match else query)
            )
    for group in yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]:
        for rule in group["rules"]:
            found.append((f"alerts/{rule['alert']}", rule["expr"]))
    return found


def substitute(expr: str) -> str:
    for name, value in GRAFANA.items():
        expr = expr.replace(name, value)
    return re.sub(r"\$\{?(\w+)\}?", ".*", expr)  # $opd, $framework, $period: All


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (not functions, keywords, labels or durations)."""
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', '""', expr)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", text)  # label matchers, ranges, subqueries
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?", text):
        if not match[2] and match[1].lower() not in KEYWORDS:
            names.add(match[1])
    return names


@cache
def _scraped(url: str) -> tuple[frozenset[str], dict[str, set[str]]]:
    """The metric names a /metrics exposes, and the label names of each name with samples."""
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, url
    names: set[str] = set()
    labels: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(response.text):
        names.add(family.name)
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ()))
        for sample in family.samples:
            names.add(sample.name)
            labels.setdefault(sample.name, set()).update(sample.labels)
    return frozenset(names), labels


@pytest.fixture(scope="module")
def exported(stack: Stack) -> frozenset[str]:
    names = set(MADE_BY_PROMETHEUS)
    for url in stack.metrics_urls.values():
        names |= _scraped(url)[0]
    return frozenset(names)


@pytest.fixture(scope="module")
def label_names(stack: Stack) -> dict[str, set[str]]:
    """Label names per metric name as Prometheus stores them (target labels added)."""
    found: dict[str, set[str]] = {"up": set()}
    for url in stack.metrics_urls.values():
        for name, labels in _scraped(url)[1].items():
            found.setdefault(name, set()).update(labels)
    return {name: labels | TARGET_LABELS for name, labels in found.items()}


def used_labels(expr: str) -> set[str]:
    """Label names in matchers and in by / without / on / ignoring / group_x clauses."""
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)
    used = set()
    for block in re.findall(r"\{([^}]*)\}", text):
        used.update(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", block))
    for clause in re.findall(
        r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", text
    ):
        used.update(n.strip() for n in clause.split(",") if n.strip())
    return used


def test_the_five_dashboards_have_their_uids_and_query_the_provisioned_data_source() -> None:
    boards = dashboards()
    assert {b["uid"] for b in boards} == UIDS
    source = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text("utf-8")
    )["datasources"][0]["uid"]
    for board in boards:
        for panel in _panels(board):
            assert panel["datasource"]["uid"] == source, f"{board['uid']}/{panel['title']}"
            assert all(t["datasource"]["uid"] == source for t in panel.get("targets", []))
    assert len(expressions()) > 60


def test_metric_names_finds_selectors_only() -> None:
    expr = (
        'histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{x=~"b|c"}[5m])))'
        " / on (route) group_left b_total offset 10m > 2 * 86400 and up"
    )
    assert metric_names(expr) == {"a_bucket", "b_total", "up"}
    assert used_labels(expr) == {"le", "route", "x"}


@pytest.mark.parametrize(("where", "expr"), expressions(), ids=[w for w, _ in expressions()])
def test_expression_parses_and_names_only_exported_metrics(
    stack: Stack,
    exported: frozenset[str],
    label_names: dict[str, set[str]],
    where: str,
    expr: str,
) -> None:
    query = substitute(expr)
    response = httpx.get(
        f"{stack.prometheus.url}/api/v1/query", params={"query": query}, timeout=10
    )
    body = response.json()
    assert response.status_code == 200 and body["status"] == "success", f"{where}: {query}: {body}"
    names = metric_names(query)
    assert names, f"{where} names no metric: {query}"
    assert names <= exported, f"{where}: nobody exports {sorted(names - exported)}"
    known = [label_names.get(name) for name in names]
    if all(labels is not None for labels in known):  # a family without samples shows no labels
        available = set().union(*(labels for labels in known if labels is not None))
        unknown = used_labels(query) - available
        assert not unknown, f"{where}: no label {sorted(unknown)} on {sorted(names)}"
