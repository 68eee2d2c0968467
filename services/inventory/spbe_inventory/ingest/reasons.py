"""Why an event was set aside: a code from a closed set, named where the event is refused (the
`reason` label of the consumer's metrics), and the text stored with it (the rejected-event store
and the dead letter)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from spbe_common.events import InvalidEvent


class Reason(StrEnum):
    INVALID = "invalid"  # not a valid event of the contract
    UNKNOWN_TYPE = "unknown_type"  # a type the contract or this consumer does not know
    UNKNOWN_OPD = "unknown_opd"
    UNKNOWN_SCAN = "unknown_scan"
    NO_IDENTITY = "no_identity"
    CONFLICT = "conflict"
    APPLY_FAILED = "apply_failed"  # an unexpected failure, this event alone


@dataclass(frozen=True, slots=True)
class Rejection:
    code: Reason
    text: str

    @classmethod
    def invalid(cls, exc: InvalidEvent) -> Rejection:
        code = Reason.UNKNOWN_TYPE if exc.code == InvalidEvent.UNKNOWN_TYPE else Reason.INVALID
        return cls(code, exc.reason)
