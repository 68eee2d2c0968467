"""Tinjauan temuan pemindaian: the review queue of the user's OPD (hosts scans found that no
person declared) with the forms that accept, merge, ignore and un-merge them. Reads and writes go
through `review.service`, under the signed-in principal's scope, as the API's do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from math import ceil
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import Connection

from spbe_common.api import INT64_MAX, IdPath
from spbe_common.auth import Permission, Principal
from spbe_common.events.enums import AssetKind
from spbe_inventory.api.deps import CauseDep, ConnDep, PrincipalDep, WriteConnDep
from spbe_inventory.applications import repository as applications
from spbe_inventory.listing_repository import Page
from spbe_inventory.review import repository as review_repo
from spbe_inventory.review import service
from spbe_inventory.review.models import AcceptBody, IgnoreBody, MergeBody, ReviewState

from .errors import PageRefusal
from .labels import REVIEW_STATES
from .render import page
from .typed_input import whole_number

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
    targets: dict[str, list[dict[str, Any]]] = {}
    if may_write and state == ReviewState.UNREVIEWED.value:  # the merge forms' suggestions
        opd_codes = sorted(
            {r["opd_code"] for r in rows if r["opd_code"] and principal.may_write(r["opd_code"])}
        )
        targets = review_repo.merge_targets(conn, principal, opd_codes)
    if may_write and state != service.MERGED_STATE:
        apps = applications.page_of(conn, principal, Page(APPLICATIONS_SHOWN, 0, "name"), {}, None)[
            0
        ]
    context = {
        "title": "Tinjauan temuan pemindaian",
        "rows": rows,
        "total": total,
        "state": state,
        "opd_code": opd_code or None,
        "states": REVIEW_STATES,
        "counts": review_repo.unreviewed_counts(conn, principal),
        "page_no": page_no,
        "pages": max(1, ceil(total / PER_PAGE)),
        "may_write": may_write,
        "applications": apps,
        "merge_targets": targets,
        "AssetKind": AssetKind,
        "ReviewState": ReviewState,
    }
    return page(request, "tinjauan.html", context)


BACK = ("/tinjauan", "Kembali ke Tinjauan")
# Why an action was refused, in the words of the page, by action and status (the service's
# refusals are the API's, in English); the message says what to do instead.
REFUSED = {
    ("terima", 409): "Host ini sudah ditinjau; muat ulang halaman Tinjauan.",
    ("terima", 422): "Isian tidak dapat dipakai: periksa nama, jenis aset, dan aplikasi yang"
    " dipilih (aplikasi harus milik OPD Anda).",
    ("gabungkan", 409): "Host ini tidak dapat digabungkan: sudah diterima sebagai aset, atau"
    " disebut oleh aplikasi (pindahkan dulu tautan aplikasi itu ke aset tujuan).",
    ("gabungkan", 422): "Nomor aset tujuan tidak dapat dipakai: isi nomor aset yang didaftarkan"
    " orang di OPD Anda (lihat Katalog aset), bukan nomor host ini sendiri.",
    ("abaikan", 409): "Host ini sudah ditinjau; muat ulang halaman Tinjauan.",
    ("abaikan", 422): "Tulis alasannya, paling banyak 500 karakter.",
    ("batalkan", 409): "Penggabungan ini tidak dapat dibatalkan lagi.",
}


def _done(state: str) -> RedirectResponse:
    return RedirectResponse(f"/tinjauan?state={state}", status_code=303)


def _refused(action: str, exc: HTTPException) -> PageRefusal:
    """The page of a refused action: why, and the way back to the queue (404 stays 404)."""
    message = REFUSED.get((action, exc.status_code), "Permintaan ini tidak dapat diselesaikan.")
    return PageRefusal(exc.status_code, message, BACK)


@contextmanager
def _refusals(action: str) -> Iterator[None]:
    try:
        yield
    except HTTPException as exc:
        if exc.status_code in (401, 403, 404):
            raise
        raise _refused(action, exc) from None


def _body(action: str, model: type[Any], **values: Any) -> Any:
    """The form as the API's body; what it refuses is the action's 422 page."""
    try:
        return model(**{k: v for k, v in values.items() if v not in ("", None)})
    except ValidationError:
        raise _refused(action, HTTPException(422)) from None


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
    app_id = whole_number(application_id, 1, INT64_MAX)
    body = _body(
        "terima",
        AcceptBody,
        name=name.strip(),
        kind=kind,
        owner=owner.strip(),
        application_id=app_id,
    )
    with _refusals("terima"):
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
    typed = into.strip()
    target = whole_number(typed, 1, INT64_MAX)
    if target is None:
        target = _named_target(conn, principal, discovery_id, typed)
    body = _body("gabungkan", MergeBody, into=target)
    with _refusals("gabungkan"):
        service.merge(conn, principal, discovery_id, body, cause)
    return _done(service.MERGED_STATE)


def _named_target(
    conn: Connection, principal: Principal, discovery_id: int, name: str
) -> int | None:
    """The merge field holds a name (typed, not picked from the suggestions): the one asset of
    the host's OPD the form suggests under that name, whatever its capitals."""
    if not name:
        return None
    host = review_repo.item(conn, principal, discovery_id)
    opd = host["opd_code"] if host else None
    if not opd:
        return None  # the service answers for a host that is not there
    targets = review_repo.merge_targets(conn, principal, [opd])[opd]
    found = [t["id"] for t in targets if (t["name"] or "").casefold() == name.casefold()]
    if len(found) == 1:
        return int(found[0])
    why = "ada beberapa aset" if found else "tidak ada aset"
    raise PageRefusal(
        422,
        f"Aset tujuan tidak dapat dipilih: {why} bernama '{name}' di {opd}. Pilih aset dari"
        " daftar yang muncul saat mengetik, atau tulis nomor asetnya (lihat Katalog aset).",
        BACK,
    )


@router.post("/tinjauan/{discovery_id}/abaikan")
def ignore(
    discovery_id: IdPath,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
    reason: FormText = "",
) -> RedirectResponse:
    body = _body("abaikan", IgnoreBody, reason=reason.strip())
    with _refusals("abaikan"):
        service.ignore(conn, principal, discovery_id, body, cause)
    return _done(ReviewState.IGNORED.value)


@router.post("/tinjauan/{merged_id}/batalkan-penggabungan")
def unmerge(
    merged_id: IdPath, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> RedirectResponse:
    with _refusals("batalkan"):
        service.unmerge(conn, principal, merged_id, cause)
    return _done(ReviewState.UNREVIEWED.value)
