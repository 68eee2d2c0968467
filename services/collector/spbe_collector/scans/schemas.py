"""Results of a scan run, as returned to the CLI and the scheduler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from spbe_common.events.enums import ScanStatus

from .enums import ProfileName, Stage


@dataclass(frozen=True, slots=True)
class ScanProgress:
    stage: Stage
    chunks_done: int
    chunks_total: int
    hosts: int


ProgressCallback = Callable[[ScanProgress], None]


@dataclass(frozen=True, slots=True)
class ScanSummary:
    scan_id: str
    scope: str
    profile: ProfileName
    status: ScanStatus
    hosts_up: int
    chunks_total: int
    chunks_failed: int
    started_at: datetime
    finished_at: datetime
    error: str | None = None

    @property
    def duration_s(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()
