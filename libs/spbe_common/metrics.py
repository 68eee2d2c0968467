"""HTTP metrics of an API: requests by route template, method and status, and their latency.

A pure ASGI middleware (no BaseHTTPMiddleware: streaming bodies pass through untouched). The
`route` label is the template of the route the router matched (`/api/v1/assets/{asset_id}`,
a mount's prefix such as `/static`), read from `scope["route"]` once the app has answered;
a request no route matched is "unmatched". The raw path never becomes a label. /metrics and
/healthz are counted like every other route.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "unmatched"
OTHER_METHOD = "OTHER"  # a method no route serves: kept out of the label set
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class HttpMetrics:
    requests: Counter
    duration: Histogram


# one set of families per registry: apps built twice on one registry (tests) share them
_FAMILIES: weakref.WeakKeyDictionary[CollectorRegistry, HttpMetrics] = weakref.WeakKeyDictionary()


def http_metrics(registry: CollectorRegistry) -> HttpMetrics:
    if registry not in _FAMILIES:
        _FAMILIES[registry] = HttpMetrics(
            Counter(
                "spbe_http_requests",
                "HTTP requests answered, by route template, method and status",
                ["service", "route", "method", "status"],
                registry=registry,
            ),
            Histogram(
                "spbe_http_request_duration_seconds",
                "Time from a request's arrival to the end of its response",
                ["service", "route", "method"],
                registry=registry,
            ),
        )
    return _FAMILIES[registry]


def route_template(scope: Scope, root_path: str = "") -> str:
    """What the router matched, as its path template; never the requested path. A mount sets
    no route, only a longer root path: its prefix, as `/static/{path}` (FastAPI's http.route)."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str) and path:
        return path
    mounted = str(scope.get("root_path", ""))
    if "endpoint" in scope and mounted.startswith(root_path) and len(mounted) > len(root_path):
        return mounted[len(root_path) :] + "/{path}"
    return UNMATCHED


def method_label(scope: Scope) -> str:
    method = str(scope.get("method", "")).upper()
    return method if method in METHODS else OTHER_METHOD


class HttpMetricsMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics, service: str) -> None:
        self.app = app
        self.metrics = metrics
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        root_path = str(scope.get("root_path", ""))  # before routing: a mount extends it
        status = 500  # an exception that escapes before a response started is answered as 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = route_template(scope, root_path)
            self._record(route, method_label(scope), status, time.perf_counter() - started)

    def _record(self, route: str, method: str, status: int, seconds: float) -> None:
        self.metrics.requests.labels(self.service, route, method, str(status)).inc()
        self.metrics.duration.labels(self.service, route, method).observe(seconds)


def install(app: FastAPI, registry: CollectorRegistry, service: str) -> None:
    """Outermost of the app's own middleware: it sees every answer, the size limits' too."""
    app.add_middleware(HttpMetricsMiddleware, metrics=http_metrics(registry), service=service)
