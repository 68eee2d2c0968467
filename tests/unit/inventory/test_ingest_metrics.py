"""The consumer's metric labels stay bounded, and the lag is read at most every few seconds."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from spbe_common.bus import Record
from spbe_inventory.assets.identity import NO_IDENTITY
from spbe_inventory.ingest.metrics import LAG_EVERY_S, IngestMetrics, reason_code, type_of
from spbe_inventory.ingest.service import BatchResult


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("invalid event: data: Invalid JSON: unexpected character", "invalid"),
        ("missing CloudEvents attributes: ce_id", "invalid"),
        ("headers larger than 65536 bytes", "invalid"),
        ("schemaversion 9 is newer than 1", "invalid"),
        ("unknown event type 'asset.exploded'", "unknown_type"),
        ("no handler for event type 'score.computed' on this topic", "unknown_type"),
        ("unknown OPD code 'XYZ'", "unknown_opd"),
        ("unknown scan 's-1' (its scan.started was set aside or lost)", "unknown_scan"),
        (NO_IDENTITY, "no_identity"),
        ("asset code 'A-1' is already asset 7", "conflict"),
        ("could not apply the event: KeyError: 'x'", "apply_failed"),
        ("cannot decode: TypeError: boom", "apply_failed"),
        ("something nobody wrote yet", "other"),
    ],
)
def test_a_reason_maps_to_a_closed_set(reason: str, code: str) -> None:
    assert reason_code(reason) == code


def _record(ce_type: bytes | None) -> Record:
    headers = [("ce_id", b"1")] + ([("ce_type", ce_type)] if ce_type is not None else [])
    return Record("spbe.events", 0, 0, None, b"{}", headers)


def test_an_event_type_label_is_a_contract_type_or_unknown() -> None:
    assert type_of(_record(b"asset.observed")) == "asset.observed"
    assert type_of(_record(b"x" * 300)) == "unknown"
    assert type_of(_record(None)) == "unknown"


def test_a_batch_counts_by_type_and_reason() -> None:
    registry = CollectorRegistry()
    records = [_record(b"asset.observed")] * 3 + [_record(b"bogus")]
    result = BatchResult(
        ingested={"asset.observed": 1},
        duplicates=1,
        duplicate_types={"asset.observed": 1},
        rejected=[(records[0], "unknown OPD code 'X'"), (records[3], "unknown event type 'b'")],
    )
    IngestMetrics(registry).observe(records, result, 0.25)

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert value("spbe_inventory_events_consumed_total", type="asset.observed") == 3
    assert value("spbe_inventory_events_consumed_total", type="unknown") == 1
    assert value("spbe_inventory_events_applied_total", type="asset.observed") == 1
    assert value("spbe_inventory_events_duplicate_total", type="asset.observed") == 1
    rejected = "spbe_inventory_events_rejected_total"
    assert value(rejected, type="asset.observed", reason="unknown_opd") == 1
    assert value(rejected, type="unknown", reason="unknown_type") == 1
    assert value("spbe_inventory_batch_size_sum") == 4
    assert value("spbe_inventory_batch_seconds_sum") == 0.25


class _Lagging:
    def __init__(self) -> None:
        self.calls = 0
        self.answer = {("spbe.events", 0): 7, ("spbe.events", 1): 2}

    def lag(self) -> dict[tuple[str, int], int]:
        self.calls += 1
        return self.answer


def test_the_lag_is_read_at_most_every_few_seconds_and_drops_partitions_gone() -> None:
    registry, now = CollectorRegistry(), [100.0]
    metrics, consumer = IngestMetrics(registry, clock=lambda: now[0]), _Lagging()
    metrics.sample_lag(consumer)
    metrics.sample_lag(consumer)
    assert consumer.calls == 1
    lag = "spbe_inventory_consumer_lag"
    assert registry.get_sample_value(lag, {"topic": "spbe.events", "partition": "0"}) == 7
    consumer.answer = {("spbe.events", 0): 3}
    now[0] += LAG_EVERY_S
    metrics.sample_lag(consumer)
    assert registry.get_sample_value(lag, {"topic": "spbe.events", "partition": "0"}) == 3
    assert registry.get_sample_value(lag, {"topic": "spbe.events", "partition": "1"}) is None
