"""/api/v1/scans and /api/v1/rejected-events: what ingestion did and what it set aside."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from spbe_inventory.api.deps import ConnDep, PrincipalDep
from spbe_inventory.api.listing import Page, json_response, list_page, page_params

from .repository import REJECTED, SCAN

router = APIRouter(prefix="/api/v1", tags=["ingestion"])
PageDep = Annotated[Page, Depends(page_params)]
SCAN_COLUMNS = (
    "scan_id",
    "scope",
    "opd_code",
    "ranges",
    "profile",
    "status",
    "started_at",
    "finished_at",
    "hosts_up",
    "marked_missing",
)
REJECTED_COLUMNS = (
    "id",
    "topic",
    "partition",
    "offset",
    "event_id",
    "event_type",
    "reason",
    "rejected_at",
)


@router.get("/scans")
def list_scans(
    conn: ConnDep, principal: PrincipalDep, page: PageDep, scope: str | None = None
) -> Response:
    where = [principal.where(SCAN.c.opd_code)]
    if scope:
        where.append(SCAN.c.scope == scope)
    page = Page(page.limit, page.offset, page.sort or "-started_at")
    rows, count = list_page(
        conn, SCAN, SCAN_COLUMNS, where, page, ("started_at", "scope", "status")
    )
    return json_response({"data": rows, "count": count})


@router.get("/rejected-events")
def list_rejected(conn: ConnDep, page: PageDep) -> Response:
    rows, count = list_page(conn, REJECTED, REJECTED_COLUMNS, [], page, ("id", "rejected_at"))
    return json_response({"data": rows, "count": count})
