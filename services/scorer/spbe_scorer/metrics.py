"""Prometheus metrics of the scorer, on a registry given at start-up."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from spbe_scorer.runs import repository


class ScorerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.runs = Counter(
            "spbe_scorer_runs",
            "Scoring runs, by framework and outcome (ok / failed)",
            ["framework", "outcome"],
            registry=registry,
        )
        self.run_seconds = Histogram(
            "spbe_scorer_run_seconds",
            "Wall time of a successful scoring run (fetch, derive, compute, store)",
            ["framework"],
            registry=registry,
        )
        self.events_published = Counter(
            "spbe_scorer_events_published",
            "score.computed events confirmed by the bus",
            registry=registry,
        )


def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
    return (
        GaugeMetricFamily(
            "spbe_scorer_index",
            "Index of the latest run per framework and period (period: its year; '' catalogue)",
            labels=["framework", "period"],
        ),
        GaugeMetricFamily(
            "spbe_scorer_domain_index",
            "Domain index of the latest run per framework and period",
            labels=["framework", "period", "domain"],
        ),
        GaugeMetricFamily(
            "spbe_scorer_aspect_index",
            "Aspect index of the latest run per framework and period",
            labels=["framework", "period", "aspect"],
        ),
    )


def _groups(groups: Iterable[Mapping[str, Any]]) -> Iterator[tuple[str, float]]:
    for group in groups:
        yield str(group["id"]), float(Fraction(str(group["index"])))


class IndexCollector(Collector):
    """The index, domain and aspect values of the newest run per framework and period, read from
    the scorer's database at each scrape (one small query)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def describe(self) -> Iterable[Metric]:
        return _families()  # registering must not query the database

    def collect(self) -> Iterable[Metric]:
        index, domains, aspects = _families()
        with self._engine.connect() as conn:
            runs = repository.latest_per_framework_and_period(conn)
        for run in runs:
            labels = [run["framework"], "" if run["year"] is None else str(run["year"])]
            index.add_metric(labels, float(run["index"]))
            for domain, value in _groups(run["domains"]):
                domains.add_metric([*labels, domain], value)
            for aspect, value in _groups(run["aspects"]):
                aspects.add_metric([*labels, aspect], value)
        return (index, domains, aspects)
