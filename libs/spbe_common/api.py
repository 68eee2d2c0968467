"""The edge both APIs share: request limits, error bodies in one documented shape, database
failures answered with the status that fits, and ETags for optimistic concurrency.

Limits (documented in the README):
- a request body larger than `max_body_bytes` (default 1 MiB) answers 413;
- a JSON body must be valid JSON by RFC 8259: no lone surrogates, no NaN or Infinity (422);
- no NUL character anywhere in a JSON body, a path or a query string (422; an app may answer a
  refused path or query string in its own form, e.g. a web page, through `TargetRefusal`);
- every JSON integer within 64 bits (422): the databases store nothing wider;
- a 422 body is `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` and never echoes the
  input: each message is cut to `MAX_MESSAGE` characters; any other error is `{"detail": "..."}`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
MAX_BODY_BYTES = 1024 * 1024
MAX_MESSAGE = 200
MAX_LOC = 8

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# The app's own answer to a refused request target: (scope, status, "path" or "query") -> a
# response with that status, or None for the JSON body.
TargetRefusal = Callable[[Scope, int, str], Response | None]


# Ids in paths: the databases' 64-bit keys (a larger number would overflow the driver).
IdPath = Annotated[int, Path(ge=1, le=INT64_MAX)]
Offset = Annotated[int, Query(ge=0, le=INT64_MAX, description="Rows to skip")]
QueryId = Annotated[int | None, Query(ge=1, le=INT64_MAX)]


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorBody(BaseModel):
    """422: what was wrong, field by field; the input itself is never echoed."""

    detail: list[ErrorItem]


class ErrorBody(BaseModel):
    detail: str


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("Bad request"),
    401: _error("No credentials, or they do not hold (unknown, expired or revoked)"),
    403: _error("The caller's role may not do this"),
    404: _error("Not found (or not visible to the caller)"),
    409: _error("Conflicts with an existing record"),
    412: _error("If-Match names an older version of the record"),
    413: _error("Request body too large"),
    422: {"model": ValidationErrorBody, "description": "Invalid input, field by field"},
    503: _error("Database unavailable; nothing was saved, try again"),
}


class Unprocessable(HTTPException):
    """A 422 about one field (`loc`), in the same shape as pydantic's validation errors."""

    def __init__(self, msg: str, loc: tuple[str | int, ...] = ("body",)) -> None:
        super().__init__(422, msg)
        self.loc = loc


def json_body(payload: Any, status_code: int, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(payload),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


def _cut(text: str) -> str:
    text = text.encode("utf-8", "replace").decode("utf-8")  # never a lone surrogate in a reply
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _loc(loc: Any) -> list[str | int]:
    return [p if isinstance(p, int) else _cut(str(p)) for p in list(loc)[:MAX_LOC]]


def unprocessable(items: list[tuple[Any, str, str]]) -> Response:
    detail = [{"loc": _loc(loc), "msg": _cut(msg), "type": kind} for loc, msg, kind in items]
    return json_body({"detail": detail}, 422)


# --- exception handlers ------------------------------------------------------------------------
async def validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()[:20]
    return unprocessable(
        [(e.get("loc", ()), str(e.get("msg", "")), e.get("type", "")) for e in errors]
    )


async def http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 422:
        if isinstance(exc.detail, list):  # already items
            return json_body({"detail": exc.detail}, 422)
        return unprocessable([(getattr(exc, "loc", ("body",)), str(exc.detail), "value_error")])
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return json_body({"detail": _cut(detail)}, exc.status_code, dict(exc.headers or {}))


async def _integrity_error(_request: Request, exc: Exception) -> Response:
    log.info("write refused by a constraint: %s", exc)
    return json_body({"detail": "conflicts with an existing record; nothing was saved"}, 409)


async def _data_error(_request: Request, exc: Exception) -> Response:
    log.info("value refused by the database: %s", exc)
    return unprocessable(
        [(("body",), "a value is out of the range the database stores", "value_error")]
    )


async def _unavailable(_request: Request, exc: Exception) -> Response:
    log.warning("database unavailable: %s", exc)
    return json_body(
        {"detail": "database unavailable; nothing was saved, try again"}, 503, {"Retry-After": "5"}
    )


async def internal_error(_request: Request, exc: Exception) -> Response:
    # Starlette re-raises after this answer and the server then drops the connection: say so.
    return json_body({"detail": "internal error"}, 500, {"Connection": "close"})


# --- request limits -----------------------------------------------------------------------------
def _template_pattern(template: str) -> re.Pattern[str]:
    """`/a/{id}/b` matches `/a/7/b`: each `{name}` stands for one non-empty path segment."""
    parts = re.split(r"\{[^{}/]+\}", template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))


class RequestLimits:
    """Pure ASGI middleware: size, NUL, surrogate and integer limits checked before routing.
    `path_limits` gives a path its own body limit: exactly (e.g. a spreadsheet upload), or a
    route template (`/api/v1/periods/{period_id}/asesor/import`) whose `{name}` parts match one
    path segment each; an exact path wins over a template. `target_refusal` may answer a refused
    path or query string in the app's own form (a web page); the JSON body otherwise."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int = MAX_BODY_BYTES,
        path_limits: dict[str, int] | None = None,
        target_refusal: TargetRefusal | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.path_limits = path_limits or {}
        self.target_refusal = target_refusal
        self._templates = [
            (_template_pattern(path), limit) for path, limit in self.path_limits.items()
            if "{" in path
        ]  # fmt: skip

    def limit_of(self, path: str) -> int:
        """The body limit of a request path."""
        if path in self.path_limits:
            return self.path_limits[path]
        for pattern, limit in self._templates:
            if pattern.fullmatch(path):
                return limit
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope.get("path", ""))
        refused = self._refuse_target(scope)
        if refused is None and _declared_length(scope) > limit:
            refused = self._too_large(limit)
        if refused is not None:
            await refused(scope, receive, send)
            return
        body, more = await self._read(receive, limit)
        if body is None:
            await self._too_large(limit)(scope, receive, send)
            return
        refused = _refuse_json(scope, body)
        if refused is not None:
            await refused(scope, receive, send)
            return
        await self.app(scope, _replay(body, more, receive), send)

    def _refuse_target(self, scope: Scope) -> Response | None:
        part = _nul_in_target(scope)
        if part is None:
            return None
        if self.target_refusal is not None:
            answer = self.target_refusal(scope, 422, part)
            if answer is not None:
                return answer
        return unprocessable([((part,), "a NUL character is not allowed", "value_error")])

    def _too_large(self, limit: int) -> Response:
        return json_body(
            {"detail": f"request body larger than {limit} bytes"},
            413,
            {"Connection": "close"},
        )

    async def _read(self, receive: Receive, limit: int) -> tuple[bytes | None, Message | None]:
        """The whole body (None past the limit), and a non-body message that came instead."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), message
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None, None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), None


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _nul_in_target(scope: Scope) -> str | None:
    """The part of the request target ("path" or "query") that holds a NUL character."""
    raw_path = scope.get("raw_path") or scope.get("path", "").encode()
    if b"%00" in raw_path.lower() or "\x00" in scope.get("path", ""):
        return "path"
    if b"%00" in scope.get("query_string", b"").lower():
        return "query"
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


def _refuse_json(scope: Scope, body: bytes) -> Response | None:
    if not body or not _is_json(scope):
        return None
    try:
        document = orjson.loads(body)  # strict RFC 8259: no lone surrogates, NaN or Infinity
    except orjson.JSONDecodeError as exc:
        return unprocessable([(("body",), f"not valid JSON: {exc.msg}", "json_invalid")])
    for loc, problem in _problems(document, ("body",)):
        return unprocessable([(loc, problem, "value_error")])
    return None


def _problems(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        if "\x00" in value:
            yield loc, "a NUL character is not allowed"
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            yield loc, "integer out of the 64-bit range"
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _problems(item, (*loc, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                yield loc, "a NUL character is not allowed in a key"
            yield from _problems(item, (*loc, key))


def _replay(body: bytes, pending: Message | None, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent, pending
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if pending is not None:
            message, pending = pending, None
            return message
        return await receive()

    return replay


# --- ETags --------------------------------------------------------------------------------------
def etag_of(representation: dict[str, Any], volatile: frozenset[str] = frozenset()) -> str:
    """A strong ETag of what a client edits: the record without bookkeeping that scans move."""
    stable = {k: v for k, v in representation.items() if k not in volatile}
    digest = hashlib.blake2b(
        orjson.dumps(stable, option=orjson.OPT_SORT_KEYS, default=str), digest_size=12
    )
    return f'"{digest.hexdigest()}"'


def with_etag(
    representation: dict[str, Any], status_code: int = 200, volatile: frozenset[str] = frozenset()
) -> Response:
    """A record's JSON with its ETag, for GET, and for the answers of POST and PATCH."""
    return json_body(representation, status_code, {"ETag": etag_of(representation, volatile)})


def check_if_match(request: Request, current: str) -> None:
    """412 when If-Match names another version than the current one (`*` matches any)."""
    check_version(request.headers.get("if-match"), current)


def check_version(wanted: str | None, current: str) -> None:
    """412 when `wanted` (an If-Match value; None: any) names another version than `current`."""
    if wanted is None:
        return
    tags = {t.strip().removeprefix("W/") for t in wanted.split(",")}
    if "*" not in tags and current not in tags:
        raise HTTPException(
            412, "the record changed since it was read; read it again (GET) and retry"
        )


# --- API description -----------------------------------------------------------------------------
def docs_urls(public: bool) -> dict[str, str | None]:
    """FastAPI's arguments: its own /docs and /redoc load their scripts from a public CDN, so
    they are replaced by `add_docs`; the description itself is public in development only."""
    return {"docs_url": None, "redoc_url": None, "openapi_url": "/openapi.json" if public else None}


# The API docs load only this service's files (Swagger UI starts from an inline script).
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


def _docs_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = DOCS_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def add_docs(app: FastAPI, public: bool, principal: Any) -> None:
    """/docs (Swagger UI) and /redoc served with the service's own copies of their scripts
    (`spbe_common.webassets`): they work on a network without internet. In development they are
    public; elsewhere they and /openapi.json need a signed-in caller (`principal` is the app's
    dependency that answers 401 without one)."""
    from spbe_common import webassets

    webassets.mount(app)
    title = f"{app.title} - API"

    async def openapi(_request: Request) -> Response:
        return json_body(app.openapi(), 200)

    async def swagger(_request: Request) -> Response:
        return _docs_headers(
            get_swagger_ui_html(
                openapi_url="/openapi.json",
                title=title,
                swagger_js_url=webassets.url("swagger-ui-bundle.js"),
                swagger_css_url=webassets.url("swagger-ui.css"),
                swagger_favicon_url=webassets.url("favicon-32x32.png"),
                swagger_ui_parameters={"validatorUrl": None},  # no call to validator.swagger.io
            )
        )

    async def redoc(_request: Request) -> Response:
        return _docs_headers(
            get_redoc_html(
                openapi_url="/openapi.json",
                title=title,
                redoc_js_url=webassets.url("redoc.standalone.js"),
                redoc_favicon_url=webassets.url("favicon-32x32.png"),
                with_google_fonts=False,
            )
        )

    if public:  # plain routes: outside the app's authorising dependency
        app.add_route("/docs", swagger, include_in_schema=False)
        app.add_route("/redoc", redoc, include_in_schema=False)
        return
    for path, endpoint in (("/openapi.json", openapi), ("/docs", swagger), ("/redoc", redoc)):
        app.add_api_route(
            path, endpoint, include_in_schema=False, dependencies=[Depends(principal)]
        )


# --- installation -------------------------------------------------------------------------------
def install(
    app: FastAPI,
    max_body_bytes: int = MAX_BODY_BYTES,
    path_limits: dict[str, int] | None = None,
    target_refusal: TargetRefusal | None = None,
) -> None:
    """Limits and error handling of one API; call once in its `create_app`."""
    app.add_middleware(
        RequestLimits,
        max_body_bytes=max_body_bytes,
        path_limits=path_limits,
        target_refusal=target_refusal,
    )
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(OperationalError, _unavailable)
    app.add_exception_handler(InterfaceError, _unavailable)
    app.add_exception_handler(Exception, internal_error)
