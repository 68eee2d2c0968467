"""/api/v1/auth: sign in with a password (a session cookie for the web pages), sign out, who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from spbe_common.api import json_body
from spbe_common.auth import same
from spbe_common.settings import Environment
from spbe_inventory.api.deps import ConnDep, PrincipalDep, WriteConnDep
from spbe_inventory.api.security import CSRF_HEADER, SESSION_COOKIE

from . import service
from .models import AccountPublic, LoginRequest, PrincipalPublic, SessionPublic

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
accounts_router = APIRouter(prefix="/api/v1/accounts", tags=["auth"])
MAX_NAMES = 100


@router.post(
    "/login",
    response_model=SessionPublic,
    responses={
        401: {"description": "Wrong name or password"},
        429: {"description": "Too many failed sign-ins; see Retry-After"},
    },
)
def login(body: LoginRequest, request: Request, conn: WriteConnDep) -> Response:
    """Signs in: sets the HttpOnly session cookie and returns the CSRF token to send as
    `X-CSRF-Token` with every change. Failed attempts are limited per account and address."""
    address = request.client.host if request.client else "unknown"
    try:
        session = service.sign_in(conn, body.name, body.password, address)
    except service.TooManyAttempts as exc:
        headers = {"Retry-After": str(exc.retry_after_s)}
        return json_body({"detail": str(exc)}, 429, headers)
    if session is None:  # answered, not raised: the failure just counted must be committed
        return json_body({"detail": "wrong name or password"}, 401, {"WWW-Authenticate": "Bearer"})
    response = json_body({**session.principal.public(), "csrf_token": session.principal.csrf}, 200)
    set_session_cookie(request, response, session.secret)
    return response


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, and Secure outside development."""
    development = request.app.state.settings.environment is Environment.DEVELOPMENT
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=service.SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=not development,
        path="/",
    )


@router.post("/logout", status_code=204)
def logout(request: Request, conn: WriteConnDep, _principal: PrincipalDep) -> Response:
    """Ends this browser's session (a bearer token stays valid until revoked or expired)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        service.sign_out(conn, secret)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=PrincipalPublic)
async def me(principal: PrincipalDep, request: Request) -> Response:
    """The caller: name, role, OPD scope and own OPD (the scorer asks this to check a token).

    Given `X-CSRF-Token` with a session cookie, the token must be that session's (403 if not):
    the scorer asks so before it accepts a change made with a web session."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is not None and principal.csrf is not None and not same(sent, principal.csrf):
        raise HTTPException(403, "wrong X-CSRF-Token for this session")
    return json_body(principal.public(), 200)


@accounts_router.get("", response_model=list[AccountPublic])
def accounts(
    conn: ConnDep,
    name: Annotated[list[str], Query(description=f"Account names, at most {MAX_NAMES}")],
) -> Response:
    """The named accounts that exist (admins only): role, OPD scope, own OPD, disabled. The
    scorer asks this, with the caller's credential, before it assigns accounts to a worksheet."""
    if len(name) > MAX_NAMES:
        raise HTTPException(422, f"at most {MAX_NAMES} names")
    return json_body(service.accounts_named(conn, sorted(set(name))), 200)
