"""Fold one batch of bus records into the catalogue, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import Connection

from spbe_common.bus import Record
from spbe_common.bus.base import kept
from spbe_common.events import InvalidEvent, from_binary
from spbe_common.events.fast import Received
from spbe_common.events.fast import decode as decode_record
from spbe_inventory.db import utcnow

from . import repository as repo
from .handlers import HANDLERS, BatchContext
from .reasons import Reason, Rejection


@dataclass
class BatchResult:
    ingested: dict[str, int] = field(default_factory=dict)  # event type -> applied count
    duplicates: int = 0
    duplicate_types: dict[str, int] = field(default_factory=dict)  # event type -> count
    rejected: list[tuple[Record, Rejection]] = field(default_factory=list)

    def add(self, other: BatchResult) -> None:
        for event_type, count in other.ingested.items():
            self.ingested[event_type] = self.ingested.get(event_type, 0) + count
        self.duplicates += other.duplicates
        for event_type, count in other.duplicate_types.items():
            self.duplicate_types[event_type] = self.duplicate_types.get(event_type, 0) + count
        self.rejected += other.rejected


def decode(
    records: Sequence[Record],
) -> tuple[list[tuple[Record, Received]], list[tuple[Record, Rejection]]]:
    good: list[tuple[Record, Received]] = []
    bad: list[tuple[Record, Rejection]] = []
    for record in records:
        try:
            event = decode_record(record.headers, record.value)
        except InvalidEvent as exc:
            bad.append((record, Rejection.invalid(exc)))
            continue
        except Exception as exc:  # a decoder bug must not stop ingestion either
            bad.append((record, Rejection(Reason.APPLY_FAILED, f"cannot decode: {failure(exc)}")))
            continue
        if event.type not in HANDLERS:
            why = f"no handler for event type {event.type.value!r} on this topic"
            bad.append((record, Rejection(Reason.UNKNOWN_TYPE, why)))
        else:
            good.append((record, event))
    return good, bad


def _fresh(
    conn: Connection, decoded: list[tuple[Record, Received]]
) -> tuple[list[tuple[Record, Received]], dict[str, int]]:
    """The events not processed before, and per event type how many were."""
    seen = repo.already_processed(conn, [e.id for _, e in decoded])
    fresh = []
    duplicates: dict[str, int] = {}
    for record, event in decoded:
        if event.id not in seen:
            seen.add(event.id)
            fresh.append((record, event))
        else:
            duplicates[event.type.value] = duplicates.get(event.type.value, 0) + 1
    return fresh, duplicates


def _runs(
    items: list[tuple[Record, Received]],
) -> Iterator[tuple[Received, list[tuple[Record, Received]]]]:
    """Consecutive events of one type, so order across types is kept and each run is batched."""
    for _, run in groupby(items, key=lambda item: item[1].type):
        run_list = list(run)
        yield run_list[0][1], run_list


def ingest(conn: Connection, records: Sequence[Record]) -> BatchResult:
    """Decode, drop duplicates, dispatch runs to handlers, remember ids, set poison aside."""
    result = BatchResult()
    decoded, result.rejected = decode(records)
    fresh, result.duplicate_types = _fresh(conn, decoded)
    result.duplicates = sum(result.duplicate_types.values())
    ctx = BatchContext(conn, raw={event.id: record.value for record, event in fresh})
    for first, run in _runs(fresh):
        HANDLERS[first.type](ctx, [event for _, event in run])
        result.ingested[first.type.value] = result.ingested.get(first.type.value, 0) + len(run)
    now = utcnow()
    repo.mark_processed(conn, [e.id for _, e in fresh], now)
    for record, event in fresh:
        if event.id in ctx.rejected:  # set aside by its handler: not applied after all
            result.rejected.append((record, ctx.rejected[event.id]))
            result.ingested[event.type.value] -= 1
    repo.store_rejected(
        conn, [_rejected_row(record, why.text, now) for record, why in result.rejected]
    )
    return result


def set_aside(conn: Connection, record: Record, why: Rejection) -> BatchResult:
    """Store one record that could not be applied; its event id, if any, counts as processed."""
    now = utcnow()
    try:
        event_id: str | None = from_binary(record.headers, record.value).id
    except Exception:  # it failed in decoding after all: nothing to mark
        event_id = None
    if event_id is not None and not repo.already_processed(conn, [event_id]):
        repo.mark_processed(conn, [event_id], now)
    repo.store_rejected(conn, [_rejected_row(record, why.text, now)])
    return BatchResult(rejected=[(record, why)])


def failure(exc: BaseException) -> str:
    """A short, stable reason for an unexpected exception."""
    return f"{type(exc).__name__}: {exc}"[:500]


def _text(raw: bytes) -> str:
    """Storable text: valid UTF-8, no NUL (PostgreSQL refuses it in text)."""
    return raw.decode("utf-8", "replace").replace("\x00", "\ufffd")


def _rejected_row(record: Record, reason: str, now: object) -> dict[str, object]:
    value, kept_headers = kept(record.headers, record.value)
    headers = {_text(name.encode("utf-8", "replace")): _text(raw) for name, raw in kept_headers}
    event_id, event_type = headers.get("ce_id"), headers.get("ce_type")
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "event_id": event_id[:128] if event_id else None,
        "event_type": event_type[:64] if event_type else None,
        "reason": _text(reason.encode("utf-8", "replace"))[:2000],
        "value": value,
        "headers": [[k, v] for k, v in headers.items()],
        "rejected_at": now,
    }
