"""The consumer's metric labels stay bounded, and the lag is read at most every few seconds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from spbe_common.bus import Record
from spbe_common.events import EventType, new_event, to_binary
from spbe_common.events.fast import Received
from spbe_common.events.payloads import ScanRequested
from spbe_inventory.ingest import handlers
from spbe_inventory.ingest.metrics import LAG_EVERY_S, IngestMetrics, type_of
from spbe_inventory.ingest.reasons import Reason, Rejection
from spbe_inventory.ingest.service import BatchResult, decode

T = datetime(2026, 4, 1, 7, 30, tzinfo=UTC)


def _scan_request() -> tuple[list[tuple[str, bytes]], bytes]:
    """A valid event of the contract that the inventory has no handler for."""
    data = ScanRequested.model_validate(
        {"request_id": "0f3a9c", "scope": "lan", "opd": "BAPPEDA", "requested_by": "op",
         "requested_at": T}
    )  # fmt: skip
    headers, value = to_binary(new_event(EventType.SCAN_REQUESTED, data, source="t"))
    return list(headers), value


def _changed(name: str, raw: bytes | None) -> list[tuple[str, bytes]]:
    headers = [(n, v) for n, v in _scan_request()[0] if n != name]
    return headers + ([(name, raw)] if raw is not None else [])


@pytest.mark.parametrize(
    ("headers", "value", "code"),
    [
        (_scan_request()[0], b"{not json", Reason.INVALID),
        (_changed("ce_id", None), _scan_request()[1], Reason.INVALID),
        (_changed("ce_schemaversion", b"9"), _scan_request()[1], Reason.INVALID),
        (_changed("ce_specversion", b"0.3"), _scan_request()[1], Reason.INVALID),
        (_changed("ce_type", b"asset.exploded"), _scan_request()[1], Reason.UNKNOWN_TYPE),
        (_scan_request()[0], _scan_request()[1], Reason.UNKNOWN_TYPE),  # no handler here
    ],
)
def test_a_refused_record_carries_its_reason_code(
    headers: list[tuple[str, bytes]], value: bytes, code: Reason
) -> None:
    good, bad = decode([Record("spbe.events", 0, 0, None, value, headers)])
    assert good == [] and len(bad) == 1
    assert bad[0][1].code is code and bad[0][1].text


def test_the_handlers_name_the_code_where_they_refuse() -> None:
    ctx = handlers.BatchContext(conn=None, _opd_codes={"BAPPEDA"})  # type: ignore[arg-type]
    event = Received("e1", EventType.ASSET_OBSERVED, "t", T, "scan-9", "lan", None, None)
    assert ctx.known_opd(event, "BAPPEDA")
    assert not ctx.known_opd(event, "NOPE")
    assert ctx.rejected["e1"] == Rejection(Reason.UNKNOWN_OPD, "unknown OPD code 'NOPE'")
    assert not handlers._scan_known(ctx, event, {"other-scan": "BAPPEDA"})
    assert ctx.rejected["e1"].code is Reason.UNKNOWN_SCAN
    assert "scan-9" in ctx.rejected["e1"].text


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
        rejected=[
            (records[0], Rejection(Reason.UNKNOWN_OPD, "unknown OPD code 'X'")),
            (records[3], Rejection(Reason.UNKNOWN_TYPE, "unknown event type 'b'")),
        ],
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
