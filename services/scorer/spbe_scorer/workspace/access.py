"""Who may change a worksheet of an evaluation period, and who may review it. Pure.

- Filling in (level, penjelasan, accepting or overriding a proposal, documents, submitting): an
  admin, or an evaluator whose own OPD (`Principal.member_of`, the account's `--opd`) is the
  OPD the indicator is assigned to, or who is named on the worksheet; only while the period is
  open and the worksheet is not submitted or verified.
- Reviewing (verify / return): an admin or evaluator other than the account that submitted it.
- Managing a period (open, assign, asesor results): the `periods:manage` permission.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spbe_common.auth import Permission, Principal, Role

from .enums import PeriodStatus, WorksheetStatus

EDITABLE = frozenset({WorksheetStatus.NOT_STARTED, WorksheetStatus.DRAFT, WorksheetStatus.RETURNED})
REVIEWERS = frozenset({Role.ADMIN, Role.EVALUATOR})


def assigned_to(principal: Principal, worksheet: Mapping[str, Any]) -> bool:
    """The worksheet is this person's to fill in (admins answer any)."""
    if principal.role is Role.ADMIN:
        return True
    if principal.role is not Role.EVALUATOR:
        return False
    return worksheet["opd"] in principal.member_of or principal.name in worksheet["accounts"]


def may_edit(principal: Principal, period: Mapping[str, Any], worksheet: Mapping[str, Any]) -> bool:
    return (
        period["status"] == PeriodStatus.OPEN
        and principal.can(Permission.SCORES_WRITE)
        and assigned_to(principal, worksheet)
        and worksheet["status"] in EDITABLE
    )


def may_review(
    principal: Principal, period: Mapping[str, Any], worksheet: Mapping[str, Any]
) -> bool:
    return (
        period["status"] == PeriodStatus.OPEN
        and principal.role in REVIEWERS
        and principal.can(Permission.SCORES_WRITE)
        and worksheet["status"] == WorksheetStatus.SUBMITTED
        and worksheet["submitted_by"] != principal.name
    )
