"""Forms that declare and edit records.

A form is a second edge of the API's write routes: its fields are built into the same request
model (AssetCreate, ApplicationUpdate, ...), and the page calls the same route function, so the
OPD scope, the reference checks, the 409 conflicts, the If-Match check (the record's ETag as a
hidden field) and the history row (the signed-in account, cause "request") are the API's own.
Each refusal is shown next to its field in Bahasa Indonesia, with what the user typed kept."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from spbe_common.api import IdPath
from spbe_common.db import lock_asset_identities
from spbe_inventory.api.deps import CauseDep, ConnDep, Principal, PrincipalDep, WriteConnDep
from spbe_inventory.applications import routes as applications
from spbe_inventory.applications.models import ApplicationCreate, ApplicationUpdate
from spbe_inventory.assets import routes as assets
from spbe_inventory.assets.models import AssetCreate, AssetUpdate
from spbe_inventory.infrastructure import repository as infrastructure_repo
from spbe_inventory.infrastructure import routes as infrastructure
from spbe_inventory.infrastructure.models import FacilityBase, LinkMedia, NetworkLinkBase
from spbe_inventory.listing_repository import MAX_LIMIT, Page
from spbe_inventory.opd import repository as opd_repo

from . import form_errors
from .render import page

router = APIRouter(include_in_schema=False)


class Kind(Enum):
    TEXT = "text"
    INT = "int"
    BOOL = "bool"  # a checkbox: sent when ticked
    LINES = "lines"  # a list, one item per line
    WORDS = "words"  # a list, items apart by spaces, commas or lines
    IDS = "ids"  # a list of record ids


T, N, B, L, W = Kind.TEXT, Kind.INT, Kind.BOOL, Kind.LINES, Kind.WORDS
SPLIT = re.compile(r"[\s,;]+")
LINE_FIELDS = frozenset({"urls", "service_areas"})  # one item per line: messages name the line


@dataclass(frozen=True)
class Spec:
    """One form: its template, fields (name -> kind), OPD field and what its 409 means."""

    template: str
    kinds: Mapping[str, Kind]
    opd_field: str
    conflict: str
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def edited(self, *fixed: str) -> Spec:
        kinds = {k: v for k, v in self.kinds.items() if k not in fixed}
        return Spec(self.template, kinds, self.opd_field, self.conflict)


ASSET = Spec(
    "form_aset.html",
    {"name": T, "kind": T, "hostname": T, "mac": T, "serial": T, "addresses": W, "opd_code": T,
     "location": T, "owner": T, "facility_id": N, "lifecycle": T},
    "opd_code",
    "MAC, nomor seri, atau alamat IP ini milik aset OPD lain. Tidak ada yang tersimpan.",
    {"kind": "other", "lifecycle": "active"},
)  # fmt: skip
APPLICATION = Spec(
    "form_aplikasi.html",
    {"name": T, "opd_code": T, "description": T, "kind": T, "platform": T, "hosting": T,
     "facility_id": N, "status": T, "function_level": N, "uses_service_bus": B, "urls": L,
     "service_areas": L, "asset_ids": Kind.IDS},
    "opd_code",
    "Aplikasi dengan nama ini sudah ada di OPD tersebut. Tidak ada yang tersimpan.",
    {"kind": "special", "platform": "web", "status": "active"},
)  # fmt: skip
FACILITY = Spec(
    "form_fasilitas.html",
    {"name": T, "kind": T, "location": T, "tier": T, "owner_opd_code": T, "operator": T,
     "intranet_mbps": N, "internet_mbps": N, "has_sop": B, "pdn_interconnected": B},
    "owner_opd_code",
    "Fasilitas dengan nama ini sudah ada. Tidak ada yang tersimpan.",
    {"kind": "pusat_data_pemda"},
)  # fmt: skip
LINK = Spec(
    "form_jaringan.html",
    {"opd_code": T, "site": T, "media": T, "bandwidth_mbps": N, "owner": T, "operator": T,
     "on_intra_network": B, "jip_interconnected": B},
    "opd_code",
    "Lokasi ini sudah memiliki sambungan jaringan intra. Tidak ada yang tersimpan.",
    {"media": "fibre", "on_intra_network": True},
)  # fmt: skip
ASSET_EDIT = ASSET.edited("mac", "addresses")
APPLICATION_EDIT = APPLICATION.edited("name", "opd_code")


async def form_fields(request: Request) -> dict[str, str]:
    """The posted fields (already parsed by the CSRF check; Starlette keeps the form)."""
    form = await request.form()
    return {key: value for key, value in form.multi_items() if isinstance(value, str)}


FormDep = Annotated[dict[str, str], Depends(form_fields)]


# --- form fields <-> request models ---------------------------------------------------------------
def _number(text: str) -> int | str:
    """An integer when it is one; otherwise the text, which the model refuses (int_type)."""
    try:
        return int(text)
    except ValueError:
        return text


def _parse_one(raw: str, kind: Kind) -> Any:
    if kind is Kind.LINES:
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if kind in (Kind.WORDS, Kind.IDS):
        items = [item for item in SPLIT.split(raw) if item]
        return [_number(item) for item in items] if kind is Kind.IDS else items
    if not raw:
        return None
    return _number(raw) if kind is Kind.INT else raw


def parse(form: Mapping[str, str], spec: Spec) -> dict[str, Any]:
    """Model input from the posted fields; an empty field is None (create: left to the default)."""
    values: dict[str, Any] = {}
    for name, kind in spec.kinds.items():
        if kind is Kind.BOOL:
            values[name] = name in form
        else:
            values[name] = _parse_one(form.get(name, "").strip(), kind)
    return values


def shown(record: Mapping[str, Any], spec: Spec) -> dict[str, Any]:
    """A record's values as the form's fields show them."""
    out: dict[str, Any] = {}
    for name, kind in spec.kinds.items():
        value = record.get(name)
        if kind is Kind.BOOL:
            out[name] = bool(value)
        elif isinstance(value, list):
            out[name] = "\n".join(str(item) for item in value)
        else:
            out[name] = "" if value is None else str(value)
    return out


def typed(form: Mapping[str, str], spec: Spec) -> dict[str, Any]:
    """What the user typed, to show again with the messages."""
    return {
        name: (name in form) if kind is Kind.BOOL else form.get(name, "")
        for name, kind in spec.kinds.items()
    }


def _create_input(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _update_input(
    values: dict[str, Any], current: Mapping[str, Any], model: type[SQLModel]
) -> dict[str, Any]:
    """Only what the user changed: a field sent in a PATCH becomes declared (scans keep off it)."""
    not_null: frozenset[str] = getattr(model, "not_null", frozenset())
    return {
        k: v for k, v in values.items() if v != current.get(k) and not (v is None and k in not_null)
    }


# --- pages ------------------------------------------------------------------------------------------
def _opd_options(conn: Connection, principal: Principal) -> list[tuple[str, str]]:
    """The OPD this account may write records of (an operator: its own; an admin: all)."""
    rows, _ = opd_repo.page_of(conn, principal, Page(MAX_LIMIT, 0, "code"), None, None)
    return [
        (row["code"], f"{row['code']} · {row['name']}")
        for row in rows
        if principal.may_write(row["code"])
    ]


def _facility_options(conn: Connection, principal: Principal) -> list[tuple[str, str]]:
    rows, _ = infrastructure_repo.facilities_page(conn, principal, Page(MAX_LIMIT, 0, "name"), None)
    return [(str(row["id"]), row["name"]) for row in rows]


@dataclass
class Shown:
    """What a form page shows besides its fields."""

    action: str
    cancel: str
    record: Mapping[str, Any] | None = None
    if_match: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    status: int = 200


def _show(
    request: Request,
    conn: Connection,
    principal: Principal,
    spec: Spec,
    values: Mapping[str, Any],
    view: Shown,
) -> Response:
    context = {
        "values": values,
        "view": view,
        "errors": view.errors,
        "opd_options": _opd_options(conn, principal),
        "facility_options": _facility_options(conn, principal),
        "opd_required": principal.opd_codes is not None,  # a scoped account names its OPD
        "LinkMedia": LinkMedia,
    }
    return page(request, spec.template, context, view.status)


Save = Callable[[Any], Response]


def _validate(
    principal: Principal,
    spec: Spec,
    form: Mapping[str, str],
    build: Callable[[dict[str, Any]], SQLModel],
    errors: dict[str, str],
) -> SQLModel | None:
    """The API's request model of the form, or None with `errors` filled in."""
    values = parse(form, spec)
    try:
        body = build(values)
    except ValidationError as exc:
        errors.update(form_errors.field_errors(exc, LINE_FIELDS))
        body = None
    opd = values.get(spec.opd_field)
    mine = opd is None or principal.may_write(opd)  # None: the model or the API answers
    if spec.opd_field in spec.kinds and not mine and spec.opd_field not in errors:
        errors[spec.opd_field] = form_errors.OUT_OF_SCOPE
    return None if errors else body


def _refused(exc: HTTPException, spec: Spec, view: Shown) -> None:
    """The API's refusal as the page shows it (403 on the OPD is a field of the form: 422)."""
    view.errors, view.message = form_errors.refusal(exc, spec.opd_field)
    view.status = exc.status_code if exc.status_code != 403 else 422
    if exc.status_code == 409:
        view.message = spec.conflict
    elif exc.status_code == 412:
        view.message = form_errors.STALE


def _submit(
    request: Request,
    conn: Connection,
    principal: Principal,
    spec: Spec,
    form: Mapping[str, str],
    view: Shown,
    build: Callable[[dict[str, Any]], SQLModel],
    save: Save,
) -> Response | Mapping[str, Any]:
    """Validates with the API's model and saves through the API's route function: the saved
    record (its JSON), or the form again with its messages; a refusal saves nothing."""
    body = _validate(principal, spec, form, build, view.errors)
    if body is None:
        view.message, view.status = form_errors.INVALID, 422
        return _show(request, conn, principal, spec, typed(form, spec), view)
    try:
        with conn.begin_nested():  # a refusal after a write rolls the write back
            answer = save(body)
    except HTTPException as exc:
        if exc.status_code in (401, 404):
            raise
        _refused(exc, spec, view)
        return _show(request, conn, principal, spec, typed(form, spec), view)
    except IntegrityError:  # a unique key the checks did not see (e.g. a concurrent writer)
        view.message, view.status = form_errors.CONFLICT, 409
        return _show(request, conn, principal, spec, typed(form, spec), view)
    saved: Mapping[str, Any] = orjson.loads(bytes(answer.body))
    return saved


def _done(result: Response | Mapping[str, Any], target: str) -> Response:
    """303 to the record's page (`target` formatted with the saved record's fields)."""
    if isinstance(result, Response):
        return result
    return RedirectResponse(target.format(**result), 303)


def _if_match(form: Mapping[str, str]) -> Request:
    """The hidden `if_match` field as the API route reads it: the If-Match header. A form
    without it never matches (the page always sends it)."""
    tag = form.get("if_match", "").strip() or '"absent"'
    headers = [(b"if-match", tag.encode("utf-8", "replace"))]
    return Request({"type": "http", "method": "PATCH", "headers": headers})


# --- aset --------------------------------------------------------------------------------------------
NEW_ASSET = "/katalog/aset/baru"


def _asset(conn: Connection, principal: Principal, asset_id: int) -> tuple[dict[str, Any], str]:
    """The asset as GET /api/v1/assets/{id} answers it (404 outside the scope) and its ETag."""
    answer = assets.get_asset(asset_id, conn, principal)
    return orjson.loads(bytes(answer.body)), answer.headers["etag"]


@router.get(NEW_ASSET)
def new_asset(request: Request, conn: ConnDep, principal: PrincipalDep) -> Response:
    view = Shown(NEW_ASSET, "/katalog/aset")
    return _show(request, conn, principal, ASSET, {**ASSET.defaults}, view)


@router.post(NEW_ASSET)
def declare_asset(
    request: Request, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep, form: FormDep
) -> Response:
    def save(body: AssetCreate) -> Response:
        return assets.declare_asset(body, conn, principal, cause)

    def build(values: dict[str, Any]) -> SQLModel:
        return AssetCreate.model_validate(_create_input(values))

    view = Shown(NEW_ASSET, "/katalog/aset")
    result = _submit(request, conn, principal, ASSET, form, view, build, save)
    return _done(result, "/katalog/aset/{id}")


@router.get("/katalog/aset/{asset_id}/ubah")
def edit_asset(
    asset_id: IdPath, request: Request, conn: ConnDep, principal: PrincipalDep
) -> Response:
    record, etag = _asset(conn, principal, asset_id)
    view = Shown(f"/katalog/aset/{asset_id}/ubah", f"/katalog/aset/{asset_id}", record, etag)
    return _show(request, conn, principal, ASSET_EDIT, shown(record, ASSET_EDIT), view)


@router.post("/katalog/aset/{asset_id}/ubah")
def update_asset(
    asset_id: IdPath,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
    form: FormDep,
) -> Response:
    lock_asset_identities(conn)  # before the first read of assets, as every asset writer does
    record, _ = _asset(conn, principal, asset_id)

    def save(body: AssetUpdate) -> Response:
        return assets.update_asset(asset_id, body, _if_match(form), conn, principal, cause)

    def build(values: dict[str, Any]) -> SQLModel:
        return AssetUpdate.model_validate(_update_input(values, record, AssetUpdate))

    view = Shown(
        f"/katalog/aset/{asset_id}/ubah",
        f"/katalog/aset/{asset_id}",
        record,
        form.get("if_match", ""),
    )
    result = _submit(request, conn, principal, ASSET_EDIT, form, view, build, save)
    return _done(result, "/katalog/aset/{id}")


# --- aplikasi ----------------------------------------------------------------------------------------
NEW_APPLICATION = "/katalog/aplikasi/baru"


def _application(conn: Connection, principal: Principal, app_id: int) -> tuple[dict[str, Any], str]:
    answer = applications.get_application(app_id, conn, principal)
    return orjson.loads(bytes(answer.body)), answer.headers["etag"]


@router.get(NEW_APPLICATION)
def new_application(request: Request, conn: ConnDep, principal: PrincipalDep) -> Response:
    view = Shown(NEW_APPLICATION, "/katalog/aplikasi")
    return _show(request, conn, principal, APPLICATION, {**APPLICATION.defaults}, view)


@router.post(NEW_APPLICATION)
def declare_application(
    request: Request, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep, form: FormDep
) -> Response:
    def save(body: ApplicationCreate) -> Response:
        return applications.create_application(body, conn, principal, cause)

    def build(values: dict[str, Any]) -> SQLModel:
        return ApplicationCreate.model_validate(_create_input(values))

    view = Shown(NEW_APPLICATION, "/katalog/aplikasi")
    result = _submit(request, conn, principal, APPLICATION, form, view, build, save)
    return _done(result, "/katalog/aplikasi/{id}")


@router.get("/katalog/aplikasi/{app_id}/ubah")
def edit_application(
    app_id: IdPath, request: Request, conn: ConnDep, principal: PrincipalDep
) -> Response:
    record, etag = _application(conn, principal, app_id)
    view = Shown(f"/katalog/aplikasi/{app_id}/ubah", f"/katalog/aplikasi/{app_id}", record, etag)
    values = shown(record, APPLICATION_EDIT)
    return _show(request, conn, principal, APPLICATION_EDIT, values, view)


@router.post("/katalog/aplikasi/{app_id}/ubah")
def update_application(
    app_id: IdPath,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
    form: FormDep,
) -> Response:
    record, _ = _application(conn, principal, app_id)

    def save(body: ApplicationUpdate) -> Response:
        return applications.update_application(
            app_id, body, _if_match(form), conn, principal, cause
        )

    def build(values: dict[str, Any]) -> SQLModel:
        return ApplicationUpdate.model_validate(_update_input(values, record, ApplicationUpdate))

    view = Shown(
        f"/katalog/aplikasi/{app_id}/ubah",
        f"/katalog/aplikasi/{app_id}",
        record,
        form.get("if_match", ""),
    )
    result = _submit(request, conn, principal, APPLICATION_EDIT, form, view, build, save)
    return _done(result, "/katalog/aplikasi/{id}")


# --- fasilitas dan jaringan intra ---------------------------------------------------------------------
NEW_FACILITY, NEW_LINK = "/katalog/fasilitas/baru", "/katalog/jaringan/baru"


@router.get(NEW_FACILITY)
def new_facility(request: Request, conn: ConnDep, principal: PrincipalDep) -> Response:
    view = Shown(NEW_FACILITY, "/katalog/fasilitas")
    return _show(request, conn, principal, FACILITY, {**FACILITY.defaults}, view)


@router.post(NEW_FACILITY)
def declare_facility(
    request: Request, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep, form: FormDep
) -> Response:
    def save(body: FacilityBase) -> Response:
        return infrastructure.create_facility(body, conn, principal, cause)

    def build(values: dict[str, Any]) -> SQLModel:
        return FacilityBase.model_validate(_create_input(values))

    view = Shown(NEW_FACILITY, "/katalog/fasilitas")
    result = _submit(request, conn, principal, FACILITY, form, view, build, save)
    return _done(result, "/katalog/fasilitas/{id}")


@router.get(NEW_LINK)
def new_link(request: Request, conn: ConnDep, principal: PrincipalDep) -> Response:
    view = Shown(NEW_LINK, "/katalog/jaringan")
    return _show(request, conn, principal, LINK, {**LINK.defaults}, view)


@router.post(NEW_LINK)
def declare_link(
    request: Request, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep, form: FormDep
) -> Response:
    def save(body: NetworkLinkBase) -> Response:
        return infrastructure.create_network_link(body, conn, principal, cause)

    def build(values: dict[str, Any]) -> SQLModel:
        return NetworkLinkBase.model_validate(_create_input(values))

    view = Shown(NEW_LINK, "/katalog/jaringan")
    result = _submit(request, conn, principal, LINK, form, view, build, save)
    return _done(result, "/katalog/opd/{opd_code}")
