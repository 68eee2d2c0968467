"""The scan.requested command: its own topic, keyed by scope, and strict fields."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from spbe_common.events import TOPIC_OF, EventType, Topic, from_binary, new_event, to_binary
from spbe_common.events.payloads import ScanRequested

T = datetime(2026, 4, 1, 7, 30, tzinfo=UTC)


def _request(**changes: object) -> ScanRequested:
    fields: dict[str, object] = {
        "request_id": "0f3a9c",
        "scope": "bappeda-lan",
        "opd": "BAPPEDA",
        "requested_by": "operator.bappeda",
        "requested_at": T,
    }
    return ScanRequested.model_validate(fields | changes)


def test_requests_travel_on_their_own_topic_keyed_by_scope() -> None:
    event = new_event(EventType.SCAN_REQUESTED, _request(), source="t", scope="bappeda-lan")

    assert TOPIC_OF[EventType.SCAN_REQUESTED] is Topic.SCAN_REQUESTS
    assert Topic.SCAN_REQUESTS.value == "spbe.scan-requests"
    assert event.key() == b"scope:bappeda-lan"
    assert from_binary(*to_binary(event)).data == _request()


@pytest.mark.parametrize(
    "changes",
    [
        {"scope": "../etc"},
        {"scope": "-sV --script=x"},
        {"request_id": "ABC"},
        {"request_id": "x" * 65},
        {"opd": ""},
        {"requested_at": datetime(2026, 4, 1)},  # no timezone
        {"ports": "1-65535"},  # nothing but the scope's key chooses what is scanned
    ],
)
def test_a_request_refuses_anything_but_a_scope_key_and_its_owner(changes: dict) -> None:
    with pytest.raises(ValidationError):
        _request(**changes)
