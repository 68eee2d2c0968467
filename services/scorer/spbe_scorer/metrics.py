"""Prometheus metrics of the scorer, on a registry given at start-up."""

from prometheus_client import CollectorRegistry, Counter, Histogram


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
