"""Wiring for the edges (CLI, `spbe up`): build the collector's parts from one settings object."""

from __future__ import annotations

import logging

from spbe_common.bus import make_bus

from .scans.lock import ScanAlreadyRunning
from .scans.service import ScanService
from .schedules.service import Scheduler
from .scopes.repository import ScopeRepository, YamlScopeSource
from .scopes.schemas import ValidatedScope
from .scopes.service import parse_allowlist
from .settings import CollectorSettings

log = logging.getLogger(__name__)


def scope_repository(settings: CollectorSettings) -> ScopeRepository:
    source = YamlScopeSource(settings.scopes_file)
    return ScopeRepository(source, parse_allowlist(settings.scan_allowlist))


def build_scheduler(settings: CollectorSettings) -> Scheduler:
    """A Scheduler whose scans publish through the configured bus; nothing connects until a run."""
    repository = scope_repository(settings)

    def run_scan(scope: ValidatedScope) -> None:
        producer = make_bus(settings).producer()
        try:
            summary = ScanService(settings, producer).scan(scope)
            log.info("scan %s of %s: %s", summary.scan_id, scope.key, summary.status)
        except ScanAlreadyRunning as exc:
            log.warning("%s; skipped", exc)
        finally:
            producer.close()

    return Scheduler(repository.all, run_scan)
