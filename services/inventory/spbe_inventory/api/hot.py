"""A hot read route answered without the router: the same endpoint, authorisation and policy,
minus route matching and dependency solving.

FastAPI matches a request against every route of the app (the API's and the web pages', a
hundred and more) and then solves the route's dependencies; for the asset list, the page most
read by scripts and dashboards, that cost more than its database read (bench/api.py). `HotRoutes`
is the innermost middleware: a request for one of its routes (exact method and path) is
authorised by `authorize`, as the router's dependency does it, and answered by the route's own
`respond`. Anything else, and any request refused (no credentials, a refused permission, a
query that does not validate), goes the usual way through the router, so every refusal is
rendered exactly as before (a GET reads and changes nothing: answering it twice costs time
only). A failure that is not a refusal (the database unavailable) is not tried again: the app's
handler for it answers (503), or the server error handler outside (500).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from inspect import isawaitable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
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
        except (HTTPException, RequestValidationError) as exc:  # refused: the router answers
            log.debug("GET %s answered by the router: %r", path, exc)
            await self.app(scope, receive, send)
            return
        except Exception as exc:
            handler = _handler_of(scope["app"], exc)
            if handler is None:
                raise  # the server error handler, outside every middleware
            answer = handler(request, exc)
            response = await answer if isawaitable(answer) else answer
        await response(scope, receive, send)

    def _learn(self, path: str, route: object) -> None:
        if isinstance(route, APIRoute) and route.path == path and "GET" in (route.methods or ()):
            self.routes[path] = route


def _handler_of(app: Starlette, exc: Exception) -> Callable[..., Any] | None:
    """The app's handler of `exc` as the router's exception middleware finds it (the closest
    class); None for the catch-all `Exception`, which the server error middleware owns."""
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in app.exception_handlers:
            return app.exception_handlers[cls]
    return None


def install(app: FastAPI, respond_by_path: Mapping[str, Respond]) -> None:
    """Innermost of the app's middleware (inside the size limits and metrics). Each path must be
    a GET route of `app` with an access policy (the route's own answer stays the reference)."""
    for path in respond_by_path:
        if ("GET", path) not in POLICY:
            raise ValueError(f"GET {path} has no access policy")
    app.user_middleware.append(Middleware(HotRoutes, respond_by_path=respond_by_path))
