"""Pemindaian: the scopes of the user's OPD, starting a scan and following it."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import State

from spbe_common.auth import Permission
from spbe_common.bus import make_bus
from spbe_inventory.api.deps import ConnDep, EngineDep, PrincipalDep
from spbe_inventory.assets import repository as assets
from spbe_inventory.ingest import scan_requests as scans
from spbe_inventory.listing_repository import Page

from .render import page

router = APIRouter(include_in_schema=False)
ASSETS_SHOWN = 200
_PUBLISHER = threading.Lock()


def publisher(state: State) -> scans.EventPublisher:
    """The app's publisher of scan requests (runtime may set one; else one on the app's bus)."""
    with _PUBLISHER:
        found = getattr(state, "scan_requests", None)
        if found is None:
            found = state.scan_requests = scans.EventPublisher(make_bus(state.settings))
        return found


@router.get("/pemindaian")
def scopes_page(request: Request, conn: ConnDep, principal: PrincipalDep) -> HTMLResponse:
    context = {
        "title": "Pemindaian",
        "scopes": scans.scopes(conn, principal),
        "may_start": principal.can(Permission.CATALOGUE_WRITE),
        "ScanState": scans.ScanState,
    }
    return page(request, "pemindaian.html", context)


@router.post("/pemindaian/mulai")
def start(
    request: Request,
    engine: EngineDep,
    principal: PrincipalDep,
    scope: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """A scope of another OPD (or none the inventory knows) is answered as not found."""
    try:
        scan_id = scans.request_scan(engine, publisher(request.app.state), principal, scope)
    except scans.UnknownScope:
        raise HTTPException(404, "no such scope") from None
    return RedirectResponse(f"/pemindaian/{scan_id}", status_code=303)


@router.get("/pemindaian/{scan_id}")
def scan_page(
    request: Request, conn: ConnDep, principal: PrincipalDep, scan_id: str
) -> HTMLResponse:
    """The whole page, or (htmx polling every 2 s until it ends) just its status fragment."""
    found = scans.progress(conn, principal, scan_id[:64])
    if found is None:
        raise HTTPException(404, "no such scan")
    seen: list[dict[str, Any]] = []
    total = 0
    if found.scan is not None:
        filters = {"last_scan_id": found.scan_id}
        seen, total = assets.page_of(conn, principal, Page(ASSETS_SHOWN, 0, "address"), filters)
    context = {
        "title": f"Pemindaian {found.scope}",
        "progress": found,
        "assets": seen,
        "asset_total": total,
        "ScanState": scans.ScanState,
    }
    fragment = request.headers.get("HX-Request") == "true"
    return page(request, "_pemindaian_status.html" if fragment else "pemindaian_scan.html", context)
