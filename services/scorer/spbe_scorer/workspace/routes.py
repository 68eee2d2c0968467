"""/api/v1/periods: evaluation periods, their worksheets (one per indicator), the review of a
worksheet and its history; a scoring run of a period. Who may call each route is in the scorer's
POLICY (api/security.py); who may change or review one worksheet is workspace/access.py.

The worksheet GET answers an ETag; its PATCH honours If-Match with it (412 on an older version)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from spbe_common.api import INT64_MAX, check_if_match
from spbe_common.auth import Principal
from spbe_scorer.api.deps import (
    ConnDep,
    EngineDep,
    PrincipalDep,
    ScorerDep,
    SettingsDep,
    WriteConnDep,
    json_response,
)
from spbe_scorer.api.security import caller_headers
from spbe_scorer.frameworks import FrameworkError
from spbe_scorer.inventory import (
    CallerRefused,
    InventoryError,
    InventoryUnavailable,
    assignment_problems,
)
from spbe_scorer.runs.enums import Trigger
from spbe_scorer.settings import ScorerSettings

from . import service, worksheets
from .enums import WorksheetStatus
from .schemas import (
    AcceptIn,
    AssignmentIn,
    PeriodIn,
    PeriodUpdate,
    ReturnIn,
    VerifyIn,
    WorksheetUpdate,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/periods", tags=["evaluation"])

PeriodId = Annotated[int, Path(ge=1, le=INT64_MAX)]
IndicatorId = Annotated[str, Path(min_length=1, max_length=16)]
IfMatch = Annotated[
    str | None,
    Header(max_length=500, description="The ETag of the version this change was made on"),
]
ETAG: dict[str, Any] = {
    "headers": {"ETag": {"description": "Version of the worksheet", "schema": {"type": "string"}}}
}


def _worksheet(
    conn: Connection,
    principal: Principal,
    settings: ScorerSettings,
    period_id: int,
    row: dict[str, Any],
    code: int = 200,
) -> Response:
    period = service.get_period(conn, period_id)
    body = service.worksheet_public(conn, principal, period, row, settings.frameworks_dir)
    return json_response(body, code, {"ETag": service.etag(row)})


@router.get("")
def list_periods(conn: ConnDep) -> Response:
    rows = service.list_periods(conn)
    return json_response({"data": rows, "count": len(rows)})


@router.post("", status_code=201)
def create_period(
    body: PeriodIn, conn: WriteConnDep, principal: PrincipalDep, settings: SettingsDep
) -> Response:
    """One worksheet per indicator, assigned by the defaults file, or with `copy_from` by the
    previous period (whose documents are copied as new rows pointing at the same files)."""
    return json_response(service.create_period(conn, body, principal, settings), 201)


@router.get("/{period_id}")
def period_overview(period_id: PeriodId, conn: ConnDep, settings: SettingsDep) -> Response:
    """Both indices (self-assessment, asesor) and their difference, progress per status and
    OPD, and one line per indicator."""
    return json_response(service.overview(conn, period_id, settings.frameworks_dir))


@router.patch("/{period_id}")
def update_period(
    period_id: PeriodId, body: PeriodUpdate, conn: WriteConnDep, settings: SettingsDep
) -> Response:
    return json_response(service.update_period(conn, period_id, body, settings.frameworks_dir))


@router.post("/{period_id}/runs", status_code=201)
def run_period(period_id: PeriodId, scorer: ScorerDep, engine: EngineDep) -> Response:
    """Score the period's framework now: the derived proposals are stored with the run, but a
    derived level counts only through a worksheet that accepted it."""
    try:
        with engine.connect() as conn:
            period = service.check_run(conn, period_id)
        run_id = scorer.run(period["framework"], Trigger.PERIOD, period_id)
    except FrameworkError as exc:
        raise HTTPException(409, str(exc)) from None
    except InventoryError as exc:
        raise HTTPException(502, str(exc)) from None
    return json_response({"id": run_id}, 201)


@router.get("/{period_id}/worksheets")
def list_worksheets(
    period_id: PeriodId,
    conn: ConnDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    opd: Annotated[str | None, Query(max_length=32)] = None,
    status: WorksheetStatus | None = None,
    mine: bool = False,
) -> Response:
    filters = {"opd": opd, "status": status.value if status else None, "mine": mine}
    rows = service.list_worksheets(conn, principal, period_id, filters, settings.frameworks_dir)
    return json_response({"data": rows, "count": len(rows)})


@router.get("/{period_id}/worksheets/{indicator}", responses={200: ETAG})
def get_worksheet(
    period_id: PeriodId,
    indicator: IndicatorId,
    conn: ConnDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> Response:
    row = service.get_worksheet(conn, period_id, indicator)
    return _worksheet(conn, principal, settings, period_id, row)


@router.patch("/{period_id}/worksheets/{indicator}", responses={200: ETAG})
def update_worksheet(
    period_id: PeriodId,
    indicator: IndicatorId,
    body: WorksheetUpdate,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> Response:
    """Level, penjelasan, justification; the worksheet becomes a draft. A level other than the
    period's derived proposal needs a justification."""
    period = service.get_period(conn, period_id)
    row = service.get_worksheet(conn, period_id, indicator, lock=True)
    check_if_match(request, service.etag(row))
    saved = worksheets.save(conn, principal, row, period, body, settings.frameworks_dir)
    return _worksheet(conn, principal, settings, period_id, saved)


@router.post("/{period_id}/worksheets/{indicator}/accept", responses={200: ETAG})
def accept_proposal(
    period_id: PeriodId,
    indicator: IndicatorId,
    conn: WriteConnDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    body: AcceptIn | None = None,
) -> Response:
    """The level := the derived proposal of the period's latest run (409 when none)."""
    explanation = body.explanation if body else None
    row = worksheets.accept(conn, principal, period_id, indicator, explanation)
    return _worksheet(conn, principal, settings, period_id, row)


@router.post("/{period_id}/worksheets/{indicator}/submit", responses={200: ETAG})
def submit_worksheet(
    period_id: PeriodId,
    indicator: IndicatorId,
    conn: WriteConnDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> Response:
    """For review: needs a level and a penjelasan (422 otherwise)."""
    row = worksheets.submit(conn, principal, period_id, indicator)
    return _worksheet(conn, principal, settings, period_id, row)


@router.post("/{period_id}/worksheets/{indicator}/verify", responses={200: ETAG})
def verify_worksheet(
    period_id: PeriodId,
    indicator: IndicatorId,
    conn: WriteConnDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    body: VerifyIn | None = None,
) -> Response:
    """By an evaluator other than the one who submitted it."""
    comment = body.comment if body else None
    row = worksheets.review(conn, principal, period_id, indicator, True, comment)
    return _worksheet(conn, principal, settings, period_id, row)


@router.post("/{period_id}/worksheets/{indicator}/return", responses={200: ETAG})
def return_worksheet(
    period_id: PeriodId,
    indicator: IndicatorId,
    body: ReturnIn,
    conn: WriteConnDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> Response:
    """Back to its evaluators with the reviewer's comment (required)."""
    row = worksheets.review(conn, principal, period_id, indicator, False, body.comment)
    return _worksheet(conn, principal, settings, period_id, row)


@router.put("/{period_id}/worksheets/{indicator}/assignment", responses={200: ETAG})
def assign_worksheet(
    period_id: PeriodId,
    indicator: IndicatorId,
    body: AssignmentIn,
    conn: WriteConnDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    scorer: ScorerDep,
    request: Request,
) -> Response:
    """The evaluator OPD and accounts that fill in the worksheet. The inventory, asked with the
    caller's credential, must know the OPD and the accounts, enabled and able to fill it in."""
    caller, drop_bearer = caller_headers(request)
    try:
        problems = assignment_problems(
            scorer.inventory, caller, body.opd, sorted(set(body.accounts)), drop_bearer=drop_bearer
        )
    except InventoryUnavailable as exc:
        log.warning("cannot check an assignment: %s", exc)
        raise HTTPException(
            503, "the inventory, which knows OPD and accounts, is unavailable"
        ) from None
    except CallerRefused as exc:
        raise HTTPException(
            exc.status, f"the inventory refused to check the assignment: {exc}"
        ) from None
    if problems:
        raise service.Invalid("; ".join(why for _, why in problems), problems[0][0])
    row = worksheets.assign(conn, principal, period_id, indicator, body)
    return _worksheet(conn, principal, settings, period_id, row)


@router.get("/{period_id}/worksheets/{indicator}/history")
def worksheet_history(
    period_id: PeriodId,
    indicator: IndicatorId,
    conn: ConnDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
) -> Response:
    """Every step, oldest first, with the account that took it."""
    rows, count = worksheets.worksheet_history(conn, period_id, indicator, limit, offset)
    return json_response({"data": rows, "count": count})
