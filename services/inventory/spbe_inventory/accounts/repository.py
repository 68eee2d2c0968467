"""All SQL of accounts, tokens, sessions and failed sign-ins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy import delete as sql_delete

from spbe_inventory.bulk import Bulk, parse_ts

from .models import Account, ApiToken, LoginFailure, WebSession

ACCOUNT = Account.__table__  # type: ignore[attr-defined]
TOKEN = ApiToken.__table__  # type: ignore[attr-defined]
SESSION = WebSession.__table__  # type: ignore[attr-defined]
FAILURE = LoginFailure.__table__  # type: ignore[attr-defined]

PRINCIPAL_COLUMNS = (ACCOUNT.c.id, ACCOUNT.c.name, ACCOUNT.c.role, ACCOUNT.c.opd_codes)


def by_name(conn: Connection, name: str) -> dict[str, Any] | None:
    row = conn.execute(select(ACCOUNT).where(ACCOUNT.c.name == name)).mappings().first()
    return dict(row) if row else None


def all_accounts(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(ACCOUNT).order_by(ACCOUNT.c.name)).mappings()]


def named(conn: Connection, names: list[str]) -> list[dict[str, Any]]:
    """The accounts of these names (those that exist), by name."""
    query = select(ACCOUNT).where(ACCOUNT.c.name.in_(names)).order_by(ACCOUNT.c.name)
    return [dict(r) for r in conn.execute(query).mappings()]


def insert_account(conn: Connection, row: dict[str, Any]) -> int:
    return int(conn.execute(insert(ACCOUNT).returning(ACCOUNT.c.id), row).scalar_one())


def set_disabled(conn: Connection, name: str, disabled: bool) -> bool:
    done = conn.execute(update(ACCOUNT).where(ACCOUNT.c.name == name).values(disabled=disabled))
    return done.rowcount == 1


def set_password(conn: Connection, name: str, password_hash: str) -> None:
    conn.execute(update(ACCOUNT).where(ACCOUNT.c.name == name).values(password_hash=password_hash))


def set_last_login(conn: Connection, account_id: int, at: datetime) -> None:
    conn.execute(update(ACCOUNT).where(ACCOUNT.c.id == account_id).values(last_login_at=at))


def count_admins(conn: Connection) -> int:
    query = select(func.count()).where(ACCOUNT.c.role == "admin", ACCOUNT.c.disabled.is_(False))
    return int(conn.execute(query).scalar_one())


# --- tokens ---------------------------------------------------------------------------------
def insert_token(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(TOKEN), row)


# Checked on every request: a fixed statement at driver level (no statement building per call).
_TOKEN_SQL = (
    "SELECT a.id, a.name, a.role, a.opd_codes, t.id, t.last_used_at FROM api_token t"
    " JOIN account a ON a.id = t.account_id WHERE t.digest = :digest AND t.revoked_at IS NULL"
    " AND t.expires_at > :now AND a.disabled = :off"
)
_TOKEN_KEYS = ("id", "name", "role", "opd_codes", "token_id", "last_used_at")


def principal_of_token(conn: Connection, digest: str, now: datetime) -> dict[str, Any] | None:
    """The account behind a live token (not expired, not revoked, account enabled)."""
    bulk = Bulk(conn)
    rows = bulk.fetch(_TOKEN_SQL, {"digest": digest, "now": bulk.ts(now), "off": False})
    if not rows:
        return None
    row = dict(zip(_TOKEN_KEYS, rows[0], strict=True))
    if isinstance(row["opd_codes"], str):  # SQLite hands JSON back as text
        row["opd_codes"] = orjson.loads(row["opd_codes"])
    row["last_used_at"] = parse_ts(row["last_used_at"])
    return row


def touch_token(conn: Connection, token_id: str, at: datetime) -> None:
    conn.execute(update(TOKEN).where(TOKEN.c.id == token_id).values(last_used_at=at))


def tokens(conn: Connection, account: str | None) -> list[dict[str, Any]]:
    query = (
        select(TOKEN, ACCOUNT.c.name.label("account"))
        .join(ACCOUNT, ACCOUNT.c.id == TOKEN.c.account_id)
        .order_by(TOKEN.c.created_at, TOKEN.c.id)
    )
    if account is not None:
        query = query.where(ACCOUNT.c.name == account)
    return [dict(r) for r in conn.execute(query).mappings()]


def revoke_token(conn: Connection, token_id: str, at: datetime) -> bool:
    query = update(TOKEN).where(TOKEN.c.id == token_id, TOKEN.c.revoked_at.is_(None))
    return conn.execute(query.values(revoked_at=at)).rowcount == 1


# --- sessions -------------------------------------------------------------------------------
def insert_session(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(SESSION), row)


def principal_of_session(conn: Connection, digest: str, now: datetime) -> dict[str, Any] | None:
    query = (
        select(*PRINCIPAL_COLUMNS, SESSION.c.csrf)
        .join(ACCOUNT, ACCOUNT.c.id == SESSION.c.account_id)
        .where(
            SESSION.c.digest == digest, SESSION.c.expires_at > now, ACCOUNT.c.disabled.is_(False)
        )
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def delete_session(conn: Connection, digest: str) -> None:
    conn.execute(sql_delete(SESSION).where(SESSION.c.digest == digest))


def delete_sessions_of(conn: Connection, account_id: int) -> None:
    conn.execute(sql_delete(SESSION).where(SESSION.c.account_id == account_id))


def delete_expired_sessions(conn: Connection, now: datetime) -> None:
    conn.execute(sql_delete(SESSION).where(SESSION.c.expires_at <= now))


# --- failed sign-ins ------------------------------------------------------------------------
def add_failure(conn: Connection, account_name: str, address: str, at: datetime) -> None:
    conn.execute(insert(FAILURE), {"account_name": account_name, "address": address, "at": at})


def count_failures(
    conn: Connection, since: datetime, *, account: str | None = None, address: str | None = None
) -> int:
    query = select(func.count()).select_from(FAILURE).where(FAILURE.c.at > since)
    if account is not None:
        query = query.where(FAILURE.c.account_name == account)
    if address is not None:
        query = query.where(FAILURE.c.address == address)
    return int(conn.execute(query).scalar_one())


def forget_failures_of(conn: Connection, account_name: str) -> None:
    conn.execute(sql_delete(FAILURE).where(FAILURE.c.account_name == account_name))


def forget_failures_before(conn: Connection, before: datetime) -> None:
    conn.execute(sql_delete(FAILURE).where(FAILURE.c.at <= before))
