"""Katalog: the tables of assets, services, applications, OPD, facilities and intra-network links, with their CSV / XLSX export.

Each table is read one page at a time through the repository function its API list route uses
(which applies the principal's OPD scope); the export of a page is built from the same cells."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from spbe_common.auth import Principal
from spbe_common.registers import RegisterKind
from spbe_common.registers.template import register_workbook
from spbe_inventory.api.deps import EngineDep, PrincipalDep, read_conn
from spbe_inventory.listing_repository import MAX_LIMIT, Page
from spbe_inventory.opd import repository as opd

from . import export
from .catalogue_tables import LISTINGS, Column, Filter, Listing
from .errors import PageRefusal
from .labels import choices
from .render import WIB, number, page
from .typed_input import whole_number

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
MAX_PAGE = 1_000_000
FORMATS = {"csv": export.CSV_TYPE, "xlsx": export.XLSX_TYPE, "register": export.XLSX_TYPE}
# Tables that can also be downloaded as a register: the import's template, filled in with every
# record the filters select (not one page), which the import reads back unchanged.
REGISTERS = {"aset": RegisterKind.ASSETS}
RESULTS_ID = "hasil"  # the region htmx replaces when a filter, sort or page changes


@dataclass(frozen=True)
class Cell:
    value: export.Value  # what the export writes
    text: str  # what the page shows
    href: str | None


@dataclass(frozen=True)
class Query:
    """What the address asks for: search, filters, sort and page number."""

    q: str | None
    filters: dict[str, Any]
    sort: str | None
    page_no: int

    def page(self) -> Page:
        return Page(PAGE_SIZE, (self.page_no - 1) * PAGE_SIZE, self.sort)


@dataclass(frozen=True)
class Table:
    listing: Listing
    query: Query
    rows: list[list[Cell]]
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / PAGE_SIZE))

    def headers(self) -> list[str]:
        return [column.header for column in self.listing.columns]

    def values(self) -> list[list[export.Value]]:
        return [[cell.value for cell in row] for row in self.rows]


class InvalidParameter(HTTPException):
    """A query parameter of a list page that cannot be read (a stale or edited address)."""

    def __init__(self, what: str) -> None:
        super().__init__(400, f"invalid {what}")
        self.what = what


# What the page says of a parameter it cannot read; a filter is named by its label.
UNREADABLE = {
    "search": "Teks pencarian terlalu panjang: paling banyak 100 karakter.",
    "sort": "Urutan yang diminta tidak dikenal.",
    "page": "Nomor halaman tidak valid.",
    "format": "Format unduhan yang diminta tidak dikenal.",
}


def parse_filter(spec: Filter, raw: str) -> Any:
    if spec.enum is not None:
        try:
            return spec.enum(raw)
        except ValueError:
            raise InvalidParameter(spec.name) from None
    if spec.kind == "port":
        port = whole_number(raw, 0, 65535)
        if port is None:
            raise InvalidParameter(spec.name)
        return port
    if len(raw) > 100:
        raise InvalidParameter(spec.name)
    return raw


def parse_query(request: Request, listing: Listing) -> Query:
    """An empty field of the filter form means "not filtered"; anything else must be valid: a
    value that is not is a page that says which, with the way to the unfiltered list."""
    try:
        return _parse_query(request, listing)
    except InvalidParameter as exc:
        raise refused(listing, exc.what) from None


def refused(listing: Listing, what: str) -> PageRefusal:
    labels = {spec.name: spec.text for spec in listing.filters}
    message = UNREADABLE.get(what) or f"Nilai saringan {labels.get(what, what)} tidak dikenal."
    back = (f"/katalog/{listing.slug}", f"Kembali ke daftar {listing.title} tanpa saringan")
    return PageRefusal(400, f"{message} Alamat halaman ini mungkin sudah lama atau diubah.", back)


def _parse_query(request: Request, listing: Listing) -> Query:
    params = request.query_params
    filters = {spec.name: None for spec in listing.filters}
    for spec in listing.filters:
        raw = params.get(spec.name, "").strip()
        if raw:
            filters[spec.name] = parse_filter(spec, raw)
    q = params.get("q", "").strip() or None
    if q is not None and len(q) > 100:
        raise InvalidParameter("search")
    return Query(
        q, filters, parse_sort(listing, params.get("sort")), parse_page(params.get("page"))
    )


def parse_sort(listing: Listing, raw: str | None) -> str | None:
    if not raw:
        return None
    keys = {column.sort for column in listing.columns if column.sort}
    if raw.removeprefix("-") not in keys:
        raise InvalidParameter("sort")
    return raw


def parse_page(raw: str | None) -> int:
    if not raw:
        return 1
    number = whole_number(raw, 1, MAX_PAGE)
    if number is None:
        raise InvalidParameter("page")
    return number


def cell(column: Column, row: dict[str, Any]) -> Cell:
    value = column.value(row)
    if value is None:
        shown = "-"
    elif column.number and isinstance(value, int | float):
        shown = number(value)
    else:
        shown = str(value)
    return Cell(value, shown, column.href(row) if column.href else None)


def read_table(conn: Connection, principal: Principal, listing: Listing, query: Query) -> Table:
    """One page of the table, as its cells (the repository applies the OPD scope)."""
    rows, total = listing.fetch(conn, principal, query.page(), query.filters, query.q)
    if listing.extend is not None:
        rows = listing.extend(conn, principal, rows)
    cells = [[cell(column, row) for column in listing.columns] for row in rows]
    return Table(listing, query, cells, total)


def opd_options(conn: Connection, principal: Principal) -> list[tuple[str, str]]:
    """The OPD a principal may filter by: all of them, or those of its scope."""
    rows, _ = opd.page_of(conn, principal, Page(500, 0, "code"), None, None)
    return [(r["code"], r["code"]) for r in rows if principal.sees(r["code"])]


def filter_options(
    conn: Connection, principal: Principal, listing: Listing
) -> dict[str, list[tuple[str, str]]]:
    options: dict[str, list[tuple[str, str]]] = {}
    for spec in listing.filters:
        if spec.enum is not None:
            options[spec.name] = choices(spec.enum)
        elif spec.kind == "opd":
            options[spec.name] = opd_options(conn, principal)
    return options


def wants_results_only(request: Request) -> bool:
    """htmx replacing the results region (not restoring a page from its history)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-target") == RESULTS_ID
        and headers.get("hx-history-restore-request") != "true"
    )


def list_page(
    listing: Listing,
) -> Callable[[Request, EngineDep, PrincipalDep], Awaitable[Response]]:
    async def handler(request: Request, engine: EngineDep, principal: PrincipalDep) -> Response:
        query = parse_query(request, listing)
        with read_conn(engine) as conn:  # short indexed reads, as the API's list routes
            table = read_table(conn, principal, listing, query)
            options = filter_options(conn, principal, listing)
        context = {
            "title": listing.title,
            "listing": listing,
            "table": table,
            "options": options,
            "raw": {spec.name: request.query_params.get(spec.name, "") for spec in listing.filters},
            "results_id": RESULTS_ID,
        }
        partial = wants_results_only(request)
        response = page(
            request, "katalog_hasil.html" if partial else "katalog_daftar.html", context
        )
        response.headers["Vary"] = "HX-Request, HX-Target"
        return response

    handler.__name__ = f"katalog_{listing.slug}"
    return handler


def export_page(
    listing: Listing,
) -> Callable[[Request, EngineDep, PrincipalDep], Awaitable[Response]]:
    async def handler(request: Request, engine: EngineDep, principal: PrincipalDep) -> Response:
        kind = request.query_params.get("format", "xlsx")
        if kind not in FORMATS or (kind == "register" and listing.slug not in REGISTERS):
            raise refused(listing, "format")
        query = parse_query(request, listing)
        limit = request.app.state.settings.import_max_rows
        with read_conn(engine) as conn:
            if kind == "register":
                content = register(conn, principal, listing, query, limit)
            else:
                table = read_table(conn, principal, listing, query)
        if kind == "csv":
            content = export.to_csv(table.headers(), table.values())
        elif kind == "xlsx":
            content = export.to_xlsx(listing.title, table.headers(), table.values())
        name = export.filename(
            f"register-{listing.slug}" if kind == "register" else listing.slug,
            "xlsx" if kind == "register" else kind,
            datetime.now(WIB).date(),
        )
        headers = {
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",  # an OPD's records
            "X-Content-Type-Options": "nosniff",
        }
        return Response(content, media_type=FORMATS[kind], headers=headers)

    handler.__name__ = f"ekspor_{listing.slug}"
    return handler


def register(
    conn: Connection, principal: Principal, listing: Listing, query: Query, limit: int
) -> bytes:
    """Every record the filters select (in the principal's scope) as a register workbook; at
    most as many rows as one import takes (`import_max_rows`), else 400: filter by OPD."""
    records: list[dict[str, Any]] = []
    while True:
        page_of = Page(MAX_LIMIT, len(records), query.sort)
        rows, total = listing.fetch(conn, principal, page_of, query.filters, query.q)
        if total > limit:
            raise HTTPException(400, f"more than {limit} records: filter by OPD")
        plain = orjson.loads(orjson.dumps(rows))  # the list read keeps JSON columns as JSON text
        records += [{**row, "opd": row.get("opd_code")} for row in plain]
        if not rows or len(records) >= total:
            break
    names = opd.page_of(conn, principal, Page(MAX_LIMIT, 0, "code"), None, None)[0]
    directory = [(r["code"], r["name"]) for r in names if principal.sees(r["code"])]
    return register_workbook(REGISTERS[listing.slug], records, directory)


for _listing in LISTINGS:
    router.add_api_route(f"/katalog/{_listing.slug}", list_page(_listing), methods=["GET"])
    router.add_api_route(f"/katalog/{_listing.slug}/ekspor", export_page(_listing), methods=["GET"])
