"""Forms that declare and edit records.

A form is a second edge of the API's writes: its fields are built into the same request model
(AssetCreate, ApplicationUpdate, ...), and the page calls the same operation as the API route
(`assets.operations`, ...), so the OPD scope, the reference checks, the 409 conflicts, the
If-Match check (the record's ETag as a hidden field) and the history row (the signed-in account,
cause "request") are the API's own.
Each refusal is shown next to its field in Bahasa Indonesia, with what the user typed kept."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from spbe_common.api import IdPath
from spbe_common.db import lock_asset_identities
from spbe_inventory.api.deps import CauseDep, ConnDep, Principal, PrincipalDep, WriteConnDep
from spbe_inventory.applications import operations as applications
from spbe_inventory.applications.models import ApplicationCreate, ApplicationUpdate
from spbe_inventory.assets import operations as assets
from spbe_inventory.assets import repository as assets_repo
from spbe_inventory.assets.models import AssetCreate, AssetUpdate
from spbe_inventory.infrastructure import repository as infrastructure_repo
from spbe_inventory.infrastructure.models import LinkMedia
from spbe_inventory.listing_repository import MAX_LIMIT, Page
from spbe_inventory.opd import repository as opd_repo

from . import form_errors
from .form_fields import (
    APPLICATION,
    APPLICATION_EDIT,
    ASSET,
    ASSET_EDIT,
    LINE_FIELDS,
    Spec,
    create_input,
    parse,
    shown,
    typed,
    update_input,
)
from .render import page

router = APIRouter(include_in_schema=False)


async def form_fields(request: Request) -> dict[str, str]:
    """The posted fields (already parsed by the CSRF check; Starlette keeps the form)."""
    form = await request.form()
    return {key: value for key, value in form.multi_items() if isinstance(value, str)}


FormDep = Annotated[dict[str, str], Depends(form_fields)]


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
    existing: str | None = None  # the page of the record a new one turned out to be
    page: str = ""  # the page of a record of this kind ({id}): where a duplicate is shown


class AlreadyCatalogued(Exception):
    """What a "new" form declared is a record already in the catalogue (the same MAC, serial,
    asset code, address, or OPD and name): a person adding one expects a new record, so the
    form saves nothing and links to it instead of quietly changing it."""

    def __init__(self, asset_id: int) -> None:
        super().__init__(asset_id)
        self.asset_id = asset_id
        self.page = f"/katalog/aset/{asset_id}"


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


Save = Callable[[Any], Mapping[str, Any]]


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
        existing = getattr(exc, "existing_id", None)  # infrastructure.operations.Duplicate
        if existing is not None and view.page:
            view.existing = view.page.format(id=existing)
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
            saved = save(body)
    except HTTPException as exc:
        if exc.status_code in (401, 404):
            raise
        _refused(exc, spec, view)
        return _show(request, conn, principal, spec, typed(form, spec), view)
    except IntegrityError:  # a unique key the checks did not see (e.g. a concurrent writer)
        view.message, view.status = form_errors.CONFLICT, 409
        return _show(request, conn, principal, spec, typed(form, spec), view)
    except AlreadyCatalogued as known:  # named as it is (the typed values were rolled back)
        (row,) = assets_repo.get_rows(conn, [known.asset_id])
        view.message = form_errors.catalogued(row["name"] or row["hostname"] or row["address"])
        view.status = 409
        view.existing = known.page
        return _show(request, conn, principal, spec, typed(form, spec), view)
    return saved


def _done(result: Response | Mapping[str, Any], target: str) -> Response:
    """303 to the record's page (`target` formatted with the saved record's fields)."""
    if isinstance(result, Response):
        return result
    return RedirectResponse(target.format(**result), 303)


def _if_match(form: Mapping[str, str]) -> str:
    """The hidden `if_match` field, the If-Match of the API. A form without it never matches
    (the page always sends it)."""
    return form.get("if_match", "").strip() or '"absent"'


# --- the forms of each kind of record ---------------------------------------------------------
Create = Callable[[Connection, Principal, Any, Any], Mapping[str, Any]]
Update = Callable[[Connection, Principal, int, Any, str, Any], Mapping[str, Any]]
Read = Callable[[Connection, Principal, int], dict[str, Any]]


@dataclass(frozen=True)
class Editing:
    """How a kind's existing records are edited: read as the API's GET answers it (404 outside
    the scope), its ETag, the update model and operation (If-Match from the hidden field)."""

    spec: Spec
    read: Read
    version: Callable[[dict[str, Any]], str]
    model: type[SQLModel]
    update: Update


@dataclass(frozen=True)
class Forms:
    """The form pages of one kind of record: `new` declares one (the API's create model and
    operation), `edit` (when the kind has one) changes one; after saving, `saved` (formatted
    with the saved record's fields) is the page to go to."""

    new: str
    listed: str
    spec: Spec
    model: type[SQLModel]
    create: Create
    saved: str
    editing: Editing | None = None
    page: str = ""  # a record's own page ({id}), when not `saved`

    @property
    def record_page(self) -> str:
        return self.page or self.saved

    def blank(self, request: Request, conn: Connection, principal: Principal) -> Response:
        view = Shown(self.new, self.listed, page=self.record_page)
        return _show(request, conn, principal, self.spec, {**self.spec.defaults}, view)

    def declare(
        self,
        request: Request,
        conn: Connection,
        principal: Principal,
        cause: Any,
        form: Mapping[str, str],
    ) -> Response:
        def build(values: dict[str, Any]) -> SQLModel:
            return self.model.model_validate(create_input(values))

        def save(body: Any) -> Mapping[str, Any]:
            return self.create(conn, principal, body, cause)

        view = Shown(self.new, self.listed, page=self.record_page)
        return _done(
            _submit(request, conn, principal, self.spec, form, view, build, save), self.saved
        )

    def _paths(self, record_id: int) -> tuple[str, str]:
        page = self.record_page.format(id=record_id)
        return f"{page}/ubah", page

    def edit(
        self, request: Request, conn: Connection, principal: Principal, record_id: int
    ) -> Response:
        editing = self.editing
        assert editing is not None
        record = editing.read(conn, principal, record_id)
        view = Shown(*self._paths(record_id), record, editing.version(record))
        view.page = self.record_page
        return _show(request, conn, principal, editing.spec, shown(record, editing.spec), view)

    def update(
        self,
        request: Request,
        conn: Connection,
        principal: Principal,
        cause: Any,
        form: Mapping[str, str],
        record_id: int,
    ) -> Response:
        editing = self.editing
        assert editing is not None
        record = editing.read(conn, principal, record_id)

        def build(values: dict[str, Any]) -> SQLModel:
            return editing.model.model_validate(update_input(values, record, editing.model))

        def save(body: Any) -> Mapping[str, Any]:
            return editing.update(conn, principal, record_id, body, _if_match(form), cause)

        view = Shown(*self._paths(record_id), record, form.get("if_match", ""))
        view.page = self.record_page
        result = _submit(request, conn, principal, editing.spec, form, view, build, save)
        return _done(result, self.record_page)


def _new_asset(
    conn: Connection, principal: Principal, body: AssetCreate, cause: Any
) -> Mapping[str, Any]:
    """The API's declaration, refused (and so rolled back) when it found a catalogued asset."""
    saved, created = assets.declare(conn, principal, body, cause)
    if not created:
        raise AlreadyCatalogued(saved["id"])
    return saved


ASSET_FORMS = Forms(
    "/katalog/aset/baru",
    "/katalog/aset",
    ASSET,
    AssetCreate,
    _new_asset,
    "/katalog/aset/{id}",
    Editing(ASSET_EDIT, assets.detail, assets.version, AssetUpdate, assets.update),
)
APPLICATION_FORMS = Forms(
    "/katalog/aplikasi/baru",
    "/katalog/aplikasi",
    APPLICATION,
    ApplicationCreate,
    applications.create,
    "/katalog/aplikasi/{id}",
    Editing(
        APPLICATION_EDIT,
        applications.detail,
        applications.version,
        ApplicationUpdate,
        applications.update,
    ),
)


# --- routes: each a line, with its own path parameter and dependencies -------------------------
@router.get(ASSET_FORMS.new)
def new_asset(request: Request, conn: ConnDep, principal: PrincipalDep) -> Response:
    return ASSET_FORMS.blank(request, conn, principal)


@router.post(ASSET_FORMS.new)
def declare_asset(
    request: Request, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep, form: FormDep
) -> Response:
    return ASSET_FORMS.declare(request, conn, principal, cause, form)


@router.get("/katalog/aset/{asset_id}/ubah")
def edit_asset(
    asset_id: IdPath, request: Request, conn: ConnDep, principal: PrincipalDep
) -> Response:
    return ASSET_FORMS.edit(request, conn, principal, asset_id)


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
    return ASSET_FORMS.update(request, conn, principal, cause, form, asset_id)


@router.get(APPLICATION_FORMS.new)
def new_application(request: Request, conn: ConnDep, principal: PrincipalDep) -> Response:
    return APPLICATION_FORMS.blank(request, conn, principal)


@router.post(APPLICATION_FORMS.new)
def declare_application(
    request: Request, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep, form: FormDep
) -> Response:
    return APPLICATION_FORMS.declare(request, conn, principal, cause, form)


@router.get("/katalog/aplikasi/{app_id}/ubah")
def edit_application(
    app_id: IdPath, request: Request, conn: ConnDep, principal: PrincipalDep
) -> Response:
    return APPLICATION_FORMS.edit(request, conn, principal, app_id)


@router.post("/katalog/aplikasi/{app_id}/ubah")
def update_application(
    app_id: IdPath,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
    form: FormDep,
) -> Response:
    return APPLICATION_FORMS.update(request, conn, principal, cause, form, app_id)
