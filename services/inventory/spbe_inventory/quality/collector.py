"""Inventory quality as Prometheus gauges, read from the catalogue when scraped and kept for
`quality_cache_s` seconds, so frequent scrapes cost one reading a minute."""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from spbe_inventory.settings import InventorySettings

from . import repository as repo

log = logging.getLogger(__name__)
PER_OPD = (
    ("unseen", "spbe_inventory_assets_unseen", "Active assets not seen by a scan for too long"),
    ("without_owner", "spbe_inventory_assets_without_owner", "Active assets without an owner"),
    (
        "without_application",
        "spbe_inventory_assets_without_application",
        "Active assets no application is linked to",
    ),
    (
        "unreviewed",
        "spbe_inventory_review_unreviewed",
        "Assets found by scans that wait in the review queue (unmanaged or duplicate candidates)",
    ),
    (
        "applications_down",
        "spbe_inventory_applications_down",
        "Active applications whose last probe got no answer",
    ),
    (
        "certificates_expiring",
        "spbe_inventory_certificates_expiring",
        f"Active applications whose TLS certificate ends within {repo.CERTIFICATE_DAYS} days",
    ),
)


class QualityCollector(Collector):
    def __init__(
        self,
        engine: Engine,
        settings: InventorySettings,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._cache_s = settings.quality_cache_s
        self._unseen_days = settings.quality_unseen_days
        self._clock = clock
        self._lock = threading.Lock()  # concurrent scrapes read the catalogue once
        self._cached: tuple[float, repo.Quality, datetime] | None = None

    def collect(self) -> Iterator[Metric]:
        reading = self._reading()
        if reading is None:  # the catalogue cannot be read: no quality figures this scrape
            return
        quality, now = reading
        yield from _families(quality, now)

    def _reading(self) -> tuple[repo.Quality, datetime] | None:
        with self._lock:
            if self._cached is None or self._clock() - self._cached[0] >= self._cache_s:
                now = datetime.now(UTC)
                try:
                    with self._engine.connect() as conn:
                        quality = repo.read(conn, now, self._unseen_days)
                except Exception:  # a scrape must not fail because the database is away
                    log.warning("cannot read the catalogue's quality figures", exc_info=True)
                    return None
                self._cached = (self._clock(), quality, now)
            return self._cached[1], self._cached[2]


def _families(quality: repo.Quality, now: datetime) -> Iterator[Metric]:
    assets = GaugeMetricFamily(
        "spbe_inventory_assets",
        "Assets by OPD, kind and lifecycle",
        labels=["opd", "kind", "lifecycle"],
    )
    for (opd, kind, lifecycle), count in sorted(quality.assets.items()):
        assets.add_metric([opd, kind, lifecycle], count)
    yield assets
    codes = _codes(quality)
    for attribute, name, documentation in PER_OPD:
        counts: dict[str, int] = getattr(quality, attribute)
        family = GaugeMetricFamily(name, documentation, labels=["opd"])
        for code in codes:
            family.add_metric([code], counts.get(code, 0))
        yield family
    yield _lifecycle_ratio(quality, codes)
    yield _scan_ages(quality, now)


def _codes(quality: repo.Quality) -> list[str]:
    """Every OPD of the organisation chart (0 where nothing counts), and any code assets carry."""
    seen = set(quality.opd_codes)
    for counts in (quality.active, quality.unreviewed, quality.applications_down):
        seen.update(counts)
    seen.update(opd for opd, _, _ in quality.assets)
    return sorted(seen)


def _lifecycle_ratio(quality: repo.Quality, codes: list[str]) -> Metric:
    family = GaugeMetricFamily(
        "spbe_inventory_assets_lifecycle_data_ratio",
        "Share of active assets with a procurement year and a condition (0..1)",
        labels=["opd"],
    )
    for code in codes:
        active = quality.active.get(code, 0)
        if active:  # no active assets: no share (not a NaN)
            family.add_metric([code], quality.with_lifecycle_data.get(code, 0) / active)
    return family


def _scan_ages(quality: repo.Quality, now: datetime) -> Metric:
    family = GaugeMetricFamily(
        "spbe_inventory_scope_last_complete_scan_age_seconds",
        "Seconds since the last complete scan of a scan scope finished",
        labels=["scope"],
    )
    for scope, finished in sorted(quality.last_complete_scan.items()):
        family.add_metric([scope], max(0.0, (now - finished).total_seconds()))
    return family


_REGISTERED: weakref.WeakKeyDictionary[CollectorRegistry, QualityCollector] = (
    weakref.WeakKeyDictionary()
)


def register(registry: CollectorRegistry, engine: Engine, settings: InventorySettings) -> None:
    """Once per registry: an app built twice on one registry must not export every gauge twice."""
    if registry not in _REGISTERED:
        collector = QualityCollector(engine, settings)
        registry.register(collector)
        _REGISTERED[registry] = collector
