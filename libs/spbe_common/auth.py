"""Who may do what: roles, permissions and the acting principal, shared by both APIs.

The inventory keeps the accounts; the scorer asks the inventory who a token belongs to.
What each role may do is this one table (`GRANTS`); the README shows it to people.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import true
from sqlalchemy.sql import ColumnElement

TOKEN_PREFIX = "spbe_"


class Role(StrEnum):
    ADMIN = "admin"  # everything, including accounts
    OPD_OPERATOR = "opd_operator"  # pengelola TIK: read and change the records of its OPD
    EVALUATOR = "evaluator"  # read everything; keep the evaluation and its scoring runs
    VIEWER = "viewer"  # read only: every OPD, or a list of OPD
    COLLECTOR = "collector"  # service account of the collector
    SCORER = "scorer"  # service account of the scorer


class Permission(StrEnum):
    CATALOGUE_READ = "catalogue:read"
    CATALOGUE_WRITE = "catalogue:write"  # within the principal's OPD scope
    OPD_READ = "opd:read"  # the list of OPD (collectors check their scopes against it)
    OPD_MANAGE = "opd:manage"  # the OPD directory: create and change OPD (aliases steer imports)
    EVALUATION_READ = "evaluation:read"
    EVALUATION_WRITE = "evaluation:write"
    SNAPSHOT_READ = "snapshot:read"  # the whole catalogue as the scorer reads it
    REJECTED_READ = "rejected:read"  # raw events set aside: any OPD's data
    SCORES_READ = "scores:read"
    SCORES_WRITE = "scores:write"  # assessments and scoring runs
    WORKSHEETS_READ = "worksheets:read"  # evaluation periods, worksheets, progress, asesor levels
    EVIDENCE_READ = "evidence:read"  # download bukti dukung (documents of an evaluation)
    PERIODS_MANAGE = "periods:manage"  # open periods, assign indicators, enter asesor results
    ACCOUNTS = "accounts:manage"


_READ = {Permission.CATALOGUE_READ, Permission.OPD_READ, Permission.EVALUATION_READ}
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.OPD_OPERATOR: frozenset({*_READ, Permission.CATALOGUE_WRITE, Permission.SCORES_READ}),
    Role.EVALUATOR: frozenset(
        {
            *_READ,
            Permission.EVALUATION_WRITE,
            Permission.SNAPSHOT_READ,
            Permission.SCORES_READ,
            Permission.SCORES_WRITE,
            Permission.WORKSHEETS_READ,
            Permission.EVIDENCE_READ,
        }
    ),
    Role.VIEWER: frozenset({*_READ, Permission.SCORES_READ, Permission.WORKSHEETS_READ}),
    Role.COLLECTOR: frozenset({Permission.OPD_READ}),
    Role.SCORER: frozenset({Permission.SNAPSHOT_READ, Permission.SCORES_READ}),
}
# What an account needs to fill in an evaluation worksheet it is assigned to
WORKSHEET_GRANTS = frozenset({Permission.WORKSHEETS_READ, Permission.SCORES_WRITE})
# Roles whose OPD list limits what they see and change; the others see every OPD.
SCOPED_ROLES = frozenset({Role.OPD_OPERATOR, Role.VIEWER})
SERVICE_ROLES = frozenset({Role.COLLECTOR, Role.SCORER})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who acts, and which OPD they may see. Every query is scoped through `where`."""

    name: str
    role: Role
    opd_codes: frozenset[str] | None = None  # None: every OPD
    csrf: str | None = None  # set when signed in with a session cookie
    # The OPD the account belongs to, whatever it may read: an evaluator's own OPD decides which
    # indicators of an evaluation it fills in; an operator's and a viewer's equal their scope.
    member_of: frozenset[str] = frozenset()

    def can(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

    def where(self, opd_column: Any) -> ColumnElement[bool]:
        if self.opd_codes is None:
            return true()
        return opd_column.in_(sorted(self.opd_codes))

    def sees(self, opd_code: str | None) -> bool:
        return self.opd_codes is None or opd_code in self.opd_codes

    def may_write(self, opd_code: str | None) -> bool:
        """Catalogue writes: an unscoped writer anywhere, a scoped one inside its OPD only."""
        return self.can(Permission.CATALOGUE_WRITE) and self.sees(opd_code)

    def public(self) -> dict[str, Any]:
        codes = None if self.opd_codes is None else sorted(self.opd_codes)
        return {
            "name": self.name,
            "role": self.role.value,
            "opd_codes": codes,
            "member_of": sorted(self.member_of),
        }


def scope_of(role: Role, opd_codes: list[str]) -> frozenset[str] | None:
    """An operator is limited to its OPD; a viewer too when given a list; others see all."""
    if role in SCOPED_ROLES and (opd_codes or role is Role.OPD_OPERATOR):
        return frozenset(opd_codes)
    return None


def new_secret(prefix: str = TOKEN_PREFIX) -> str:
    """256 random bits, URL-safe."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """A fast digest is enough for a 256-bit random secret (a slow hash is for passwords)."""
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
