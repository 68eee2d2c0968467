"""/api/v1/opd: organisation units. Every reader sees them all; changes stay within scope."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from spbe_common.api import Offset, check_if_match, etag_of, with_etag
from spbe_inventory.api.deps import (
    CauseDep,
    ConnDep,
    EngineDep,
    PrincipalDep,
    WriteConnDep,
    read_conn,
)
from spbe_inventory.api.listing import Limit, PageDep, check_opd, found, page_response
from spbe_inventory.history.models import EntityKind
from spbe_inventory.history.routes import history_response
from spbe_inventory.history.service import ChangeLog

from . import repository as repo
from . import service
from .models import OpdCreate, OpdKind, OpdPublic, OpdsPublic, OpdUpdate

router = APIRouter(prefix="/api/v1/opd", tags=["opd"])


@router.get("", response_model=OpdsPublic)
async def list_opd(
    engine: EngineDep,
    principal: PrincipalDep,
    page: PageDep,
    kind: OpdKind | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    with read_conn(engine) as conn:
        return page_response(repo.page_of(conn, principal, page, kind, q))


def _public(row: dict[str, Any] | None) -> dict[str, Any]:
    assert row is not None  # read in the transaction that wrote or found it
    return {k: row[k] for k in repo.COLUMNS}


def _visible(conn: ConnDep, principal: PrincipalDep, code: str) -> dict[str, Any]:
    return found(repo.visible(conn, principal, code), f"OPD {code!r} not found")


@router.get("/{code}", response_model=OpdPublic)
def get_opd(code: str, conn: ConnDep, principal: PrincipalDep) -> Response:
    """The OPD; the ETag header goes into If-Match of a later PATCH."""
    return with_etag(_public(_visible(conn, principal, code)))


@router.get("/{code}/history")
def opd_history(
    code: str, conn: ConnDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    row = _visible(conn, principal, code)
    return history_response(conn, EntityKind.OPD, row["id"], limit, offset)


@router.post("", response_model=OpdPublic, status_code=201)
def create_opd(
    body: OpdCreate, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    if principal.opd_codes is not None:
        raise HTTPException(403, "only regency-wide staff may create OPD")
    if repo.exists(conn, body.code):
        raise HTTPException(409, f"OPD {body.code!r} already exists")
    changes = ChangeLog()
    service.create(conn, body, cause, changes)
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
    """Changes the fields given; with `If-Match: <ETag of GET>` a stale version answers 412.
    An OPD outside the caller's scope is readable but not writable (403)."""
    row = _visible(conn, principal, code)
    check_opd(conn, principal, code)
    check_if_match(request, etag_of(_public(row)))
    changes = ChangeLog()
    service.update(conn, row, body.model_dump(mode="json", exclude_unset=True), cause, changes)
    changes.flush(conn)
    return with_etag(_public(repo.by_code(conn, code)))
