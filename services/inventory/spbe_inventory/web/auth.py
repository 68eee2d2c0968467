"""Masuk (sign in) and keluar (sign out) of the web pages, and the short addresses people type."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from spbe_inventory.accounts import service as accounts
from spbe_inventory.accounts.models import NAME_MAX
from spbe_inventory.accounts.routes import set_session_cookie
from spbe_inventory.api.deps import WriteConnDep
from spbe_inventory.api.security import SESSION_COOKIE

from .render import page

router = APIRouter(include_in_schema=False)
HOME = "/beranda"
WRONG = "Nama akun atau kata sandi salah."
MAX_PASSWORD = 1000  # far beyond a generated one (20 characters); argon2 is not run past it
MAX_NEXT = 2000


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target


@router.get("/")
async def root(request: Request) -> Response:
    principal = getattr(request.state, "principal", None)
    return RedirectResponse(HOME if principal is not None else "/masuk", 303)


@router.get("/login")
async def login_alias() -> Response:
    return RedirectResponse("/masuk", 303)


@router.get("/dashboard")
async def dashboard_alias() -> Response:
    return RedirectResponse(HOME, 303)


@router.get("/masuk")
async def sign_in_form(request: Request, next: str | None = None) -> Response:
    if getattr(request.state, "principal", None) is not None:
        return RedirectResponse(safe_next(next), 303)
    return page(request, "masuk.html", {"next": safe_next(next), "name": ""})


@router.post("/masuk")
def sign_in(
    request: Request,
    conn: WriteConnDep,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Argon2 verification is slow on purpose: a worker thread, not the event loop. No
    Form(max_length): an over-long name or password is wrong like any other, on the form."""
    name = name.strip()
    target = safe_next(next if len(next) <= MAX_NEXT else None)
    context = {"next": target, "name": name}
    if not name or not password:
        return page(
            request, "masuk.html", {**context, "error": "Isi nama akun dan kata sandi."}, 422
        )
    if len(name) > NAME_MAX or len(password) > MAX_PASSWORD:  # no such account or password
        return page(request, "masuk.html", {**context, "error": WRONG}, 401)
    address = request.client.host if request.client else "unknown"
    try:
        session = accounts.sign_in(conn, name, password, address)
    except accounts.TooManyAttempts as exc:
        minutes = max(1, exc.retry_after_s // 60)
        error = f"Terlalu banyak percobaan gagal. Coba lagi dalam {minutes} menit."
        refused = page(request, "masuk.html", {**context, "error": error}, 429)
        refused.headers["Retry-After"] = str(exc.retry_after_s)
        return refused
    if session is None:
        return page(request, "masuk.html", {**context, "error": WRONG}, 401)
    response = RedirectResponse(target, 303)
    set_session_cookie(request, response, session.secret)
    return response


@router.post("/keluar")
def sign_out(request: Request, conn: WriteConnDep) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        accounts.sign_out(conn, secret)
    response = RedirectResponse("/masuk", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
