"""The HTTP side of what repositories find: page parameters, orjson answers, 404 for a record
that is not visible, 422/403 for an OPD that is unknown or not writable.

The queries themselves are built by the domain repositories (`spbe_inventory.listing_repository`).
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection

from spbe_common.api import Offset, Unprocessable
from spbe_common.auth import Principal
from spbe_inventory.infrastructure import repository as infrastructure
from spbe_inventory.listing_repository import ID_ORDERS, MAX_LIMIT, Page, PageJson, Rows
from spbe_inventory.opd import repository as opd_repo

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page")] = 50,
    offset: Offset = 0,
    sort: Annotated[
        str | None, Query(description="Field to sort by; prefix '-' to descend")
    ] = None,
) -> Page:
    return Page(limit, offset, sort)


PageDep = Annotated[Page, Depends(page_params)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The OpenAPI `parameters` of a route that reads its query as `model` (`query_of`): what
    FastAPI writes for parameters declared one by one."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema["properties"].items():
        if prop.get("default", ...) is None:
            del prop["default"]
        prop.setdefault("title", name.replace("_", " ").title())
        item = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            item["description"] = prop["description"]
        out.append(item)
    return out


def query_of(request: Request, model: type[M]) -> M:
    """The query string validated as `model` in one step (a hot route's parameters checked one
    by one by FastAPI cost more than its database read); 422 as FastAPI would answer it."""
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError([{**e, "loc": ("query", *e["loc"])} for e in errors]) from None


def json_response(payload: Any, status_code: int = 200) -> Response:
    """orjson straight to bytes; the route's response_model still documents the shape."""
    return Response(orjson.dumps(payload), status_code=status_code, media_type="application/json")


def page_response(found: tuple[Rows, int]) -> Response:
    rows, count = found
    return json_response({"data": rows, "count": count})


NEXT_CURSOR = "X-Next-Cursor"


def page_json_response(found: PageJson, page: Page) -> Response:
    """`{"data": [...], "count": n}` from rows already JSON; a full page in id order names the
    cursor of the next page in the X-Next-Cursor header."""
    body = b'{"data":' + found.data + b',"count":' + str(found.count).encode() + b"}"
    response = Response(body, media_type="application/json")
    if found.last_id is not None and found.rows == page.limit and page.sort in ID_ORDERS:
        response.headers[NEXT_CURSOR] = str(found.last_id)
    return response


def found(value: T | None, message: str) -> T:
    """404 for a record that does not exist or lies outside the caller's scope: the same answer,
    so a caller cannot tell the two apart."""
    if value is None:
        raise HTTPException(404, message)
    return value


def check_opd(
    conn: Connection,
    principal: Principal,
    code: str | None,
    field: str = "opd_code",
    allowed: bool | None = None,
) -> None:
    """422 for an OPD code that does not exist; 403 for one the principal may not write
    (`allowed` overrides the catalogue-write check, e.g. for evaluation records)."""
    if code is not None and not opd_repo.exists(conn, code):
        raise Unprocessable(f"unknown OPD code {code!r}", ("body", field))
    if not (principal.may_write(code) if allowed is None else allowed):
        raise HTTPException(403, f"not allowed to write records of OPD {code!r}")


def check_facility(conn: Connection, facility_id: int | None) -> None:
    """Facilities are shared (a Pusat Data hosts many OPD): any existing one may be named."""
    if facility_id is not None and infrastructure.facility_visible(conn, facility_id) is None:
        raise Unprocessable(f"unknown facility id {facility_id}", ("body", "facility_id"))
