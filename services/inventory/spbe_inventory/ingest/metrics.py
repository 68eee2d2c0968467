"""What the consumer counts, on a registry given at start-up."""

from prometheus_client import CollectorRegistry, Counter, Histogram

from .service import BatchResult


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.events = Counter(
            "spbe_inventory_events_ingested", "Events folded in", ["type"], registry=registry
        )
        self.duplicates = Counter(
            "spbe_inventory_events_duplicate", "Events seen before", registry=registry
        )
        self.rejected = Counter(
            "spbe_inventory_events_rejected", "Events set aside", registry=registry
        )
        self.failures = Counter(
            "spbe_inventory_batch_failures", "Batches rolled back and retried", registry=registry
        )
        self.batch_seconds = Histogram(
            "spbe_inventory_batch_seconds", "Time to fold one batch", registry=registry
        )

    def observe(self, result: BatchResult) -> None:
        for event_type, count in result.ingested.items():
            self.events.labels(event_type).inc(count)
        self.duplicates.inc(result.duplicates)
        self.rejected.inc(len(result.rejected))
