"""Loops of other services that `spbe up` runs beside the inventory on one machine."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from spbe_collector.service import build_request_consumer, build_scheduler, scope_repository
from spbe_collector.settings import CollectorSettings

log = logging.getLogger(__name__)
SAMPLE_SCOPES = Path(__file__).with_name("sample_scopes.yaml")


def collector_settings() -> CollectorSettings:
    settings = CollectorSettings()
    if not settings.scopes_file.exists():  # a newcomer's first run: loopback sample scopes
        settings = settings.model_copy(update={"scopes_file": SAMPLE_SCOPES})
    return settings


def collector_job(stop: threading.Event) -> None:
    """Answer scan requests from the pages at once; scan every scheduled scope once at start-up,
    then follow the schedules."""
    settings = collector_settings()
    requests = threading.Thread(
        target=build_request_consumer(settings).run, args=(stop,), name="scan-requests", daemon=True
    )
    requests.start()
    scheduler = build_scheduler(settings)
    for scope in scope_repository(settings).all():
        if stop.is_set():
            return
        try:
            scheduler.run_now(scope)
        except Exception:  # a failed first scan must not stop the service
            log.exception("first scan of %s failed", scope.key)
    scheduler.run_forever(stop)
