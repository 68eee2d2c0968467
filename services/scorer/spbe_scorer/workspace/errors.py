"""The HTTP answers of the workspace's refusals, for every route at once (an exception handler):
the service raises `WorkspaceError`s and the upload checks `DocumentError`s, the routes never
translate them themselves."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request, Response

from spbe_common.api import Unprocessable, http_error

from . import documents, service

STATUS: dict[type[service.WorkspaceError], int] = {
    service.NotFound: 404,
    service.Forbidden: 403,
    service.Conflict: 409,
}


def refuse(exc: service.WorkspaceError | documents.DocumentError) -> HTTPException:
    """404, 403 or 409 by the refusal's kind; a 422 names the field at fault."""
    if isinstance(exc, documents.DocumentError):
        if exc.status == 422:
            return Unprocessable(str(exc), ("body", exc.field))
        return HTTPException(exc.status, str(exc))
    for kind, code in STATUS.items():
        if isinstance(exc, kind):
            return HTTPException(code, str(exc))
    return Unprocessable(str(exc), ("body", exc.field or "body"))


async def refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, service.WorkspaceError | documents.DocumentError)
    return await http_error(request, refuse(exc))


def install(app: FastAPI) -> None:
    app.add_exception_handler(service.WorkspaceError, refused)
    app.add_exception_handler(documents.DocumentError, refused)
