"""Who is calling the scorer API and may they call this route: the central route policy.

The scorer keeps no accounts: it asks the inventory who a credential belongs to
(`GET {SPBE_INVENTORY_URL}/api/v1/auth/me`, with the caller's credential) and trusts the answer
for `SPBE_SCORER_AUTH_CACHE_S` seconds (default 30), keyed by the credential's SHA-256 digest;
the credential itself is never stored or logged. So a token revoked (or expired), or a session
signed out, in the inventory still works on the scorer for at most that long. No credentials, or
credentials the inventory refuses: 401; a role without the route's permission: 403; the
inventory unreachable: 503.

Credentials: `Authorization: Bearer <token>`, or the inventory's `spbe_session` cookie (what the
inventory's web pages forward for the signed-in person). A change made with the cookie also needs
`X-CSRF-Token`, which the inventory checks against the session (403 when it is not the
session's); without it the cookie is not a credential for a change (401).

Every route is listed in `POLICY`; a route missing from it is refused to everyone (fail closed).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import httpx
from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from spbe_common.auth import Permission, Principal, digest
from spbe_scorer.inventory import (
    SESSION_COOKIE,
    CsrfRefused,
    InventoryUnavailable,
    principal_of_session,
    principal_of_token,
)

log = logging.getLogger(__name__)
Clock = Callable[[], float]
MAX_CACHED = 10_000  # distinct tokens remembered at once; past that the oldest are forgotten
READ_METHODS = frozenset({"GET", "HEAD"})  # a session cookie calls others only with its CSRF
CSRF_HEADER = "x-csrf-token"
MAX_COOKIE_CHARS = 256  # a session secret is ~45 characters; longer is not one

P = Permission
PUBLIC: None = None  # no credentials needed
SIGNED_IN = "signed-in"  # any account the inventory knows
Need: TypeAlias = Permission | str | None
POLICY: dict[tuple[str, str], Need] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/openapi.json"): SIGNED_IN,  # outside development only; public in development
    ("GET", "/docs"): SIGNED_IN,
    ("GET", "/redoc"): SIGNED_IN,
    ("GET", "/api/v1/runs"): P.SCORES_READ,
    ("POST", "/api/v1/runs"): P.SCORES_WRITE,
    ("GET", "/api/v1/runs/compare"): P.SCORES_READ,
    ("GET", "/api/v1/runs/{run_id}"): P.SCORES_READ,
    ("GET", "/api/v1/runs/{run_id}/export.xlsx"): P.SCORES_READ,
    ("GET", "/api/v1/assessments"): P.SCORES_READ,
    ("POST", "/api/v1/assessments"): P.SCORES_WRITE,
    ("GET", "/api/v1/assessments/{assessment_id}"): P.SCORES_READ,
    ("PATCH", "/api/v1/assessments/{assessment_id}"): P.SCORES_WRITE,
    ("DELETE", "/api/v1/assessments/{assessment_id}"): P.SCORES_WRITE,
    ("GET", "/api/v1/assessments/{assessment_id}/history"): P.SCORES_READ,
    # The evaluation workspace. Writes also check, per worksheet, that it is the caller's to
    # fill in or review (workspace/access.py).
    ("GET", "/api/v1/periods"): P.WORKSHEETS_READ,
    ("POST", "/api/v1/periods"): P.PERIODS_MANAGE,
    ("GET", "/api/v1/periods/compare"): P.WORKSHEETS_READ,
    ("GET", "/api/v1/periods/{period_id}"): P.WORKSHEETS_READ,
    ("PATCH", "/api/v1/periods/{period_id}"): P.PERIODS_MANAGE,
    ("POST", "/api/v1/periods/{period_id}/runs"): P.SCORES_WRITE,
    ("GET", "/api/v1/periods/{period_id}/export.xlsx"): P.WORKSHEETS_READ,
    ("GET", "/api/v1/periods/{period_id}/documents"): P.WORKSHEETS_READ,
    ("PUT", "/api/v1/periods/{period_id}/asesor/{indicator}"): P.PERIODS_MANAGE,
    ("POST", "/api/v1/periods/{period_id}/asesor/import"): P.PERIODS_MANAGE,
    ("GET", "/api/v1/periods/{period_id}/worksheets"): P.WORKSHEETS_READ,
    ("GET", "/api/v1/periods/{period_id}/worksheets/{indicator}"): P.WORKSHEETS_READ,
    ("PATCH", "/api/v1/periods/{period_id}/worksheets/{indicator}"): P.SCORES_WRITE,
    ("PUT", "/api/v1/periods/{period_id}/worksheets/{indicator}/assignment"): P.PERIODS_MANAGE,
    ("POST", "/api/v1/periods/{period_id}/worksheets/{indicator}/accept"): P.SCORES_WRITE,
    ("POST", "/api/v1/periods/{period_id}/worksheets/{indicator}/submit"): P.SCORES_WRITE,
    ("POST", "/api/v1/periods/{period_id}/worksheets/{indicator}/verify"): P.SCORES_WRITE,
    ("POST", "/api/v1/periods/{period_id}/worksheets/{indicator}/return"): P.SCORES_WRITE,
    ("GET", "/api/v1/periods/{period_id}/worksheets/{indicator}/history"): P.WORKSHEETS_READ,
    ("POST", "/api/v1/periods/{period_id}/worksheets/{indicator}/documents"): P.SCORES_WRITE,
    ("GET", "/api/v1/documents/{document_id}"): P.EVIDENCE_READ,
    ("DELETE", "/api/v1/documents/{document_id}"): P.SCORES_WRITE,
}


class TokenCache:
    """Principals the inventory confirmed, keyed by the token's digest, each for `ttl_s`.
    Only confirmations are kept: a refused token is asked about again every time."""

    def __init__(self, ttl_s: float, clock: Clock = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, token: str) -> Principal | None:
        key = digest(token)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self.clock() >= entry[0]:
            del self._entries[key]
            return None
        return entry[1]

    def put(self, token: str, principal: Principal) -> None:
        if self.ttl_s <= 0:
            return
        if len(self._entries) >= MAX_CACHED:
            self._forget_some()
        self._entries[digest(token)] = (self.clock() + self.ttl_s, principal)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _forget_some(self) -> None:
        now = self.clock()
        self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
        while len(self._entries) >= MAX_CACHED:  # insertion order: the oldest go first
            del self._entries[next(iter(self._entries))]


@dataclass(frozen=True, slots=True)
class Session:
    """A web session's secret (the inventory's cookie), kept apart from tokens in the cache;
    `csrf` is the CSRF token a change sent with it (None on a read)."""

    secret: str
    csrf: str | None = None

    @property
    def cache_key(self) -> str:
        if self.csrf is None:
            return f"session:{self.secret}"
        return f"session:{self.secret}:csrf:{digest(self.csrf)}"


Credential: TypeAlias = str | Session  # a bearer token, or a session


class Authenticator:
    """Asks the inventory about a token or a session, through the cache."""

    def __init__(self, inventory: httpx.Client, ttl_s: float, clock: Clock = time.monotonic):
        self.inventory = inventory
        self.cache = TokenCache(ttl_s, clock)

    async def principal(self, credential: Credential) -> Principal | None:
        key = credential.cache_key if isinstance(credential, Session) else credential
        if (cached := self.cache.get(key)) is not None:
            return cached
        if isinstance(credential, Session):
            ask = run_in_threadpool(
                principal_of_session, self.inventory, credential.secret, credential.csrf
            )
        else:
            ask = run_in_threadpool(principal_of_token, self.inventory, credential)
        found = await ask
        if found is not None:
            self.cache.put(key, found)
        return found


def route_need(request: Request) -> Need | bool:
    """The permission the matched route needs; False when the route has no policy."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    return POLICY.get((request.method, path), False)


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(401, message, {"WWW-Authenticate": "Bearer"})


def credential_of(request: Request) -> Credential | None:
    """The bearer token, else the session cookie (with its CSRF token on a change); None when
    neither is given, or a change sends the cookie without a CSRF token."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorised("use Authorization: Bearer <token>")
        return token.strip()
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    if len(cookie) > MAX_COOKIE_CHARS:
        raise _unauthorised("the session has ended; sign in again")
    if request.method in READ_METHODS:
        return Session(cookie)
    csrf = request.headers.get(CSRF_HEADER)
    if not csrf or len(csrf) > MAX_COOKIE_CHARS:
        return None  # a change by cookie alone could be forged by another site
    return Session(cookie, csrf)


def caller_headers(request: Request) -> tuple[dict[str, str], bool]:
    """The caller's own credential, as headers of a request to the inventory made for them, and
    whether the service token must be left out (a session cookie: a bearer token would win)."""
    credential = credential_of(request)
    if isinstance(credential, Session):
        return {"Cookie": f"{SESSION_COOKIE}={credential.secret}"}, True
    if credential is None:
        raise _unauthorised("sign in first: Authorization: Bearer <token>")
    return {"Authorization": f"Bearer {credential}"}, False


async def authenticate(request: Request) -> Principal | None:
    """The caller of a bearer token or session (None: no credentials given); 401 when the
    inventory does not know the credential, 503 when the inventory cannot be asked."""
    credential = credential_of(request)
    if credential is None:
        return None
    authenticator: Authenticator = request.app.state.authenticator
    try:
        principal = await authenticator.principal(credential)
    except CsrfRefused:
        raise HTTPException(
            403, "missing or wrong X-CSRF-Token for a change made by cookie"
        ) from None
    except InventoryUnavailable as exc:
        log.warning("cannot check a credential: %s", exc)
        raise HTTPException(503, "the inventory, which checks sign-ins, is unavailable") from None
    if principal is None:
        if isinstance(credential, Session):
            raise _unauthorised("the session has ended; sign in again")
        raise _unauthorised("the token is unknown, expired or revoked")
    return principal


async def authorize(request: Request) -> None:
    """Dependency of every route: authenticate, then check the route's permission."""
    need = route_need(request)
    if need is PUBLIC:
        request.state.principal = None
        return
    principal = await authenticate(request)
    request.state.principal = principal
    if principal is None:
        raise _unauthorised("sign in first: Authorization: Bearer <token>")
    if need is False:
        raise HTTPException(403, "this route has no access policy")
    if isinstance(need, Permission) and not principal.can(need):
        raise HTTPException(403, f"the {principal.role.value} role may not do this")
