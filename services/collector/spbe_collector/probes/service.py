"""Probe many URLs concurrently (bounded) and publish one application.observed per URL."""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
from prometheus_client import CollectorRegistry
from pydantic import HttpUrl, TypeAdapter, ValidationError

from spbe_common.bus import Producer, publish
from spbe_common.events import EventType, new_event
from spbe_common.events.payloads import ApplicationObserved

from ..metrics import CollectorMetrics
from ..settings import SOURCE, CollectorSettings
from .get import fetch, make_client
from .transform import outcome, seconds_left, transform

_URL = TypeAdapter(HttpUrl)


class InvalidProbeUrl(ValueError):
    """A URL that is not http(s)."""


def validate_urls(urls: Sequence[str]) -> list[str]:
    """Every URL parsed as http(s); raises with all the bad ones listed."""
    bad: list[str] = []
    good: list[str] = []
    for url in urls:
        try:
            good.append(str(_URL.validate_python(url.strip())))
        except ValidationError:
            bad.append(url)
    if bad:
        raise InvalidProbeUrl("not http(s) URLs: " + ", ".join(repr(u) for u in bad))
    return list(dict.fromkeys(good))


class ProbeService:
    def __init__(
        self,
        settings: CollectorSettings,
        producer: Producer,
        transport: httpx.BaseTransport | None = None,
        metrics: CollectorMetrics | None = None,
    ) -> None:
        self._settings = settings
        self._producer = producer
        self._transport = transport
        self._metrics = metrics or CollectorMetrics(CollectorRegistry())

    def _verify(self) -> ssl.SSLContext | bool:
        bundle = self._settings.probe_ca_bundle
        return ssl.create_default_context(cafile=str(bundle)) if bundle else True

    def probe(self, urls: Sequence[str]) -> Iterator[ApplicationObserved]:
        """Yield (and publish) each result as it completes; the caller may show progress."""
        with (
            make_client(self._settings.probe_timeout_s, self._transport, self._verify()) as client,
            ThreadPoolExecutor(self._settings.probe_concurrency) as pool,
        ):
            for observed in pool.map(lambda url: self._probe_one(client, url), urls):
                event = new_event(EventType.APPLICATION_OBSERVED, observed, source=SOURCE)
                try:
                    publish(self._producer, [event])
                except Exception:
                    self._metrics.publish_failed()
                    raise
                yield observed
        self._producer.flush()

    def _probe_one(self, client: httpx.Client, url: str) -> ApplicationObserved:
        raw = fetch(client, url)
        observed = transform(raw)
        self._metrics.probed(outcome(raw), seconds_left(observed.tls, datetime.now(UTC)))
        return observed
