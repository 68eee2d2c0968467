"""Accounts, credentials and sign-in: what the CLI, the API and (later) the pages call.

Passwords are argon2 hashes (slow on purpose); tokens and session ids are 256 random bits
stored as SHA-256 digests (fast, so checking a token costs the API nothing it would notice).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
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
SESSION_HOURS = 12
# Sign-in attempts: more failures than these within the window are refused (429).
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


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


def add_account(
    conn: Connection, name: str, role: Role, opd_codes: list[str], *, password: bool = True
) -> str:
    """Creates an account; returns its generated password (shown once, stored only hashed).
    Service accounts, and accounts made with `password=False`, sign in with tokens only."""
    if not re.fullmatch(NAME_PATTERN, name):
        raise AccountError(f"account name {name!r}: 2-64 of a-z 0-9 . _ - (lower case)")
    if repo.by_name(conn, name) is not None:
        raise AccountError(f"account {name!r} already exists")
    if role is Role.OPD_OPERATOR and not opd_codes:
        raise AccountError("an opd_operator needs at least one --opd CODE")
    if opd_codes and role not in (Role.OPD_OPERATOR, Role.VIEWER, Role.EVALUATOR):
        raise AccountError(
            f"--opd is the scope of an opd_operator or viewer, or an evaluator's own OPD;"
            f" not for {role.value}"
        )
    if unknown := [c for c in opd_codes if not opd_exists(conn, c)]:
        raise AccountError(f"unknown OPD code(s): {', '.join(unknown)}")
    if role in SERVICE_ROLES or not password:
        repo.insert_account(conn, account_row(name, role, opd_codes, None))
        return ""
    secret = secrets.token_urlsafe(15)  # 120 bits, 20 characters
    repo.insert_account(conn, account_row(name, role, opd_codes, HASHER.hash(secret)))
    return secret


def disable(conn: Connection, name: str) -> None:
    """No sign-in, session or token of the account works from now; its sessions end for good."""
    row = repo.by_name(conn, name)
    if row is None:
        raise AccountError(f"no account {name!r}")
    repo.set_disabled(conn, name, True)
    repo.delete_sessions_of(conn, row["id"])


def enable(conn: Connection, name: str) -> None:
    """A disabled account may sign in again; its tokens neither expired nor revoked work again
    (its sessions ended when it was disabled)."""
    if not repo.set_disabled(conn, name, False):
        raise AccountError(f"no account {name!r}")


def reset_password(conn: Connection, name: str) -> str:
    """A new generated password (shown once) for a person's account: its sessions end and its
    failed sign-ins are forgotten, so the person can sign in at once with it."""
    row = repo.by_name(conn, name)
    if row is None:
        raise AccountError(f"no account {name!r}")
    if row["password_hash"] is None:
        raise AccountError(f"account {name!r} signs in with tokens only; it has no password")
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
        raise AccountError(f"no enabled account {account!r}")
    if not 1 <= days <= 3650:
        raise AccountError("--expires-days must be between 1 and 3650")
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


def revoke_token(conn: Connection, token_id: str) -> None:
    if not repo.revoke_token(conn, token_id, utcnow()):
        raise AccountError(f"no live token {token_id!r}")


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
    Raises TooManyAttempts past the limits, before even checking the password."""
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
