"""Tinjauan temuan pemindaian: the review queue of the user's OPD (hosts scans found that no
person declared) with the forms that accept, merge, ignore and un-merge them. Reads and writes go
through `review.service`, under the signed-in principal's scope, as the API's do."""

from __future__ import annotations

from math import ceil
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from spbe_common.api import IdPath
from spbe_common.auth import Permission
from spbe_common.events.enums import AssetKind
from spbe_inventory.api.deps import CauseDep, ConnDep, PrincipalDep, WriteConnDep
from spbe_inventory.applications import repository as applications
from spbe_inventory.listing_repository import Page
from spbe_inventory.review import repository as review_repo
from spbe_inventory.review import service
from spbe_inventory.review.models import AcceptBody, IgnoreBody, MergeBody, ReviewState

from .labels import REVIEW_STATES
from .render import page

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
APPLICATIONS_SHOWN = 500
STATES = tuple(REVIEW_STATES)  # unreviewed, accepted, ignored, merged
FormText = Annotated[str, Form(max_length=500)]


@router.get("/tinjauan", response_class=HTMLResponse)
def queue_page(
    request: Request,
    conn: ConnDep,
    principal: PrincipalDep,
    state: Annotated[str, Query(max_length=16)] = ReviewState.UNREVIEWED.value,
    opd_code: Annotated[str | None, Query(max_length=32)] = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    if state not in STATES:
        raise HTTPException(404, "no such state")
    offset = (page_no - 1) * PER_PAGE
    rows, total = service.listing(
        conn, principal, Page(PER_PAGE, offset, None), opd_code or None, state
    )
    may_write = principal.can(Permission.CATALOGUE_WRITE)
    apps: list[dict[str, Any]] = []
    if may_write and state != service.MERGED_STATE:
        apps = applications.page_of(conn, principal, Page(APPLICATIONS_SHOWN, 0, "name"), {}, None)[
            0
        ]
    context = {
        "title": "Tinjauan temuan pemindaian",
        "rows": rows,
        "total": total,
        "state": state,
        "states": REVIEW_STATES,
        "counts": review_repo.unreviewed_counts(conn, principal),
        "page_no": page_no,
        "pages": max(1, ceil(total / PER_PAGE)),
        "may_write": may_write,
        "applications": apps,
        "AssetKind": AssetKind,
        "ReviewState": ReviewState,
    }
    return page(request, "tinjauan.html", context)


def _done(state: str) -> RedirectResponse:
    return RedirectResponse(f"/tinjauan?state={state}", status_code=303)


def _body(model: type[Any], **values: Any) -> Any:
    """The form as the API's body; what it refuses is a 422 page naming the field."""
    try:
        return model(**{k: v for k, v in values.items() if v not in ("", None)})
    except ValidationError as exc:
        field = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise HTTPException(422, f"isian {field} tidak valid") from None


@router.post("/tinjauan/{discovery_id}/terima")
def accept(
    discovery_id: IdPath,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
    name: FormText = "",
    kind: FormText = "",
    owner: FormText = "",
    application_id: FormText = "",
) -> RedirectResponse:
    app_id = int(application_id) if application_id.isdigit() else None
    body = _body(
        AcceptBody, name=name.strip(), kind=kind, owner=owner.strip(), application_id=app_id
    )
    service.accept(conn, principal, discovery_id, body, cause)
    return _done(ReviewState.ACCEPTED.value)


@router.post("/tinjauan/{discovery_id}/gabungkan")
def merge(
    discovery_id: IdPath,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
    into: FormText = "",
) -> RedirectResponse:
    body = _body(MergeBody, into=int(into) if into.strip().isdigit() else None)
    service.merge(conn, principal, discovery_id, body, cause)
    return _done(service.MERGED_STATE)


@router.post("/tinjauan/{discovery_id}/abaikan")
def ignore(
    discovery_id: IdPath,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
    reason: FormText = "",
) -> RedirectResponse:
    service.ignore(conn, principal, discovery_id, _body(IgnoreBody, reason=reason.strip()), cause)
    return _done(ReviewState.IGNORED.value)


@router.post("/tinjauan/{merged_id}/batalkan-penggabungan")
def unmerge(
    merged_id: IdPath, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> RedirectResponse:
    service.unmerge(conn, principal, merged_id, cause)
    return _done(ReviewState.UNREVIEWED.value)
