"""/api/v1/opd: organisation units."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import or_

from spbe_common.api import Offset, check_if_match, etag_of, with_etag
from spbe_inventory.api.deps import (
    CauseDep,
    ConnDep,
    EngineDep,
    PrincipalDep,
    WriteConnDep,
    read_conn,
)
from spbe_inventory.api.listing import Page, json_response, like, list_page, page_params
from spbe_inventory.history.models import ChangeAction, EntityKind
from spbe_inventory.history.routes import Limit, history_response
from spbe_inventory.history.service import ChangeLog

from . import repository as repo
from .models import OpdCreate, OpdKind, OpdPublic, OpdsPublic, OpdUpdate

router = APIRouter(prefix="/api/v1/opd", tags=["opd"])
COLUMNS = tuple(OpdPublic.model_fields)


@router.get("", response_model=OpdsPublic)
async def list_opd(
    engine: EngineDep,
    principal: PrincipalDep,
    page: Annotated[Page, Depends(page_params)],
    kind: OpdKind | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    where = [principal.where(repo.OPD.c.code)]
    if kind is not None:
        where.append(repo.OPD.c.kind == kind)
    if q:
        pattern = like(q.lower())
        where.append(
            or_(
                repo.OPD.c.name.ilike(pattern, escape="\\"),
                repo.OPD.c.code.ilike(pattern, escape="\\"),
                repo.OPD.c.abbreviation.ilike(pattern, escape="\\"),
            )
        )
    with read_conn(engine) as conn:
        rows, count = list_page(
            conn, repo.OPD, COLUMNS, where, page, ("id", "code", "name", "kind")
        )
    return json_response({"data": rows, "count": count})


def _visible(conn: ConnDep, principal: PrincipalDep, code: str) -> dict[str, object]:
    row = repo.by_code(conn, code)
    if row is None or (not principal.may_write(code) and principal.opd_codes is not None):
        raise HTTPException(404, f"OPD {code!r} not found")
    return row


def _public(row: dict[str, object] | None) -> dict[str, object]:
    assert row is not None  # read in the transaction that wrote or found it
    return {k: row[k] for k in COLUMNS}


@router.get("/{code}", response_model=OpdPublic)
def get_opd(code: str, conn: ConnDep, principal: PrincipalDep) -> Response:
    """The OPD; the ETag header goes into If-Match of a later PATCH."""
    return with_etag(_public(_visible(conn, principal, code)))


@router.get("/{code}/history")
def opd_history(
    code: str, conn: ConnDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    row = _visible(conn, principal, code)
    return history_response(conn, EntityKind.OPD, int(str(row["id"])), limit, offset)


@router.post("", response_model=OpdPublic, status_code=201)
def create_opd(
    body: OpdCreate, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    if principal.opd_codes is not None:
        raise HTTPException(403, "only regency-wide staff may create OPD")
    if repo.exists(conn, body.code):
        raise HTTPException(409, f"OPD {body.code!r} already exists")
    values = {**body.model_dump(mode="json"), "is_sample": False, "created_at": cause.at}
    opd_id = repo.insert_one(conn, values)
    changes = ChangeLog()
    changes.record(
        EntityKind.OPD, opd_id, ChangeAction.CREATED, None, body.model_dump(mode="json"), cause
    )
    changes.flush(conn)
    return with_etag(_public(repo.by_code(conn, body.code)), 201)


@router.patch("/{code}", response_model=OpdPublic)
def update_opd(
    code: str,
    body: OpdUpdate,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    """Changes the fields given; with `If-Match: <ETag of GET>` a stale version answers 412."""
    row = _visible(conn, principal, code)
    check_if_match(request, etag_of(_public(row)))
    values = {
        k: v for k, v in body.model_dump(mode="json", exclude_unset=True).items() if row.get(k) != v
    }
    if values:
        repo.update_one(conn, int(str(row["id"])), values)
        changes = ChangeLog()
        before = {k: row.get(k) for k in values}
        changes.record(
            EntityKind.OPD, int(str(row["id"])), ChangeAction.UPDATED, before, values, cause
        )
        changes.flush(conn)
    return with_etag(_public(repo.by_code(conn, code)))
