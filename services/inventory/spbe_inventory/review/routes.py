"""/api/v1/review: the queue of hosts scans found that no person declared, per OPD, and what
the OPD's administrator decides about each. Queries and their OPD scope: `repository.py`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from spbe_common.api import IdPath
from spbe_inventory.api.deps import CauseDep, ConnDep, PrincipalDep, WriteConnDep
from spbe_inventory.api.listing import PageDep, json_response, page_response

from . import repository as repo
from . import service
from .models import AcceptBody, IgnoreBody, MergeBody, ReviewCounts, ReviewItem, ReviewList

router = APIRouter(prefix="/api/v1/review", tags=["review"])
State = Literal["unreviewed", "accepted", "ignored", "merged"]


@router.get("", response_model=ReviewList)
def review_queue(
    conn: ConnDep,
    principal: PrincipalDep,
    page: PageDep,
    opd_code: Annotated[str | None, Query(max_length=32)] = None,
    state: State = "unreviewed",
) -> Response:
    """Assets of the caller's OPD in one review state (`merged`: merges that stand)."""
    return page_response(service.listing(conn, principal, page, opd_code, state))


@router.get("/counts", response_model=ReviewCounts)
def review_counts(conn: ConnDep, principal: PrincipalDep) -> Response:
    """How many discovered hosts wait for review, per OPD of the caller's scope."""
    counts = repo.unreviewed_counts(conn, principal)
    data = [{"opd_code": code, "unreviewed": n} for code, n in sorted(counts.items(), key=str)]
    return json_response({"data": data, "total": sum(counts.values())})


@router.post("/{discovery_id}/accept", response_model=ReviewItem)
def accept(
    discovery_id: IdPath,
    body: AcceptBody,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    """Takes the host into the catalogue as a person's record (name, kind, owner declared; the
    application it runs linked to it). 409 when it is accepted already."""
    return json_response(service.accept(conn, principal, discovery_id, body, cause))


@router.post("/{discovery_id}/merge", response_model=ReviewItem)
def merge(
    discovery_id: IdPath,
    body: MergeBody,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    """The host is the declared asset `into`: its observations, services and history move
    there and it leaves the lists (POST .../unmerge puts both back). 422 for a target that is
    unknown, outside the scope or itself undeclared; 409 for an accepted host or one that an
    application names."""
    return json_response(service.merge(conn, principal, discovery_id, body, cause))


@router.post("/{merged_id}/unmerge", response_model=ReviewItem)
def unmerge(
    merged_id: IdPath, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    """Undoes the merge of asset `merged_id`: both records and their history as they were."""
    return json_response(service.unmerge(conn, principal, merged_id, cause))


@router.post("/{discovery_id}/ignore", response_model=ReviewItem)
def ignore(
    discovery_id: IdPath,
    body: IgnoreBody,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    """Out of the queue, with a reason; later scans that see the host leave it ignored."""
    return json_response(service.ignore(conn, principal, discovery_id, body, cause))
