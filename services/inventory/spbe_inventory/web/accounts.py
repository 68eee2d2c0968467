"""Pengaturan > Akun (admins): accounts, their passwords and API tokens, from the browser.

Each page calls the accounts service the CLI (`spbe users`, `spbe tokens`) calls, so the same
checks refuse the same things; a refusal is shown in Bahasa Indonesia (form_errors). A password
or token is shown once, in the answer to the POST that made it (never stored, no-store)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from spbe_common.auth import SERVICE_ROLES, Principal, Role
from spbe_inventory.accounts import service as accounts
from spbe_inventory.accounts.models import NAME_MAX
from spbe_inventory.accounts.service import AccountError, Refusal
from spbe_inventory.api.deps import ConnDep, WriteConnDep
from spbe_inventory.db import utcnow
from spbe_inventory.opd import repository as opd_repo

from . import form_errors
from .form_errors import REQUIRED, account_refusal
from .labels import choices
from .render import page
from .typed_input import whole_number

router = APIRouter(include_in_schema=False)
BASE = "/pengaturan/akun"
MAX_OPD = 200
NOTICES = {
    "dinonaktifkan": "Akun dinonaktifkan: sesi masuknya berakhir dan tokennya berhenti berlaku.",
    "diaktifkan": "Akun diaktifkan kembali: dapat masuk lagi, tokennya yang masih berlaku"
    " berfungsi lagi.",
    "dicabut": "Token dicabut dan berhenti berlaku saat ini juga.",
}
Name = Annotated[str, Path(max_length=64)]
TokenId = Annotated[str, Path(max_length=16)]


def _principal(request: Request) -> Principal:
    principal: Principal = request.state.principal
    return principal


def _secret_page(request: Request, context: dict[str, Any]) -> Response:
    """A password or token shown once: never kept by a browser or proxy cache."""
    response = page(request, "akun_rahasia.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the list and the new account ----------------------------------------------------------------
@router.get(BASE)
def account_list(request: Request, conn: ConnDep) -> Response:
    context = {"title": "Akun", "rows": accounts.listed(conn)}
    return page(request, "akun_daftar.html", context)


def _new_form(
    request: Request,
    conn: Connection,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:
    context = {
        "title": "Akun baru",
        "values": values,
        "errors": errors or {},
        "role_options": choices(Role),
        "opd_options": opd_repo.directory(conn),
    }
    return page(request, "akun_baru.html", context, 422 if errors else 200)


@router.get(BASE + "/baru")
def new_account(request: Request, conn: ConnDep) -> Response:
    return _new_form(request, conn, {"nama": "", "peran": "", "opd": []})


def _checked(name: str, role: str, codes: list[str]) -> dict[str, str]:
    """What the form itself refuses before the service sees it."""
    errors = {}
    if not name:
        errors["nama"] = REQUIRED
    elif len(name) > NAME_MAX:
        errors["nama"] = form_errors.NAME_TOO_LONG.format(limit=NAME_MAX)
    if role not in {r.value for r in Role}:
        errors["peran"] = form_errors.ROLE_REQUIRED
    if len(codes) > MAX_OPD:
        errors["opd"] = form_errors.TOO_MANY_OPD
    return errors


@router.post(BASE + "/baru")
def add_account(
    request: Request,
    conn: WriteConnDep,
    nama: Annotated[str, Form()] = "",
    peran: Annotated[str, Form()] = "",
    opd: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies a default)
) -> Response:
    """Argon2 hashing is slow on purpose: a worker thread, not the event loop. The fields have
    no Form(max_length): a refusal there would lose the form; _checked says it on the form (the
    body limit bounds them)."""
    name, codes = nama.strip(), sorted({c.strip() for c in opd if c.strip()})
    values = {"nama": name, "peran": peran, "opd": codes}
    if errors := _checked(name, peran, codes):
        return _new_form(request, conn, values, errors)
    role = Role(peran)
    try:
        password = accounts.add_account(conn, name, role, codes)
    except AccountError as exc:
        field, message = account_refusal(exc.reason, exc.detail)
        return _new_form(request, conn, values, {field or "form": message})
    context = {"title": f"Akun {name} dibuat", "name": name, "kind": "akun", "secret": password}
    context["service"] = role in SERVICE_ROLES
    return _secret_page(request, context)


# --- one account ---------------------------------------------------------------------------------
def _detail(
    request: Request,
    conn: Connection,
    name: str,
    errors: dict[str, str] | None = None,
    days: str = str(accounts.TOKEN_DAYS),
) -> Response:
    account = accounts.shown(conn, name)
    if account is None:
        raise HTTPException(404)
    context = {
        "title": f"Akun {name}",
        "account": account,
        "tokens": _tokens(conn, name),
        "notice": NOTICES.get(request.query_params.get("pesan", "")),
        "errors": errors or {},
        "days": days,
        "is_self": name == _principal(request).name,
        "max_days": accounts.MAX_TOKEN_DAYS,
    }
    return page(request, "akun_detail.html", context, 422 if errors else 200)


def _tokens(conn: Connection, name: str) -> list[dict[str, Any]]:
    """The account's tokens, each with its state in words and whether it can be revoked."""
    now, out = utcnow(), []
    for token in accounts.tokens_of(conn, name):
        live = token["revoked_at"] is None and token["expires_at"] > now
        state = "Berlaku" if live else "Dicabut" if token["revoked_at"] else "Kedaluwarsa"
        out.append({**token, "live": live, "state": state})
    return out


def _refused(request: Request, conn: Connection, name: str, exc: AccountError) -> Response:
    """The account's page with the refusal; 404 when there is no such account."""
    if exc.reason is Refusal.NO_ACCOUNT:
        raise HTTPException(404)
    field, message = account_refusal(exc.reason, exc.detail)
    return _detail(request, conn, name, {field or "form": message})


def _done(name: str, notice: str) -> Response:
    return RedirectResponse(f"{BASE}/{name}?pesan={notice}", 303)


@router.get(BASE + "/{name}")
def account_page(name: Name, request: Request, conn: ConnDep) -> Response:
    return _detail(request, conn, name)


@router.post(BASE + "/{name}/nonaktifkan")
def disable_account(name: Name, request: Request, conn: WriteConnDep) -> Response:
    try:
        accounts.disable(conn, name, by=_principal(request).name)
    except AccountError as exc:
        return _refused(request, conn, name, exc)
    return _done(name, "dinonaktifkan")


@router.post(BASE + "/{name}/aktifkan")
def enable_account(name: Name, request: Request, conn: WriteConnDep) -> Response:
    try:
        accounts.enable(conn, name)
    except AccountError as exc:
        return _refused(request, conn, name, exc)
    return _done(name, "diaktifkan")


@router.post(BASE + "/{name}/reset-sandi")
def reset_password(name: Name, request: Request, conn: WriteConnDep) -> Response:
    try:
        password = accounts.reset_password(conn, name)
    except AccountError as exc:
        return _refused(request, conn, name, exc)
    account = accounts.shown(conn, name)
    context = {"title": f"Kata sandi baru {name}", "name": name, "kind": "sandi"}
    waits = bool(account and account["disabled"])  # the password works only after Aktifkan
    return _secret_page(request, {**context, "secret": password, "disabled": waits})


@router.post(BASE + "/{name}/token")
def create_token(
    name: Name,
    request: Request,
    conn: WriteConnDep,
    hari: Annotated[str, Form()] = str(accounts.TOKEN_DAYS),
) -> Response:
    """Any text of `hari` but 1 to MAX_TOKEN_DAYS in digits is the field's message."""
    days = whole_number(hari, 1, accounts.MAX_TOKEN_DAYS)
    if days is None:
        field, message = account_refusal(Refusal.TOKEN_DAYS)
        return _detail(request, conn, name, {field: message}, hari.strip())
    try:
        token_id, token = accounts.create_token(conn, name, days)
    except AccountError as exc:
        if exc.reason is Refusal.NO_ACCOUNT:
            raise HTTPException(404) from None
        field, message = account_refusal(exc.reason, exc.detail)
        return _detail(request, conn, name, {field or "form": message}, str(days))
    context = {"title": f"Token baru {name}", "name": name, "kind": "token", "secret": token}
    return _secret_page(request, {**context, "token_id": token_id, "days": days})


@router.post(BASE + "/{name}/token/{token_id}/cabut")
def revoke_token(name: Name, token_id: TokenId, request: Request, conn: WriteConnDep) -> Response:
    if accounts.shown(conn, name) is None:
        raise HTTPException(404)
    try:
        accounts.revoke_token(conn, token_id, name)
    except AccountError as exc:
        return _refused(request, conn, name, exc)
    return _done(name, "dicabut")
