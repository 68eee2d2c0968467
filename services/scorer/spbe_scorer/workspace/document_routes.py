"""Bukti dukung: upload to an indicator of a period, list, download, remove.

Uploading and removing need the worksheet to be the caller's to fill in (service.check_edit,
which ends with access.may_edit: 403, or 409 once it is submitted or verified); a
download needs evidence:read (api/security.py POLICY: not viewers). The file is checked by its
content (documents.py) and kept in the document store under its SHA-256 (store.py). A removed
document stays as a row (who removed it, when); its stored file stays for other rows that share
it.
"""

from __future__ import annotations

import urllib.parse
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, File, Form, HTTPException, Path, Query, UploadFile
from fastapi.responses import Response, StreamingResponse

from spbe_common.api import INT64_MAX, ErrorBody
from spbe_common.auth import Principal
from spbe_scorer.api.deps import ConnDep, PrincipalDep, SettingsDep, WriteConnDep, json_response
from spbe_scorer.settings import ScorerSettings

from . import documents, history, service
from .enums import WorksheetAction
from .store import DirectoryStore, DocumentStore, Missing, TooLarge

router = APIRouter(tags=["evaluation"])

PeriodId = Annotated[int, Path(ge=1, le=INT64_MAX)]
DocumentId = Annotated[int, Path(ge=1, le=INT64_MAX)]
IndicatorPath = Annotated[str, Path(min_length=1, max_length=16)]
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",  # never rendered as a page here
    "Cache-Control": "private, no-store",
}


def document_store(settings: ScorerSettings) -> DocumentStore:
    """The store the settings name (a directory; an object store would be chosen here)."""
    return DirectoryStore(settings.documents_dir)


def _editable(conn: Any, principal: Principal, period_id: int, indicator: str) -> dict[str, Any]:
    """The worksheet, when the caller may change it (Forbidden, or Conflict once submitted)."""
    period = service.get_period(conn, period_id)
    worksheet = service.get_worksheet(conn, period_id, indicator)
    service.check_edit(principal, period, worksheet)  # ends with access.may_edit
    return worksheet


def _stored(
    settings: ScorerSettings, file: UploadFile, filename: str
) -> tuple[dict[str, Any], documents.FileType]:
    def inspect(stream: BinaryIO) -> documents.FileType:
        return documents.checked_type(stream, filename)

    try:
        stored, kind = document_store(settings).put(
            file.file, settings.scorer_document_max_bytes, inspect
        )
    except TooLarge as exc:
        raise HTTPException(413, f"the file is larger than {exc.limit} bytes") from None
    return {"sha256": stored.sha256, "size": stored.size}, kind


@router.post(
    "/api/v1/periods/{period_id}/worksheets/{indicator}/documents",
    status_code=201,
    responses={
        413: {"model": ErrorBody, "description": "The file is larger than the document limit"},
        415: {"model": ErrorBody, "description": "The content is not a type accepted"},
    },
)
def upload_document(
    period_id: PeriodId,
    indicator: IndicatorPath,
    file: Annotated[UploadFile, File(description="PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT or ODS")],
    title: Annotated[str, Form(max_length=1000)],
    conn: WriteConnDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    records: Annotated[list[str], Form(description='Repeated "kind:id"')] = [],  # noqa: B006
) -> Response:
    """A bukti dukung file for one indicator, checked by its content; the media type kept is
    the one detected."""
    worksheet = _editable(conn, principal, period_id, indicator)
    filename = documents.clean_filename(file.filename)
    values: dict[str, Any] = {
        "title": documents.clean_title(title),
        "filename": filename,
        "records": documents.parse_records(records),
    }
    stored, kind = _stored(settings, file, filename)
    row = documents.add(conn, {
        **values, **stored, "period_id": period_id, "indicator": indicator,
        "media_type": kind.media_type, "uploaded_by": principal.name,
    })  # fmt: skip
    history.record(conn, worksheet["id"], WorksheetAction.DOCUMENT_ADDED, principal.name, {
        "document_id": row["id"], "title": row["title"], "filename": row["filename"],
        "sha256": row["sha256"],
    })  # fmt: skip
    return json_response(documents.public(row), 201)


@router.get("/api/v1/periods/{period_id}/documents")
def list_documents(
    period_id: PeriodId,
    conn: ConnDep,
    indicator: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
) -> Response:
    """The documents of a period (or one indicator), without the removed ones."""
    service.get_period(conn, period_id)
    rows = [documents.public(r) for r in documents.of_period(conn, period_id, indicator)]
    return json_response({"data": rows, "count": len(rows)})


def content_disposition(filename: str) -> str:
    """attachment, with an ASCII fallback name and the exact one (RFC 6266 / 5987)."""
    fallback = filename.encode("ascii", "replace").decode("ascii").replace('"', "_")
    fallback = fallback.replace("?", "_").replace("\\", "_")
    exact = urllib.parse.quote(filename, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{exact}"


@router.get("/api/v1/documents/{document_id}", response_class=StreamingResponse)
def download_document(document_id: DocumentId, conn: ConnDep, settings: SettingsDep) -> Response:
    """The file as it was uploaded, always as an attachment."""
    row = documents.get(conn, document_id)
    if row is None:
        raise HTTPException(404, f"document {document_id} not found")
    try:
        chunks = document_store(settings).chunks(row["sha256"])
    except Missing:
        raise HTTPException(404, f"the file of document {document_id} is missing") from None
    headers = {
        **DOWNLOAD_HEADERS, "Content-Disposition": content_disposition(row["filename"]),
        "Content-Length": str(row["size"]),
    }  # fmt: skip
    return StreamingResponse(chunks, media_type=row["media_type"], headers=headers)


@router.delete("/api/v1/documents/{document_id}", status_code=204)
def remove_document(
    document_id: DocumentId, conn: WriteConnDep, principal: PrincipalDep
) -> Response:
    row = documents.get(conn, document_id, lock=True)
    if row is None:
        raise HTTPException(404, f"document {document_id} not found")
    worksheet = _editable(conn, principal, row["period_id"], row["indicator"])
    documents.remove(conn, document_id, principal.name)
    history.record(conn, worksheet["id"], WorksheetAction.DOCUMENT_REMOVED, principal.name, {
        "document_id": document_id, "title": row["title"], "filename": row["filename"],
    })  # fmt: skip
    return Response(status_code=204)
