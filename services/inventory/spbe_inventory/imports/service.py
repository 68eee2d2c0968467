"""Register imports: report row by row what committing a kept upload (`upload`) would do, and
commit it.

The report and the commit run the same code: the consumer's declaration path (`declaration_of`
and the asset unit of work for assets, `applications.declare` for applications). The report
never flushes and never declares an application, so it writes nothing; the commit applies every
row in the caller's one write transaction, or refuses the whole file when any row is an error.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from spbe_common.auth import Principal
from spbe_common.db import lock_asset_identities
from spbe_common.events.enums import Lifecycle
from spbe_common.events.payloads import ApplicationDeclared, AssetDeclared
from spbe_common.registers import RegisterKind
from spbe_inventory.applications import repository as applications_repo
from spbe_inventory.applications import service as applications
from spbe_inventory.assets import repository as assets_repo
from spbe_inventory.assets.identity import AssetState, Identity, IdentityIndex
from spbe_inventory.assets.rules import DEFAULTS
from spbe_inventory.assets.service import AssetUnitOfWork
from spbe_inventory.db import utcnow
from spbe_inventory.history.models import CauseKind
from spbe_inventory.history.service import Cause, ChangeLog
from spbe_inventory.ingest.handlers import declaration_of

from . import repository as repo
from .models import ImportStatus, RowAction
from .upload import EXPIRES_AFTER, clean_filename

PAYLOADS: dict[RegisterKind, type[AssetDeclared] | type[ApplicationDeclared]] = {
    RegisterKind.ASSETS: AssetDeclared,
    RegisterKind.APPLICATIONS: ApplicationDeclared,
}
LINKS = {RegisterKind.ASSETS: "/katalog/aset/{}", RegisterKind.APPLICATIONS: "/katalog/aplikasi/{}"}
# The template's column and the words of each identity rule (assets/identity.py), for errors.
IDENTITY_WORDS = {
    "mac": ("MAC", "MAC"),
    "serial": ("Nomor Seri", "nomor seri"),
    "asset_code": ("Kode Barang", "kode barang"),
    "address": ("Alamat IP", "alamat IP"),
    "address+hostname": ("Alamat IP", "alamat IP"),
    "opd+name": ("Nama Aset", "nama (tanpa MAC, nomor seri, kode barang dan alamat IP)"),
}


class ImportRefused(ValueError):
    """The commit is refused; the message (Bahasa Indonesia) says why. Nothing was written."""


class DryRunMissing(ImportRefused):
    """The save did not say which dry run it confirms (no `uji_coba`): a form of no dry run."""


@dataclass
class RowReport:
    row: int
    name: str = ""
    action: RowAction = RowAction.UNCHANGED
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (column, message): to check
    lifecycle: Lifecycle | None = None  # as declared by the row (e.g. retired: "Dihapuskan")
    link: str | None = None
    # what the row would store: (field, value before, value after); a new record has no before
    values: list[tuple[str, Any, Any]] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, message))
        self.action = RowAction.ERROR


@dataclass
class Report:
    kind: RegisterKind
    rows: list[RowReport]
    # problems of the whole file, of no one row (another sheet holding rows, no data rows):
    # (column, message); any of them stops the commit
    problems: list[tuple[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = Counter(r.action.value for r in self.rows)
        return {a.value: found.get(a.value, 0) for a in RowAction}

    def fingerprint(self) -> str:
        """A hash of what the dry run shows: each row's outcome, messages and values, and the
        file's problems. The save form carries it, so a save confirms the dry run it followed."""
        shown = {
            "kind": self.kind.value,
            "problems": self.problems,
            "rows": [
                [r.row, r.name, r.action.value, r.errors, r.warnings, r.lifecycle, r.values]
                for r in self.rows
            ],
        }
        text = json.dumps(shown, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def importable(self) -> bool:
        return (
            bool(self.rows)
            and not self.problems
            and all(r.action is not RowAction.ERROR for r in self.rows)
        )


CAUSE_LENGTH = 128  # a history row's cause


def is_expired(record: dict[str, Any], now: datetime | None = None) -> bool:
    return bool((now or utcnow()) - record["created_at"] > EXPIRES_AFTER)


def cause_of(record: dict[str, Any]) -> Cause:
    """History names the file and the account: "impor <filename> oleh <account>"."""
    by = f" oleh {record['account']}"  # the account is kept whole: a long name is cut instead
    name = clean_filename(record["filename"], CAUSE_LENGTH - len("impor ") - len(by))
    return Cause(CauseKind.REQUEST, f"impor {name}{by}"[:CAUSE_LENGTH], utcnow(), record["account"])


# --- report and commit --------------------------------------------------------------------------
def report(conn: Connection, principal: Principal, record: dict[str, Any]) -> Report:
    """What committing would do now, row by row (nothing is written)."""
    return _walk(conn, principal, record, apply=False)


def commit(conn: Connection, principal: Principal, record: dict[str, Any], dry_run: str) -> Report:
    """Apply every row in the caller's write transaction, if the dry run recomputed here is the
    one the operator read (`dry_run`: its fingerprint); ImportRefused writes nothing."""
    if record["status"] != ImportStatus.PENDING.value:
        raise ImportRefused("impor ini sudah disimpan; satu berkas hanya disimpan sekali")
    if is_expired(record):
        raise ImportRefused("impor ini sudah kedaluwarsa; unggah berkasnya lagi")
    if not dry_run:
        raise DryRunMissing(
            "permintaan simpan tidak membawa hasil uji coba yang Anda baca; periksa hasil uji"
            " coba di bawah, lalu tekan Simpan ke katalog"
        )
    lock_asset_identities(conn)  # before any read of assets, as every asset writer does
    checked = _walk(conn, principal, record, apply=False)
    if checked.problems:
        raise ImportRefused("ada masalah pada berkas; tidak ada yang disimpan")
    if not checked.importable:
        errors = sum(1 for r in checked.rows if r.action is RowAction.ERROR)
        raise ImportRefused(f"{errors} baris bermasalah; tidak ada yang disimpan")
    if checked.fingerprint() != dry_run:  # the catalogue changed since the page was read
        raise ImportRefused(
            "data katalog berubah sejak uji coba; hasil uji coba di bawah sudah diperbarui,"
            " periksa lagi, lalu tekan Simpan ke katalog"
        )
    done = _walk(conn, principal, record, apply=True)
    if not done.importable:  # cannot differ from the check above; if it did, roll back
        raise ImportRefused("katalog berubah saat penyimpanan; tidak ada yang disimpan")
    result = {"counts": done.counts(), "rows": [_result_row(r) for r in done.rows]}
    if not repo.mark_committed(conn, record["id"], result, utcnow()):
        raise ImportRefused("impor ini sudah disimpan; satu berkas hanya disimpan sekali")
    return done


def _result_row(row: RowReport) -> dict[str, Any]:
    return {"row": row.row, "name": row.name, "action": row.action.value, "link": row.link}


def _walk(conn: Connection, principal: Principal, record: dict[str, Any], apply: bool) -> Report:
    kind = RegisterKind(record["kind"])
    reports: dict[int, RowReport] = {}
    problems: list[tuple[str, str]] = []
    names = record["parsed"].get("names", {})  # stored since the report named refused rows
    for error in record["parsed"]["errors"]:
        if error["row"] is None:  # of the whole file: shown above the rows, never as a row
            problems.append((error["column"], error["message"]))
            continue
        row = reports.setdefault(error["row"], RowReport(error["row"]))
        row.name = row.name or names.get(str(error["row"]), "")
        row.error(error["column"], error["message"])
    for warning in record["parsed"].get("warnings", []):  # stored since rows carry warnings
        row = reports.setdefault(warning["row"], RowReport(warning["row"]))
        row.name = row.name or names.get(str(warning["row"]), "")
        row.warnings.append((warning["column"], warning["message"]))
    payload = PAYLOADS[kind]
    rows = []
    for item in record["parsed"]["rows"]:
        data = payload.model_validate(item["data"])
        row = reports.setdefault(item["row"], RowReport(item["row"]))
        row.name = data.name or ""
        row.lifecycle = data.lifecycle if isinstance(data, AssetDeclared) else None
        _check_opd(row, data.opd, record["opd_code"], principal)
        rows.append((row, data))
    cause = cause_of(record)
    columns = _columns(record["parsed"])
    if kind is RegisterKind.ASSETS:
        _assets(conn, principal, record["opd_code"], rows, cause, apply, columns)
    else:
        _applications(conn, rows, cause, apply, columns)
    return Report(kind, sorted(reports.values(), key=lambda r: r.row), problems)


Columns = list[tuple[str, str]]  # (header in the file, the payload field it fills)


def _columns(parsed: dict[str, Any]) -> Columns:
    """The file's columns that fill a field (the OPD is the form's, never a cell's)."""
    return [
        (c["header"], c["field"])
        for c in parsed.get("columns", [])
        if c.get("field") and c["field"] != "opd_code"
    ]


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _warn_empty_cells(
    row: RowReport,
    columns: Columns,
    data: Any,
    stored: dict[str, Any],
    defaults: dict[str, Any] | None = None,
) -> None:
    """A row of a known record whose cells are empty where the record holds a value (not a
    default nobody wrote): an empty cell never clears a stored value, and the dry run says so,
    naming the columns."""
    defaults = defaults or {}
    empty = [
        header
        for header, name in columns
        if _empty(getattr(data, name, None))
        and not _empty(stored.get(name))
        and stored.get(name) != defaults.get(name)
    ]
    if empty:
        row.warnings.append(
            ("", "Sel kosong tidak mengubah data: " + ", ".join(dict.fromkeys(empty)))
        )


def _check_opd(row: RowReport, opd: str | None, chosen: str, principal: Principal) -> None:
    if opd != chosen:
        row.error(
            "Kode OPD", f"baris ini untuk OPD {opd or '-'}, bukan OPD yang dipilih ({chosen})"
        )
    elif not principal.may_write(opd):
        row.error("Kode OPD", f"akun Anda tidak boleh mengubah data OPD {opd}")


# --- assets -------------------------------------------------------------------------------------
def _assets(
    conn: Connection,
    principal: Principal,
    opd: str,
    rows: list[tuple[RowReport, Any]],
    cause: Cause,
    apply: bool,
    columns: Columns,
) -> None:
    uow = AssetUnitOfWork(conn, ChangeLog())
    declarations = [(row, data, declaration_of(data, cause)) for row, data in rows]
    uow.load(d.identity for _, _, d in declarations)
    declared_by: dict[int, int] = {}  # id(state) -> the sheet row that declared it
    targets: list[tuple[RowReport, AssetState]] = []
    for row, data, decl in declarations:
        found, rule = uow.index.resolve(decl.identity)
        _check_identity(uow.index, decl.identity, row, found)
        if found is not None:
            _check_owner(conn, principal, opd, row, found, rule, declared_by)
        if row.action is RowAction.ERROR:
            continue
        before = len(uow.changes.pending)
        state = uow.declare(decl)
        declared_by[id(state)] = row.row
        changed = len(uow.changes.pending) > before
        row.action = _asset_action(state, changed)
        if changed:
            change = uow.changes.pending[-1]
            row.values = _values(change.before, change.after or {}, DEFAULTS)
        if not state.is_new:  # an empty cell left the stored value as it was
            _warn_empty_cells(row, columns, data, state.row, DEFAULTS)
        targets.append((row, state))
    _warn_same_name(conn, opd, targets)
    if apply:
        uow.flush()
        for row, state in targets:
            row.link = LINKS[RegisterKind.ASSETS].format(state.id)


def _warn_same_name(
    conn: Connection, opd: str, targets: list[tuple[RowReport, AssetState]]
) -> None:
    """A new asset named as one the OPD declared by its name alone is likely that asset: the
    row makes a second one (a MAC, serial or code may tell two things of one name apart), so
    the dry run asks to check it, naming the asset to complete instead."""
    new = [(row, state) for row, state in targets if row.action is RowAction.CREATE]
    named = assets_repo.known_by_name_only(
        conn, opd, (state.row["name"] for _, state in new if state.row.get("name"))
    )
    for row, state in new:
        same = named.get((state.row.get("name") or "").lower())
        if same is not None:
            row.warnings.append((
                "Nama Aset",
                f"nama sama dengan aset {same} yang tercatat tanpa MAC, nomor seri, kode barang"
                f" dan alamat IP; jika barang yang sama, lengkapi aset {same} lewat halaman"
                " ubahnya dan hapus baris ini, agar tidak tercatat dua kali",
            ))  # fmt: skip


def _asset_action(state: AssetState, changed: bool) -> RowAction:
    if state.is_new:
        return RowAction.CREATE
    return RowAction.UPDATE if changed else RowAction.UNCHANGED


def _check_identity(
    index: IdentityIndex, ident: Identity, row: RowReport, found: AssetState | None
) -> None:
    """A row must name something a later import finds again; its asset code is one asset's."""
    if not ident.identifies:
        row.error("Nama Aset", "isi MAC, nomor seri, kode barang, alamat IP atau nama aset")
    elif index.code_taken(ident, found) is not None:
        row.error(
            "Kode Barang",
            "kode barang ini sudah dipakai aset lain OPD ini (MAC atau nomor seri berbeda);"
            " satu kode barang/nomor register untuk satu barang",
        )


def _check_owner(
    conn: Connection,
    principal: Principal,
    opd: str,
    row: RowReport,
    found: AssetState,
    rule: str,
    declared_by: dict[int, int],
) -> None:
    """A row that identifies a catalogued asset changes it: only an asset of the chosen OPD."""
    column, words = IDENTITY_WORDS.get(rule, ("MAC", "MAC, nomor seri atau alamat IP"))
    if id(found) in declared_by:
        row.error(column, f"{words} sama dengan baris {declared_by[id(found)]}")
        return
    if found.id is None:
        return
    current = assets_repo.visible(conn, principal, found.id)
    if current is None or current["opd_code"] != opd:
        row.error(column, f"{words} ini sudah tercatat pada aset OPD lain")


def _values(
    before: dict[str, Any] | None, after: dict[str, Any], defaults: dict[str, Any] | None = None
) -> list[tuple[str, Any, Any]]:
    """(field, before, after) of what a row stores: the values of a new record (but defaults
    nobody wrote), the values that change of a known one (the OPD and bookkeeping left out: the
    page shows those)."""
    shown: list[tuple[str, Any, Any]] = []
    for name, value in after.items():
        if name in NOT_SHOWN or value in (None, "", [], {}):
            continue
        if before is None and defaults and defaults.get(name) == value:
            continue
        if before is None:
            shown.append((name, None, value))
        elif before.get(name) != value:  # "" for a value a known record did not have yet
            shown.append((name, "" if before.get(name) is None else before[name], value))
    return shown


NOT_SHOWN = frozenset({"opd_code", "opd", "declared_by", "services", "addresses"})


# --- applications -------------------------------------------------------------------------------
def _applications(
    conn: Connection,
    rows: list[tuple[RowReport, Any]],
    cause: Cause,
    apply: bool,
    columns: Columns,
) -> None:
    valid = [(row, data) for row, data in rows if row.action is not RowAction.ERROR]
    existing = {
        (r["opd_code"], r["name"]): r
        for r in applications_repo.by_keys(conn, [(d.opd, d.name) for _, d in valid])
    }
    changes = ChangeLog()
    for row, data in valid:
        fields = applications.declared_fields(data)
        current = existing.get((data.opd, data.name))
        if current is None:
            row.action = RowAction.CREATE
        else:
            _warn_empty_cells(row, columns, data, current)
            if any(current.get(k) != v for k, v in fields.items()):
                row.action = RowAction.UPDATE
        row.values = _values(current, fields)
        if apply:
            app_id = applications.declare(conn, changes, fields, cause)
            row.link = LINKS[RegisterKind.APPLICATIONS].format(app_id)
    if apply:
        changes.flush(conn)
