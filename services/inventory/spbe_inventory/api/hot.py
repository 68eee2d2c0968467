"""A hot read route answered without the router: the same endpoint, authorisation and policy,
minus route matching and dependency solving.

FastAPI matches a request against every route of the app (the API's and the web pages', a
hundred and more) and then solves the route's dependencies; for the asset list, the page most
read by scripts and dashboards, that cost more than its database read (bench/api.py). `HotRoutes`
is the innermost middleware: a request for one of its routes (exact method and path) is
authorised by `authorize`, as the router's dependency does it, and answered by the route's own
`respond`. Anything else, and any request that does not end in a plain answer (no credentials, a
refused permission, a query that does not validate, a database error), goes the usual way
through the router, so every error is rendered by the app's exception handlers exactly as
before: a GET reads and changes nothing, so answering it twice costs time only.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from spbe_inventory.api.security import POLICY, authorize

log = logging.getLogger(__name__)
Respond = Callable[[Request], Awaitable[Response]]


class HotRoutes:
    """Pure ASGI middleware: GET `path` -> `respond(request)`, for the paths given.

    A path is answered here only once the router has matched it, the usual way, to a GET route
    of the same path: that route object is then set in the scope as the router sets it (the
    access policy and the metrics' labels read its path template)."""

    def __init__(self, app: ASGIApp, *, respond_by_path: Mapping[str, Respond]) -> None:
        self.app = app
        self.respond_by_path = dict(respond_by_path)
        self.routes: dict[str, BaseRoute] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = ""
        if scope["type"] == "http" and scope["method"] == "GET":
            path, root = scope["path"], scope.get("root_path", "")
            path = path[len(root) :] if root and path.startswith(root) else path
        route = self.routes.get(path) if path else None
        if route is None:
            await self.app(scope, receive, send)
            if path in self.respond_by_path:
                self._learn(path, scope.get("route"))
            return
        request = Request(scope, receive)
        scope["route"] = route
        try:
            await authorize(request)
            response = await self.respond_by_path[path](request)
        except Exception as exc:  # answered the usual way, by the router
            log.debug("GET %s answered by the router: %r", path, exc)
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)

    def _learn(self, path: str, route: object) -> None:
        if isinstance(route, APIRoute) and route.path == path and "GET" in (route.methods or ()):
            self.routes[path] = route


def install(app: FastAPI, respond_by_path: Mapping[str, Respond]) -> None:
    """Innermost of the app's middleware (inside the size limits and metrics). Each path must be
    a GET route of `app` with an access policy (the route's own answer stays the reference)."""
    for path in respond_by_path:
        if ("GET", path) not in POLICY:
            raise ValueError(f"GET {path} has no access policy")
    app.user_middleware.append(Middleware(HotRoutes, respond_by_path=respond_by_path))
