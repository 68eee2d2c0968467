"""Accounts, API tokens, web sessions and failed sign-ins.

Secrets are never stored: passwords as argon2 hashes, tokens and session ids as SHA-256 digests.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from spbe_common.auth import Role
from spbe_inventory.db import EnumText, UTCDateTime, utcnow

NAME_MAX = 64
NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"  # 2 to NAME_MAX characters


class Account(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True, index=True)
    role: Role = Field(sa_type=EnumText)
    opd_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    password_hash: str | None = Field(default=None, max_length=200)
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: str = Field(primary_key=True, max_length=16)  # public: shown in lists, used to revoke
    account_id: int = Field(foreign_key="account.id", index=True)
    digest: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"
    digest: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="account.id", index=True)
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class LoginFailure(SQLModel, table=True):
    __tablename__ = "login_failure"
    id: int | None = Field(default=None, primary_key=True)
    account_name: str = Field(max_length=64, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)


class LoginRequest(SQLModel):
    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class PrincipalPublic(SQLModel):
    name: str
    role: Role
    opd_codes: list[str] | None = Field(description="null: every OPD")
    member_of: list[str] = Field(
        default_factory=list,
        description="The account's own OPD (an evaluator's OPD decides what it fills in)",
    )


class AccountPublic(PrincipalPublic):
    disabled: bool = Field(description="A disabled account cannot sign in or use its tokens")


class SessionPublic(PrincipalPublic):
    csrf_token: str = Field(description="Send as X-CSRF-Token with every change made by cookie")


def account_row(
    name: str, role: Role, opd_codes: list[str], password_hash: str | None
) -> dict[str, Any]:
    return {
        "name": name,
        "role": role.value,
        "opd_codes": sorted(set(opd_codes)),
        "password_hash": password_hash,
        "disabled": False,
        "created_at": utcnow(),
    }
