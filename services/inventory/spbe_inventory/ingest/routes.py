"""/api/v1/scans and /api/v1/rejected-events: what ingestion did and what it set aside.
Queries and their OPD scope: `repository.py`."""

from fastapi import APIRouter
from fastapi.responses import Response

from spbe_inventory.api.deps import ConnDep, PrincipalDep
from spbe_inventory.api.listing import PageDep, page_response

from . import repository as repo

router = APIRouter(prefix="/api/v1", tags=["ingestion"])


@router.get("/scans")
def list_scans(
    conn: ConnDep, principal: PrincipalDep, page: PageDep, scope: str | None = None
) -> Response:
    return page_response(repo.scans_page(conn, principal, page, scope))


@router.get("/rejected-events")
def list_rejected(conn: ConnDep, principal: PrincipalDep, page: PageDep) -> Response:
    return page_response(repo.rejected_page(conn, principal, page))
