"""spbe_inventory_consumer_lag on a real broker: per partition, behind while a backlog waits, and
0 on every owned partition once the group has caught up."""

from __future__ import annotations

from integration.kafka.conftest import MakeInventory
from integration.kafka.stack import (
    PARTITIONS,
    consume_until_caught_up,
    end_offsets,
    publish_all,
    wait_until,
)
from prometheus_client import CollectorRegistry
from synthetic import scan_stream

from spbe_inventory.ingest.metrics import LAG_EVERY_S, IngestMetrics

LAG = "spbe_inventory_consumer_lag"


def _lag(registry: CollectorRegistry, topic: str) -> dict[int, float]:
    return {
        int(s.labels["partition"]): s.value
        for family in registry.collect()
        if family.name == LAG
        for s in family.samples
        if s.labels["topic"] == topic
    }


def test_lag_per_partition_while_behind_and_zero_once_caught_up(
    make_inventory: MakeInventory, kafka_bootstrap: str
) -> None:
    inventory = make_inventory("lag")
    registry, clock = CollectorRegistry(), [0.0]
    consumer = inventory.consumer(
        batch_size=10, metrics=IngestMetrics(registry, clock=lambda: clock[0])
    )
    published = publish_all(inventory.bus, scan_stream(scopes=2, hosts=60, scans=1))
    topic = inventory.events_topic

    def behind() -> bool:
        clock[0] += LAG_EVERY_S
        consumer.step()
        return sum(_lag(registry, topic).values()) > 0

    wait_until(behind, 60, "a lag read while the backlog waits")
    lag = _lag(registry, topic)
    assert set(lag) <= set(range(PARTITIONS))
    assert 0 < sum(lag.values()) <= published  # nothing may have been fetched yet
    consume_until_caught_up(inventory, consumer, end_offsets(kafka_bootstrap, topic))
    clock[0] += LAG_EVERY_S
    consumer.step()
    lag = _lag(registry, topic)
    assert lag, "the owned partitions have a lag"
    assert set(lag.values()) == {0}
