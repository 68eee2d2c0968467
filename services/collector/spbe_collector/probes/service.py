"""Probe many URLs concurrently (bounded) and publish one application.observed per URL."""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
from prometheus_client import CollectorRegistry
from pydantic import HttpUrl, TypeAdapter, ValidationError

from spbe_common.bus import Producer, publish
from spbe_common.events import EventType, new_event
from spbe_common.events.payloads import ApplicationObserved

from ..metrics import CollectorMetrics
from ..scopes.probes import literal_address
from ..scopes.schemas import Network
from ..scopes.service import address_allowed, describe_allowlist
from ..settings import SOURCE, CollectorSettings
from .enums import ProbeOutcome
from .get import fetch, make_client
from .transform import outcome, seconds_left, transform

log = logging.getLogger(__name__)
_URL = TypeAdapter(HttpUrl)
Resolve = Callable[[str, int], list[str]]  # host, port -> the addresses it resolves to


def resolve_host(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def outside_allowlist(url: httpx.URL, allowlist: Sequence[Network], resolve: Resolve) -> str | None:
    """Why `url`'s host must not be reached (None: every address it resolves to is inside).
    OSError when the host name does not resolve."""
    literal = literal_address(url.host)
    port = url.port or (443 if url.scheme == "https" else 80)
    found = [str(literal)] if literal else resolve(url.host, port)
    addresses = [literal_address(a.split("%")[0]) for a in found]  # drop an IPv6 zone
    outside = [str(a or "?") for a in addresses if a is None or not address_allowed(a, allowlist)]
    if not outside and addresses:
        return None
    where = ", ".join(outside) or "no address"
    allowed = describe_allowlist(allowlist)
    return f"{url.host} resolves to {where}, outside the scan allowlist ({allowed})"


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
        allowlist: Sequence[Network] | None = None,
        resolve: Resolve = resolve_host,
    ) -> None:
        """`allowlist` (scheduled probes): skip a URL whose host resolves outside it, and refuse a
        redirect there; None (`spbe collect probe`, an operator's own URLs): no check."""
        self._settings = settings
        self._producer = producer
        self._transport = transport
        self._metrics = metrics or CollectorMetrics(CollectorRegistry())
        self._allowlist = None if allowlist is None else tuple(allowlist)
        self._resolve = resolve

    def _verify(self) -> ssl.SSLContext | bool:
        bundle = self._settings.probe_ca_bundle
        return ssl.create_default_context(cafile=str(bundle)) if bundle else True

    def probe(self, urls: Sequence[str]) -> Iterator[ApplicationObserved]:
        """Yield (and publish) each result as it completes; the caller may show progress."""
        with (
            make_client(self._settings.probe_timeout_s, self._transport, self._verify()) as client,
            ThreadPoolExecutor(self._settings.probe_concurrency) as pool,
        ):
            if (allowlist := self._allowlist) is not None:  # every request, redirects too
                client.event_hooks = {"request": [lambda request: self._guard(request, allowlist)]}
            for observed in pool.map(lambda url: self._probe_one(client, url), urls):
                if observed is None:
                    continue
                event = new_event(EventType.APPLICATION_OBSERVED, observed, source=SOURCE)
                try:
                    publish(self._producer, [event])
                except Exception:
                    self._metrics.publish_failed()
                    raise
                yield observed
        self._producer.flush()

    def _guard(self, request: httpx.Request, allowlist: Sequence[Network]) -> None:
        """Refuse a connection outside the allowlist: fetch() reports it as a failed connect."""
        try:
            reason = outside_allowlist(request.url, allowlist, self._resolve)
        except (OSError, UnicodeError) as exc:
            message = f"{request.url.host} does not resolve: {exc}"
            raise httpx.ConnectError(message, request=request) from None
        if reason:
            raise httpx.ConnectError(f"not probed: {reason}", request=request)

    def _skipped(self, url: str) -> bool:
        """A URL whose host resolves outside the allowlist: not probed, counted as refused, no
        event (the application is not down, the collector may not reach it)."""
        if self._allowlist is None:
            return False
        try:
            reason = outside_allowlist(httpx.URL(url), self._allowlist, self._resolve)
        except (OSError, UnicodeError):
            return False  # a name that does not resolve: probed, reported unreachable
        if reason:
            log.warning("probe of %s skipped: %s", url, reason)
            self._metrics.probed(ProbeOutcome.REFUSED, None)
        return reason is not None

    def _probe_one(self, client: httpx.Client, url: str) -> ApplicationObserved | None:
        if self._skipped(url):
            return None
        raw = fetch(client, url)
        observed = transform(raw)
        self._metrics.probed(outcome(raw), seconds_left(observed.tls, datetime.now(UTC)))
        return observed
