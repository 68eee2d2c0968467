"""Accounts, credentials and sign-in: what the CLI, the API and (later) the pages call.

Passwords are argon2 hashes (slow on purpose); tokens and session ids are 256 random bits
stored as SHA-256 digests (fast, so checking a token costs the API nothing it would notice).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from spbe_common.auth import SERVICE_ROLES, Principal, Role, digest, new_secret, scope_of
from spbe_inventory.db import utcnow
from spbe_inventory.opd.repository import exists as opd_exists

from . import repository as repo
from .models import NAME_PATTERN, account_row

HASHER = PasswordHasher()
# A hash to verify against when the account does not exist: the answer takes as long either way.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650
SESSION_HOURS = 12
# Sign-in attempts: more failures than these within the window are refused (429).
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


# Names the accounts pages use as paths beside /pengaturan/akun/{name}: an account so named could
# not be opened there.
RESERVED_NAMES = frozenset({"baru"})


class Refusal(StrEnum):
    """Why an account request was refused: the pages show each in their own words."""

    BAD_NAME = "bad_name"
    NAME_RESERVED = "name_reserved"
    NAME_TAKEN = "name_taken"
    OPD_REQUIRED = "opd_required"
    OPD_NOT_ALLOWED = "opd_not_allowed"
    UNKNOWN_OPD = "unknown_opd"
    NO_ACCOUNT = "no_account"
    OWN_ACCOUNT = "own_account"
    LAST_ADMIN = "last_admin"
    TOKENS_ONLY = "tokens_only"
    DISABLED = "disabled"
    TOKEN_DAYS = "token_days"
    NO_TOKEN = "no_token"
    OTHER = "other"


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message (English, for the CLI) says
    why, `reason` says it to the pages, `detail` holds what it names (unknown OPD codes)."""

    def __init__(self, message: str, reason: Refusal = Refusal.OTHER, detail: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail


class TooManyAttempts(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__("too many failed sign-ins; try again later")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class NewSession:
    principal: Principal
    secret: str  # the cookie value, shown once
    expires_at: datetime


def principal_of(row: dict[str, object], csrf: str | None = None) -> Principal:
    role = Role(str(row["role"]))
    codes = list(row["opd_codes"] or [])  # type: ignore[call-overload]
    return Principal(str(row["name"]), role, scope_of(role, codes), csrf, frozenset(codes))


# --- accounts ---------------------------------------------------------------------------------
def accounts_named(conn: Connection, names: list[str]) -> list[dict[str, Any]]:
    """What others may know of these accounts (those that exist): role, scope, own OPD and
    whether disabled; never a secret. The scorer checks a worksheet's accounts with it."""
    return [
        {**principal_of(row).public(), "disabled": bool(row["disabled"])}
        for row in repo.named(conn, names)
    ]


_SHOWN = ("name", "role", "opd_codes", "disabled", "created_at", "last_login_at")


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {**{key: row[key] for key in _SHOWN}, "has_password": row["password_hash"] is not None}


def listed(conn: Connection) -> list[dict[str, Any]]:
    """Every account, by name, as a page lists it: never a secret, only whether it has a
    password."""
    return [_shown(row) for row in repo.all_accounts(conn)]


def shown(conn: Connection, name: str) -> dict[str, Any] | None:
    row = repo.by_name(conn, name)
    return _shown(row) if row is not None else None


def add_account(
    conn: Connection, name: str, role: Role, opd_codes: list[str], *, password: bool = True
) -> str:
    """Creates an account; returns its generated password (shown once, stored only hashed).
    Service accounts, and accounts made with `password=False`, sign in with tokens only."""
    if not re.fullmatch(NAME_PATTERN, name):
        raise AccountError(
            f"account name {name!r}: 2-64 of a-z 0-9 . _ - (lower case)", Refusal.BAD_NAME
        )
    if name in RESERVED_NAMES:
        raise AccountError(
            f"account name {name!r} is reserved (a path of the accounts pages)",
            Refusal.NAME_RESERVED,
        )
    if repo.by_name(conn, name) is not None:
        raise AccountError(f"account {name!r} already exists", Refusal.NAME_TAKEN)
    if role is Role.OPD_OPERATOR and not opd_codes:
        raise AccountError("an opd_operator needs at least one --opd CODE", Refusal.OPD_REQUIRED)
    if opd_codes and role not in (Role.OPD_OPERATOR, Role.VIEWER, Role.EVALUATOR):
        raise AccountError(
            f"--opd is the scope of an opd_operator or viewer, or an evaluator's own OPD;"
            f" not for {role.value}",
            Refusal.OPD_NOT_ALLOWED,
        )
    if unknown := [c for c in opd_codes if not opd_exists(conn, c)]:
        codes = ", ".join(unknown)
        raise AccountError(f"unknown OPD code(s): {codes}", Refusal.UNKNOWN_OPD, codes)
    if role in SERVICE_ROLES or not password:
        repo.insert_account(conn, account_row(name, role, opd_codes, None))
        return ""
    secret = secrets.token_urlsafe(15)  # 120 bits, 20 characters
    repo.insert_account(conn, account_row(name, role, opd_codes, HASHER.hash(secret)))
    return secret


def _existing(conn: Connection, name: str) -> dict[str, Any]:
    row = repo.by_name(conn, name)
    if row is None:
        raise AccountError(f"no account {name!r}", Refusal.NO_ACCOUNT)
    return row


def disable(conn: Connection, name: str, *, by: str | None = None) -> None:
    """No sign-in, session or token of the account works from now; its sessions end for good.
    Refused for the account `by` that asks (no one locks themselves out) and for the last
    enabled admin (someone must be able to enable the others again)."""
    row = _existing(conn, name)
    if name == by:
        raise AccountError("an account cannot disable itself", Refusal.OWN_ACCOUNT)
    if row["role"] == Role.ADMIN.value and not row["disabled"] and repo.count_admins(conn) <= 1:
        raise AccountError(f"account {name!r} is the last enabled admin", Refusal.LAST_ADMIN)
    repo.set_disabled(conn, name, True)
    repo.delete_sessions_of(conn, row["id"])


def enable(conn: Connection, name: str) -> None:
    """A disabled account may sign in again; its tokens neither expired nor revoked work again
    (its sessions ended when it was disabled)."""
    if not repo.set_disabled(conn, name, False):
        raise AccountError(f"no account {name!r}", Refusal.NO_ACCOUNT)


def reset_password(conn: Connection, name: str) -> str:
    """A new generated password (shown once) for a person's account: its sessions end and its
    failed sign-ins are forgotten, so the person can sign in at once with it."""
    row = _existing(conn, name)
    if row["password_hash"] is None:
        raise AccountError(
            f"account {name!r} signs in with tokens only; it has no password", Refusal.TOKENS_ONLY
        )
    secret = secrets.token_urlsafe(15)
    repo.set_password(conn, name, HASHER.hash(secret))
    repo.delete_sessions_of(conn, row["id"])
    repo.forget_failures_of(conn, name)
    return secret


def ensure_first_admin(conn: Connection) -> tuple[str, str] | None:
    """On a catalogue without any admin: creates one; (name, password), else None."""
    if repo.count_admins(conn):
        return None
    name = "admin" if repo.by_name(conn, "admin") is None else f"admin-{secrets.token_hex(3)}"
    return name, add_account(conn, name, Role.ADMIN, [])


def has_admin(conn: Connection) -> bool:
    return repo.count_admins(conn) > 0


# --- tokens -----------------------------------------------------------------------------------
def create_token(conn: Connection, account: str, days: int = TOKEN_DAYS) -> tuple[str, str]:
    """(token id, token): the token is shown once and stored only as its digest."""
    row = repo.by_name(conn, account)
    if row is None or row["disabled"]:
        reason = Refusal.NO_ACCOUNT if row is None else Refusal.DISABLED
        raise AccountError(f"no enabled account {account!r}", reason)
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(
            f"--expires-days must be between 1 and {MAX_TOKEN_DAYS}", Refusal.TOKEN_DAYS
        )
    token_id = secrets.token_hex(6)
    token = new_secret()
    now = utcnow()
    repo.insert_token(
        conn,
        {
            "id": token_id,
            "account_id": row["id"],
            "digest": digest(token),
            "created_at": now,
            "expires_at": now + timedelta(days=days),
        },
    )
    return token_id, token


def revoke_token(conn: Connection, token_id: str, account: str | None = None) -> None:
    """Revokes a live token; given `account`, only a token of that account."""
    if account is not None and token_id not in {t["id"] for t in repo.tokens(conn, account)}:
        raise AccountError(f"no live token {token_id!r} of {account!r}", Refusal.NO_TOKEN)
    if not repo.revoke_token(conn, token_id, utcnow()):
        raise AccountError(f"no live token {token_id!r}", Refusal.NO_TOKEN)


def tokens_of(conn: Connection, account: str) -> list[dict[str, Any]]:
    """The account's tokens as a page lists them: id, dates, revoked; never the digest."""
    shown = ("id", "created_at", "expires_at", "revoked_at", "last_used_at")
    return [{key: row[key] for key in shown} for row in repo.tokens(conn, account)]


def principal_of_token(
    conn: Connection, token: str
) -> tuple[Principal, str, datetime | None] | None:
    """(principal, token id, last use) of a live token, else None."""
    row = repo.principal_of_token(conn, digest(token), utcnow())
    if row is None:
        return None
    return principal_of(row), str(row["token_id"]), row["last_used_at"]


# --- sign-in ----------------------------------------------------------------------------------
def sign_in(conn: Connection, name: str, password: str, address: str) -> NewSession | None:
    """A session for a correct password; None (and a failure counted) otherwise.
    Raises TooManyAttempts past the limits, before even checking the password. Names are lower
    case (NAME_PATTERN): the typed one is folded, so 'Tik-Dinkes' (a phone's capital) signs in,
    and its failures count against the same account."""
    name = name.strip().lower()
    now = utcnow()
    since = now - WINDOW
    if (
        repo.count_failures(conn, since, account=name) >= MAX_FAILURES_PER_ACCOUNT
        or repo.count_failures(conn, since, address=address) >= MAX_FAILURES_PER_ADDRESS
    ):
        raise TooManyAttempts(int(WINDOW.total_seconds()))
    row = repo.by_name(conn, name)
    stored = row["password_hash"] if row and not row["disabled"] else None
    if not _verify(stored, password):
        repo.add_failure(conn, name[:64], address[:64], now)
        return None
    assert row is not None
    secret, csrf = new_secret("s_"), secrets.token_urlsafe(32)
    expires = now + timedelta(hours=SESSION_HOURS)
    repo.delete_expired_sessions(conn, now)
    repo.forget_failures_before(conn, since)
    repo.insert_session(
        conn,
        {"digest": digest(secret), "account_id": row["id"], "csrf": csrf, "created_at": now,
         "expires_at": expires},
    )  # fmt: skip
    repo.set_last_login(conn, row["id"], now)
    return NewSession(principal_of(row, csrf), secret, expires)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def principal_of_session(conn: Connection, secret: str) -> Principal | None:
    row = repo.principal_of_session(conn, digest(secret), utcnow())
    return principal_of(row, str(row["csrf"])) if row else None


def sign_out(conn: Connection, secret: str) -> None:
    repo.delete_session(conn, digest(secret))
