"""Impor: an OPD's spreadsheet, its dry-run report row by row, then the commit.

The upload is parsed by the shared register contract (`spbe_common.registers`) and kept in
`register_import` for its account only, until it is committed once or expires."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection, Engine
from starlette.datastructures import UploadFile

from spbe_common.auth import Principal
from spbe_common.db import begin_write
from spbe_common.events.enums import Lifecycle
from spbe_common.registers import COLUMNS, RegisterKind, RegisterRejected
from spbe_inventory.db import utcnow
from spbe_inventory.history.models import EntityKind
from spbe_inventory.imports import repository as repo
from spbe_inventory.imports import service as imports
from spbe_inventory.imports import upload as uploads
from spbe_inventory.imports.models import ImportStatus, RowAction
from spbe_inventory.settings import InventorySettings

from .labels import field_label
from .render import page
from .timeline import text

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
PATH = "/impor"
MULTIPART_OVERHEAD = 64 * 1024  # the form's other fields and part headers around the file


def upload_limits(settings: InventorySettings) -> dict[str, int]:
    """The upload's own body limit at the API edge (a spreadsheet may exceed the API's)."""
    return {PATH: max(settings.max_body_bytes, settings.import_max_bytes + MULTIPART_OVERHEAD)}


def _principal(request: Request) -> Principal:
    principal: Principal = request.state.principal
    return principal


def _form_context(conn: Connection, principal: Principal, settings: InventorySettings) -> dict:
    since = utcnow() - uploads.EXPIRES_AFTER
    return {
        "title": "Impor register OPD",
        "opd_choices": repo.writable_opd(conn, principal),
        "recent": repo.recent_of(conn, principal.name, since),
        "columns": COLUMNS,
        "max_bytes": settings.import_max_bytes,
        "max_rows": settings.import_max_rows,
        "ImportStatus": ImportStatus,
    }


def _upload_page(
    request: Request, error: str | None = None, opd: str = "", status: int = 200
) -> Response:
    principal = _principal(request)
    settings: InventorySettings = request.app.state.settings
    with request.app.state.engine.connect() as conn:
        context = _form_context(conn, principal, settings)
    context.update(error=error, opd=opd)
    return page(request, "impor.html", context, status)


@router.get(PATH)
def upload_form(request: Request) -> Response:
    return _upload_page(request)


@router.post(PATH)
async def upload(request: Request) -> Response:
    """Parse the file, keep it for its account, and show its dry run; nothing else is written."""
    principal = _principal(request)
    settings: InventorySettings = request.app.state.settings
    form = await request.form()
    opd, upload = str(form.get("opd") or ""), form.get("berkas")
    with request.app.state.engine.connect() as conn:
        allowed = {code for code, _name in repo.writable_opd(conn, principal)}
    if opd not in allowed:
        return _upload_page(request, "Pilih OPD yang datanya Anda impor.", opd, 422)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _upload_page(request, "Pilih berkas spreadsheet (.xlsx atau .csv).", opd, 422)
    filename = uploads.clean_filename(upload.filename)
    data = await upload.read(settings.import_max_bytes + 1)
    try:
        register = await run_in_threadpool(
            uploads.parse_upload, filename, data, settings.import_max_bytes,
            settings.import_max_rows, opd,
        )  # fmt: skip
    except RegisterRejected as exc:  # the page says why in words; the log keeps the cause
        log.warning("register upload %r refused: %s", filename, exc, exc_info=exc.__cause__)
        return _upload_page(request, f"Berkas {filename} ditolak: {exc}.", opd, 422)
    import_id = await run_in_threadpool(_store, request, principal, opd, filename, register)
    return RedirectResponse(f"{PATH}/{import_id}", 303)


def _store(request: Request, principal: Principal, opd: str, filename: str, register: Any) -> str:
    with begin_write(request.app.state.engine) as conn:
        return uploads.store(conn, principal.name, opd, filename, register)


def _mine(conn: Connection, principal: Principal, import_id: str) -> dict[str, Any]:
    """The import if this account uploaded it and may still write its OPD; else 404."""
    try:
        uuid.UUID(import_id)
    except ValueError:
        raise HTTPException(404) from None
    record = repo.of_account(conn, import_id, principal.name)
    if record is None or not principal.may_write(record["opd_code"]):
        raise HTTPException(404)
    return record


def reading(parsed: dict[str, Any]) -> dict[str, Any]:
    """How the file was read (kept with the upload): the sheet and header row, each header with
    the field it fills (by its Indonesian name) or why it is ignored, and the rows skipped."""
    columns = [
        {**c, "field_text": field_label(c["field"]) if c["field"] else None}
        for c in parsed.get("columns", [])
    ]
    return {
        "sheet": parsed.get("sheet", ""),
        "header_row": parsed.get("header_row", 0),
        "columns": columns,
        "skipped": parsed.get("skipped", []),
    }


def values_view(kind: str, row: imports.RowReport) -> list[dict[str, str | None]]:
    """What a row stores, as staff read it: each field by its Indonesian name, its value before
    (a known record's) and after."""
    entity = EntityKind.ASSET if kind == RegisterKind.ASSETS else EntityKind.APPLICATION
    return [
        {
            "field": field_label(name),
            "before": None if before is None else text(entity, name, before),
            "after": text(entity, name, after),
        }
        for name, before, after in row.values
    ]


def _report_page(
    request: Request, engine: Engine, import_id: str, error: str | None = None, status: int = 200
) -> Response:
    principal = _principal(request)
    with engine.connect() as conn:
        record = _mine(conn, principal, import_id)
        expired = imports.is_expired(record)
        pending = record["status"] == ImportStatus.PENDING.value
        report = imports.report(conn, principal, record) if pending and not expired else None
    context = {
        "title": f"Impor {record['filename']}",
        "record": record,
        "report": report,
        "uji_coba": report.fingerprint() if report else None,
        "expired": expired and pending,
        "result": record["result"],
        "reading": reading(record["parsed"]),
        "error": error,
        "RowAction": RowAction,
        "Lifecycle": Lifecycle,
        "values_of": lambda row: values_view(record["kind"], row),
        "expires_at": record["created_at"] + uploads.EXPIRES_AFTER,
    }
    return page(request, "impor_laporan.html", context, status)


@router.get(PATH + "/{import_id}")
def import_report(import_id: str, request: Request) -> Response:
    """The dry run: what committing would do now, row by row; or, once committed, the result."""
    return _report_page(request, request.app.state.engine, import_id)


@router.post(PATH + "/{import_id}/simpan")
async def commit_import(import_id: str, request: Request) -> Response:
    """Every row in one write transaction, or nothing (the report then says why); only the dry
    run the operator read (`uji_coba`), recomputed in that transaction, is saved."""
    form = await request.form()
    dry_run = str(form.get("uji_coba") or "")
    return await run_in_threadpool(_commit, request, import_id, dry_run)


def _commit(request: Request, import_id: str, dry_run: str) -> Response:
    principal = _principal(request)
    engine: Engine = request.app.state.engine
    try:
        with begin_write(engine) as conn:
            imports.commit(conn, principal, _mine(conn, principal, import_id), dry_run)
    except imports.DryRunMissing as exc:
        return _report_page(request, engine, import_id, f"Tidak disimpan: {exc}.", 400)
    except imports.ImportRefused as exc:  # a stale dry run too: the page shows the fresh one
        return _report_page(request, engine, import_id, f"Tidak disimpan: {exc}.", 409)
    return RedirectResponse(f"{PATH}/{import_id}", 303)
