"""The expectation table of the authorisation matrix (test_authorization_matrix.py).

Written from issue 9 (who may do what), not from the services' `POLICY`: for every operation of
both APIs, the roles that may call it, whether its records belong to an OPD (so an operator, or a
viewer limited to some OPD, sees and changes only those), and the smallest valid request a
permitted caller's call would succeed with. An operation of an OpenAPI document that is missing
here fails the matrix, so a new route cannot slip past it.

Judgement calls (issue 9 leaves them open; the lead may change them here):
- the OPD directory (list and detail) is reference data every reader and the collector reads; only
  an admin (Aptika) creates or changes an OPD entry (its name, kind and aliases steer imports and
  scores); the history of an OPD entry is part of that directory, read by every reader;
- facilities (data centres, server rooms) are shared infrastructure that every reader may see, so
  an operator can name the Pemda data centre; creating one is scoped by its owner OPD;
- the evaluation profile and the scorer's runs and assessments are regency-wide: no OPD scope;
- raw rejected events may hold any OPD's data: admin only;
- `/metrics` is public, as Prometheus scrapes it, and holds counts per OPD code and the scan
  scopes' keys (configuration), never a record; the README's proxy example keeps it off the
  public side.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import openpyxl

from spbe_common.auth import Role
from spbe_common.registers import COLUMNS, RegisterKind

A, B = "ZQA", "ZQB"  # the two OPD of the seeded catalogue
MARK = {A: "alfamark", B: "betamark"}  # in every text field of that OPD's records

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def asesor_workbook() -> bytes:
    """The external assessors' levels as the import reads them."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Indikator", "Nilai", "Catatan"])
    sheet.append(["1", 2, "uji matriks"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# What a request template may use: the ids of the target OPD's records and a unique suffix.
Ids = dict[str, Any]
Build = Callable[[Ids, str], Any]


class Scope(Enum):
    OPD = "records of one OPD"  # scoped callers see and change only their OPD's
    ALL = "regency-wide"  # no OPD scope
    PUBLIC = "no credentials needed"
    SIGNED_IN = "any account"
    OWN = "the caller's own record"  # an import: only the account that uploaded it (the admin)


ADMIN, OPERATOR, EVALUATOR, VIEWER = Role.ADMIN, Role.OPD_OPERATOR, Role.EVALUATOR, Role.VIEWER
READERS = frozenset({ADMIN, OPERATOR, EVALUATOR, VIEWER})
DIRECTORY_READERS = READERS | {Role.COLLECTOR}
CATALOGUE_WRITERS = frozenset({ADMIN, OPERATOR})
EVALUATION_WRITERS = frozenset({ADMIN, EVALUATOR})
SCORE_READERS = READERS | {Role.SCORER}
WORKSHEET_READERS = frozenset({ADMIN, EVALUATOR, VIEWER})  # no operator: no worksheet at all
EVIDENCE_READERS = frozenset({ADMIN, EVALUATOR})  # bukti dukung files: not a viewer
PERIOD_MANAGERS = frozenset({ADMIN})
ACCOUNT_MANAGERS = frozenset({ADMIN})
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    scope: Scope
    body: Build | None = None
    query: Build | None = None
    headers: dict[str, str] = field(default_factory=dict)
    form: Build | None = None  # a web page's form fields
    files: Build | None = None  # a web page's uploaded files
    seeded: bool = True  # an admin's list shows a mark of B (False: a page that shows codes only)
    ids: dict[str, Any] = field(default_factory=dict)  # path ids of this route only
    aggregates: bool = False  # the answer holds counts per OPD and scope keys, never a record


def public() -> Rule:
    return Rule(EVERYONE, Scope.PUBLIC)


def _reader(scope: Scope = Scope.OPD, roles: frozenset[Role] = READERS) -> Rule:
    return Rule(roles, scope)


def _m(ids: Ids) -> str:
    return str(MARK[ids["code"]])


INVENTORY: dict[tuple[str, str], Rule] = {
    ("GET", "/healthz"): public(),
    ("GET", "/readyz"): public(),
    ("GET", "/metrics"): Rule(EVERYONE, Scope.PUBLIC, aggregates=True),
    # development (the test app): the description is public; outside it needs a sign-in
    ("GET", "/openapi.json"): public(),
    ("GET", "/docs"): public(),
    ("GET", "/redoc"): public(),
    ("POST", "/api/v1/auth/login"): Rule(
        EVERYONE, Scope.PUBLIC, body=lambda ids, u: {"name": "zq-login", "password": ids["pw"]}
    ),
    ("POST", "/api/v1/auth/logout"): Rule(EVERYONE, Scope.SIGNED_IN),
    ("GET", "/api/v1/auth/me"): Rule(EVERYONE, Scope.SIGNED_IN),
    ("GET", "/api/v1/accounts"): Rule(
        frozenset({ADMIN}), Scope.ALL, query=lambda ids, u: {"name": "evaluator"}, seeded=False
    ),
    ("GET", "/api/v1/opd"): _reader(Scope.ALL, DIRECTORY_READERS),
    ("POST", "/api/v1/opd"): Rule(
        frozenset({ADMIN}), Scope.ALL, body=lambda ids, u: {"code": f"ZQN{u}", "name": "Dinas Baru"}
    ),
    ("GET", "/api/v1/opd/{code}"): _reader(Scope.ALL, DIRECTORY_READERS),
    ("PATCH", "/api/v1/opd/{code}"): Rule(
        frozenset({ADMIN}), Scope.ALL, body=lambda ids, u: {"aliases": [f"{_m(ids)} {u}"]}
    ),
    ("GET", "/api/v1/opd/{code}/history"): _reader(Scope.ALL),  # the directory's own changes
    ("GET", "/api/v1/assets"): _reader(),
    ("POST", "/api/v1/assets"): Rule(
        CATALOGUE_WRITERS,
        Scope.OPD,
        body=lambda ids, u: {
            "name": f"{_m(ids)} server {u}",
            "kind": "server",
            "opd_code": ids["code"],
            "hostname": f"new{u}.{_m(ids)}.test",
            "serial": f"{_m(ids)}-sn-{u}",
            "facility_id": ids["facility_id"],
        },
    ),
    ("GET", "/api/v1/assets/{asset_id}"): _reader(),
    ("PATCH", "/api/v1/assets/{asset_id}"): Rule(
        CATALOGUE_WRITERS, Scope.OPD, body=lambda ids, u: {"location": f"{_m(ids)} ruang {u}"}
    ),
    ("GET", "/api/v1/assets/{asset_id}/history"): _reader(),
    ("GET", "/api/v1/services"): _reader(),
    ("GET", "/api/v1/applications"): _reader(),
    ("POST", "/api/v1/applications"): Rule(
        CATALOGUE_WRITERS,
        Scope.OPD,
        body=lambda ids, u: {
            "name": f"{_m(ids)} aplikasi {u}",
            "opd_code": ids["code"],
            "asset_ids": [ids["asset_id"]],
        },
    ),
    ("GET", "/api/v1/applications/{app_id}"): _reader(),
    ("PATCH", "/api/v1/applications/{app_id}"): Rule(
        CATALOGUE_WRITERS, Scope.OPD, body=lambda ids, u: {"description": f"{_m(ids)} {u}"}
    ),
    ("GET", "/api/v1/applications/{app_id}/history"): _reader(),
    ("GET", "/api/v1/facilities"): _reader(Scope.ALL),
    ("POST", "/api/v1/facilities"): Rule(
        CATALOGUE_WRITERS,
        Scope.OPD,
        body=lambda ids, u: {"name": f"{_m(ids)} ruang server {u}", "owner_opd_code": ids["code"]},
    ),
    ("GET", "/api/v1/facilities/{facility_id}"): _reader(Scope.ALL),
    # changing a facility is scoped by its owner OPD: another OPD's answers 404, as an asset's
    ("PATCH", "/api/v1/facilities/{facility_id}"): Rule(
        CATALOGUE_WRITERS, Scope.OPD, body=lambda ids, u: {"operator": f"{_m(ids)} pengelola {u}"}
    ),
    ("GET", "/api/v1/facilities/{facility_id}/history"): _reader(Scope.ALL),
    ("GET", "/api/v1/network-links"): _reader(),
    ("POST", "/api/v1/network-links"): Rule(
        CATALOGUE_WRITERS,
        Scope.OPD,
        body=lambda ids, u: {"opd_code": ids["code"], "site": f"{_m(ids)} site {u}"},
    ),
    ("GET", "/api/v1/network-links/{link_id}"): _reader(),
    ("PATCH", "/api/v1/network-links/{link_id}"): Rule(
        CATALOGUE_WRITERS, Scope.OPD, body=lambda ids, u: {"owner": f"{_m(ids)} pemilik {u}"}
    ),
    ("GET", "/api/v1/network-links/{link_id}/history"): _reader(),
    ("GET", "/api/v1/scans"): _reader(),
    ("GET", "/api/v1/rejected-events"): _reader(Scope.ALL, frozenset({ADMIN})),
    ("GET", "/api/v1/evaluation/audits"): _reader(),
    ("POST", "/api/v1/evaluation/audits"): Rule(
        EVALUATION_WRITERS,
        Scope.OPD,
        body=lambda ids, u: {
            "opd_code": ids["code"],
            "kind": "security",
            "audited_on": "2026-02-01",
            "scope": f"{_m(ids)} audit {u}",
        },
    ),
    ("PATCH", "/api/v1/evaluation/audits/{audit_id}"): Rule(
        EVALUATION_WRITERS, Scope.OPD, body=lambda ids, u: {"scope": f"{_m(ids)} ubah {u}"}
    ),
    ("GET", "/api/v1/evaluation/audits/{audit_id}/history"): _reader(),
    ("GET", "/api/v1/evaluation/reviews"): _reader(),
    ("POST", "/api/v1/evaluation/reviews"): Rule(
        EVALUATION_WRITERS,
        Scope.OPD,
        body=lambda ids, u: {
            "opd_code": ids["code"],
            "subject": "intra_network",
            "reviewed_on": "2026-02-01",
            "summary": f"{_m(ids)} reviu {u}",
        },
    ),
    ("PATCH", "/api/v1/evaluation/reviews/{review_id}"): Rule(
        EVALUATION_WRITERS, Scope.OPD, body=lambda ids, u: {"summary": f"{_m(ids)} ubah {u}"}
    ),
    ("GET", "/api/v1/evaluation/reviews/{review_id}/history"): _reader(),
    ("GET", "/api/v1/evaluation/service-buses"): _reader(),
    ("POST", "/api/v1/evaluation/service-buses"): Rule(
        EVALUATION_WRITERS,
        Scope.OPD,
        body=lambda ids, u: {
            "name": f"{_m(ids)} bus {u}",
            "opd_code": ids["code"],
            "application_ids": [ids["app_id"]],
        },
    ),
    ("PATCH", "/api/v1/evaluation/service-buses/{bus_id}"): Rule(
        EVALUATION_WRITERS, Scope.OPD, body=lambda ids, u: {"apis": [f"{_m(ids)}-api-{u}"]}
    ),
    ("GET", "/api/v1/evaluation/service-buses/{bus_id}/history"): _reader(),
    ("GET", "/api/v1/evaluation/application-practices"): _reader(),
    ("GET", "/api/v1/evaluation/application-practices/{app_id}"): _reader(),
    ("PUT", "/api/v1/evaluation/application-practices/{app_id}"): Rule(
        EVALUATION_WRITERS,
        Scope.OPD,
        body=lambda ids, u: {"consulted_with_ict_opd": True, "listed_in_portal": True},
    ),
    ("GET", "/api/v1/evaluation/application-practices/{app_id}/history"): _reader(),
    ("GET", "/api/v1/evaluation/facility-uses"): _reader(),
    ("POST", "/api/v1/evaluation/facility-uses"): Rule(
        EVALUATION_WRITERS,
        Scope.OPD,
        body=lambda ids, u: {
            "facility_id": ids["shared_facility_id"],
            "opd_code": ids["code"],
            "note": f"{_m(ids)} pakai {u}",
        },
    ),
    ("DELETE", "/api/v1/evaluation/facility-uses/{use_id}"): Rule(EVALUATION_WRITERS, Scope.OPD),
    ("GET", "/api/v1/evaluation/profile"): _reader(Scope.ALL),
    ("PUT", "/api/v1/evaluation/profile"): Rule(
        EVALUATION_WRITERS, Scope.ALL, body=lambda ids, u: {"asset_programme": True}
    ),
    ("GET", "/api/v1/evaluation/profile/history"): _reader(Scope.ALL),
    ("GET", "/api/v1/catalogue/snapshot"): Rule(
        frozenset({ADMIN, EVALUATOR, Role.SCORER}), Scope.ALL
    ),
    # the review queue: an OPD's scanned, undeclared hosts (issue 11)
    ("GET", "/api/v1/review"): _reader(),
    ("GET", "/api/v1/review/counts"): _reader(),
    ("POST", "/api/v1/review/{discovery_id}/accept"): Rule(
        CATALOGUE_WRITERS,
        Scope.OPD,
        body=lambda ids, u: {"name": f"{_m(ids)} temuan {u}", "kind": "server"},
    ),
    ("POST", "/api/v1/review/{discovery_id}/merge"): Rule(
        CATALOGUE_WRITERS, Scope.OPD, body=lambda ids, u: {"into": ids["asset_id"]}
    ),
    ("POST", "/api/v1/review/{discovery_id}/ignore"): Rule(
        CATALOGUE_WRITERS, Scope.OPD, body=lambda ids, u: {"reason": f"{_m(ids)} abaikan {u}"}
    ),
    ("POST", "/api/v1/review/{merged_id}/unmerge"): Rule(CATALOGUE_WRITERS, Scope.OPD),
}

# --- web pages (issue 10): the same rights as the API they show; a page answers a visitor
# without valid credentials with a redirect to /masuk (the matrix checks that instead of 401).
CATALOGUE_READERS = READERS


def _csv(ids: Ids, u: str) -> dict[str, str]:
    return {"format": "csv"}  # text, so the export is searched for other OPD's data too


def register(code: str, u: str) -> bytes:
    """An asset register of one row of OPD `code`, with the template's headers."""
    headers = [c.header for c in COLUMNS[RegisterKind.ASSETS]]
    cells = {"Nama Aset": f"{MARK[code]} impor {u}", "Kode OPD": code, "Jenis Aset": "server",
             "Nomor Seri": f"{MARK[code]}-impor-{u}"}  # fmt: skip
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    sheet.append([cells.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def dry_run_of(page: str) -> str:
    """The `uji_coba` of an import's dry-run page: the save form sends it back."""
    found = re.search(r'name="uji_coba" value="([0-9a-f]{64})"', page)
    assert found, "the dry-run page has no save form carrying uji_coba"
    return found.group(1)


def _register(ids: Ids, u: str) -> dict[str, Any]:
    return {"berkas": ("aset.xlsx", register(ids["code"], u), XLSX)}


INVENTORY.update(
    {
        ("GET", "/"): public(),
        ("GET", "/login"): public(),
        ("GET", "/dashboard"): public(),
        ("GET", "/masuk"): public(),
        ("POST", "/masuk"): Rule(
            EVERYONE, Scope.PUBLIC, form=lambda ids, u: {"name": "zq-login", "password": ids["pw"]}
        ),
        ("POST", "/keluar"): Rule(EVERYONE, Scope.SIGNED_IN),
        ("GET", "/beranda"): Rule(EVERYONE, Scope.OPD, seeded=False),
        ("GET", "/kejadian-ditolak"): _reader(Scope.ALL, frozenset({ADMIN})),
        ("GET", "/katalog/aset"): _reader(),
        ("GET", "/katalog/aset/ekspor"): Rule(READERS, Scope.OPD, query=_csv),
        ("GET", "/katalog/layanan"): _reader(),
        ("GET", "/katalog/layanan/ekspor"): Rule(READERS, Scope.OPD, query=_csv),
        ("GET", "/katalog/aplikasi"): _reader(),
        ("GET", "/katalog/aplikasi/ekspor"): Rule(READERS, Scope.OPD, query=_csv),
        ("GET", "/katalog/opd"): _reader(Scope.ALL, DIRECTORY_READERS),
        ("GET", "/katalog/opd/ekspor"): Rule(DIRECTORY_READERS, Scope.ALL, query=_csv),
        ("GET", "/katalog/opd/{code}"): _reader(Scope.ALL, DIRECTORY_READERS),
        ("GET", "/katalog/fasilitas"): _reader(Scope.ALL),
        ("GET", "/katalog/fasilitas/ekspor"): Rule(READERS, Scope.ALL, query=_csv),
        ("GET", "/katalog/fasilitas/{facility_id}"): _reader(Scope.ALL),
        ("GET", "/katalog/jaringan"): _reader(),
        ("GET", "/katalog/jaringan/{link_id}"): _reader(),
        ("GET", "/katalog/jaringan/ekspor"): Rule(READERS, Scope.OPD, query=_csv),
        ("GET", "/katalog/aset/{asset_id}"): _reader(),
        ("GET", "/katalog/aplikasi/{app_id}"): _reader(),
        ("GET", "/katalog/aset/baru"): Rule(CATALOGUE_WRITERS, Scope.OPD),
        ("POST", "/katalog/aset/baru"): Rule(
            CATALOGUE_WRITERS,
            Scope.OPD,
            form=lambda ids, u: {
                "name": f"{_m(ids)} server {u}",
                "kind": "server",
                "lifecycle": "active",
                "opd_code": ids["code"],
                "serial": f"{_m(ids)}-web-{u}",
            },
        ),
        ("GET", "/katalog/aset/{asset_id}/ubah"): Rule(CATALOGUE_WRITERS, Scope.OPD),
        ("POST", "/katalog/aset/{asset_id}/ubah"): Rule(
            CATALOGUE_WRITERS,
            Scope.OPD,
            form=lambda ids, u: {
                "if_match": ids["asset_etag"],
                "name": f"{_m(ids)} server",
                "kind": "server",
                "lifecycle": "active",
                "opd_code": ids["code"],
                "location": f"{_m(ids)} ruang {u}",
            },
        ),
        ("GET", "/katalog/aplikasi/baru"): Rule(CATALOGUE_WRITERS, Scope.OPD),
        ("POST", "/katalog/aplikasi/baru"): Rule(
            CATALOGUE_WRITERS,
            Scope.OPD,
            form=lambda ids, u: {
                "name": f"{_m(ids)} aplikasi {u}",
                "opd_code": ids["code"],
                "kind": "special",
                "platform": "web",
                "status": "active",
            },
        ),
        ("GET", "/katalog/aplikasi/{app_id}/ubah"): Rule(CATALOGUE_WRITERS, Scope.OPD),
        ("POST", "/katalog/aplikasi/{app_id}/ubah"): Rule(
            CATALOGUE_WRITERS,
            Scope.OPD,
            form=lambda ids, u: {
                "if_match": ids["app_etag"],
                "kind": "special",
                "platform": "web",
                "status": "active",
                "description": f"{_m(ids)} {u}",
            },
        ),
        ("GET", "/katalog/fasilitas/baru"): Rule(CATALOGUE_WRITERS, Scope.OPD),
        ("POST", "/katalog/fasilitas/baru"): Rule(
            CATALOGUE_WRITERS,
            Scope.OPD,
            form=lambda ids, u: {
                "name": f"{_m(ids)} ruang server {u}",
                "kind": "opd_server_room",
                "owner_opd_code": ids["code"],
            },
        ),
        ("GET", "/katalog/fasilitas/{facility_id}/ubah"): Rule(CATALOGUE_WRITERS, Scope.OPD),
        ("POST", "/katalog/fasilitas/{facility_id}/ubah"): Rule(
            CATALOGUE_WRITERS,
            Scope.OPD,
            form=lambda ids, u: {
                "if_match": ids["facility_etag"],
                "kind": "pusat_data_pemda",
                "owner_opd_code": ids["code"],
                "operator": f"{_m(ids)} pengelola {u}",
            },
        ),
        ("GET", "/katalog/jaringan/baru"): Rule(CATALOGUE_WRITERS, Scope.OPD),
        ("POST", "/katalog/jaringan/baru"): Rule(
            CATALOGUE_WRITERS,
            Scope.OPD,
            form=lambda ids, u: {"opd_code": ids["code"], "site": f"{_m(ids)} site {u}"},
        ),
        ("GET", "/katalog/jaringan/{link_id}/ubah"): Rule(CATALOGUE_WRITERS, Scope.OPD),
        ("POST", "/katalog/jaringan/{link_id}/ubah"): Rule(
            CATALOGUE_WRITERS,
            Scope.OPD,
            form=lambda ids, u: {
                "if_match": ids["link_etag"],
                "opd_code": ids["code"],
                "site": f"{_m(ids)} kantor",
                "media": "fibre",
                "on_intra_network": "1",
                "owner": f"{_m(ids)} pemilik {u}",
            },
        ),
        ("GET", "/impor"): Rule(CATALOGUE_WRITERS, Scope.OPD),
        ("POST", "/impor"): Rule(
            CATALOGUE_WRITERS, Scope.OPD, form=lambda ids, u: {"opd": ids["code"]}, files=_register
        ),
        ("GET", "/impor/{import_id}"): Rule(CATALOGUE_WRITERS, Scope.OWN),
        ("POST", "/impor/{import_id}/simpan"): Rule(
            CATALOGUE_WRITERS, Scope.OWN, form=lambda ids, u: {"uji_coba": ids["uji_coba"]}
        ),
        ("GET", "/pemindaian"): _reader(),
        ("POST", "/pemindaian/mulai"): Rule(
            CATALOGUE_WRITERS, Scope.OPD, form=lambda ids, u: {"scope": ids["scope"]}
        ),
        ("GET", "/pemindaian/{scan_id}"): _reader(),
        ("GET", "/penilaian"): _reader(Scope.ALL, SCORE_READERS),
        ("GET", "/penilaian/ringkasan"): _reader(Scope.ALL, SCORE_READERS),
        ("GET", "/penilaian/banding"): Rule(
            SCORE_READERS, Scope.ALL, query=lambda ids, u: {"a": ids["run_a"], "b": ids["run_b"]}
        ),
        ("GET", "/penilaian/{run_id}"): _reader(Scope.ALL, SCORE_READERS),
        ("GET", "/penilaian/{run_id}/unduh"): _reader(Scope.ALL, SCORE_READERS),
        ("GET", "/tinjauan"): _reader(),
        ("POST", "/tinjauan/{discovery_id}/terima"): Rule(
            CATALOGUE_WRITERS,
            Scope.OPD,
            form=lambda ids, u: {"name": f"{_m(ids)} temuan {u}", "kind": "server"},
        ),
        ("POST", "/tinjauan/{discovery_id}/gabungkan"): Rule(
            CATALOGUE_WRITERS, Scope.OPD, form=lambda ids, u: {"into": str(ids["asset_id"])}
        ),
        ("POST", "/tinjauan/{discovery_id}/abaikan"): Rule(
            CATALOGUE_WRITERS, Scope.OPD, form=lambda ids, u: {"reason": f"{_m(ids)} abaikan {u}"}
        ),
        ("POST", "/tinjauan/{merged_id}/batalkan-penggabungan"): Rule(CATALOGUE_WRITERS, Scope.OPD),
        # Pengaturan > Akun: admins only. {name} is the seeded operator of A "zq-akun" (with a
        # password), {token_id} its live token; the pages show OPD codes, never a record.
        ("GET", "/pengaturan/akun"): Rule(ACCOUNT_MANAGERS, Scope.ALL, seeded=False),
        ("GET", "/pengaturan/akun/baru"): Rule(ACCOUNT_MANAGERS, Scope.ALL),
        ("POST", "/pengaturan/akun/baru"): Rule(
            ACCOUNT_MANAGERS,
            Scope.ALL,
            form=lambda ids, u: {"nama": f"zq-baru-{u}", "peran": "opd_operator", "opd": [A]},
        ),
        ("GET", "/pengaturan/akun/{name}"): Rule(ACCOUNT_MANAGERS, Scope.ALL),
        ("POST", "/pengaturan/akun/{name}/nonaktifkan"): Rule(ACCOUNT_MANAGERS, Scope.ALL),
        ("POST", "/pengaturan/akun/{name}/aktifkan"): Rule(ACCOUNT_MANAGERS, Scope.ALL),
        ("POST", "/pengaturan/akun/{name}/reset-sandi"): Rule(ACCOUNT_MANAGERS, Scope.ALL),
        ("POST", "/pengaturan/akun/{name}/token"): Rule(
            ACCOUNT_MANAGERS, Scope.ALL, form=lambda ids, u: {"hari": "30"}
        ),
        ("POST", "/pengaturan/akun/{name}/token/{token_id}/cabut"): Rule(
            ACCOUNT_MANAGERS, Scope.ALL
        ),
        # The evaluation workspace: regency-wide. The seeded period assigns the worksheets the
        # rows change to the account "evaluator" by name (the scorer checks that per worksheet).
        ("GET", "/evaluasi"): _reader(Scope.ALL, WORKSHEET_READERS),
        ("POST", "/evaluasi"): Rule(
            PERIOD_MANAGERS,
            Scope.ALL,
            form=lambda ids, u: {"tahun": "2031", "kerangka": "spbe-2020"},
        ),
        ("GET", "/evaluasi/banding"): Rule(
            WORKSHEET_READERS,
            Scope.ALL,
            query=lambda ids, u: {"dasar": ids["period_id"], "pembanding": ids["pemdi_period_id"]},
        ),
        ("GET", "/evaluasi/dokumen/{document_id}"): _reader(Scope.ALL, EVIDENCE_READERS),
        ("POST", "/evaluasi/dokumen/{document_id}/hapus"): Rule(EVALUATION_WRITERS, Scope.ALL),
        ("GET", "/evaluasi/{period_id}"): _reader(Scope.ALL, WORKSHEET_READERS),
        ("POST", "/evaluasi/{period_id}/usulan"): Rule(EVALUATION_WRITERS, Scope.ALL),
        ("POST", "/evaluasi/{period_id}/kelola"): Rule(
            PERIOD_MANAGERS,
            Scope.ALL,
            form=lambda ids, u: {"status": "open", "indeks_asesor": "1,24", "catatan_asesor": u},
        ),
        ("GET", "/evaluasi/{period_id}/opd/{code}"): _reader(Scope.ALL, WORKSHEET_READERS),
        ("GET", "/evaluasi/{period_id}/tinjauan"): _reader(Scope.ALL, WORKSHEET_READERS),
        ("GET", "/evaluasi/{period_id}/unduh"): _reader(Scope.ALL, WORKSHEET_READERS),
        ("GET", "/evaluasi/{period_id}/asesor"): Rule(PERIOD_MANAGERS, Scope.ALL),
        ("POST", "/evaluasi/{period_id}/asesor"): Rule(
            PERIOD_MANAGERS,
            Scope.ALL,
            files=lambda ids, u: {"berkas": ("asesor.xlsx", asesor_workbook(), XLSX)},
        ),
        ("GET", "/evaluasi/{period_id}/indikator/{indicator}"): _reader(
            Scope.ALL, WORKSHEET_READERS
        ),
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}"): Rule(
            EVALUATION_WRITERS,
            Scope.ALL,
            form=lambda ids, u: {"tingkat": "2", "penjelasan": f"penjelasan {u}"},
        ),
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/terima"): Rule(
            EVALUATION_WRITERS, Scope.ALL, ids={"indicator": "16"}
        ),
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/ajukan"): Rule(
            EVALUATION_WRITERS, Scope.ALL, ids={"indicator": "3"}
        ),
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/verifikasi"): Rule(
            EVALUATION_WRITERS, Scope.ALL, ids={"indicator": "2"}
        ),
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/kembalikan"): Rule(
            EVALUATION_WRITERS,
            Scope.ALL,
            ids={"indicator": "2"},
            form=lambda ids, u: {"komentar": f"lengkapi {u}"},
        ),
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/penugasan"): Rule(
            PERIOD_MANAGERS,
            Scope.ALL,
            form=lambda ids, u: {"opd": A, "akun": ""},  # an OPD of the directory
        ),
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/asesor"): Rule(
            PERIOD_MANAGERS,
            Scope.ALL,
            form=lambda ids, u: {"nilai_asesor": "2", "catatan_asesor": f"asesor {u}"},
        ),
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/dokumen"): Rule(
            EVALUATION_WRITERS,
            Scope.ALL,
            form=lambda ids, u: {"judul": f"SOP {u}"},
            files=lambda ids, u: {"berkas": ("sop.pdf", PDF, "application/pdf")},
        ),
    }
)

ASSESSMENT = {
    "framework": "spbe-2020",
    "indicator": "1",
    "level": 2,
    "justification": "uji matriks",
}
SCORER: dict[tuple[str, str], Rule] = {
    ("GET", "/healthz"): public(),
    ("GET", "/metrics"): public(),
    ("GET", "/openapi.json"): public(),
    ("GET", "/docs"): public(),
    ("GET", "/redoc"): public(),
    ("GET", "/api/v1/runs"): _reader(Scope.ALL, SCORE_READERS),
    ("POST", "/api/v1/runs"): Rule(
        EVALUATION_WRITERS, Scope.ALL, body=lambda ids, u: {"framework": "spbe-2020"}
    ),
    ("GET", "/api/v1/runs/compare"): Rule(
        SCORE_READERS, Scope.ALL, query=lambda ids, u: {"a": ids["run_a"], "b": ids["run_b"]}
    ),
    ("GET", "/api/v1/runs/{run_id}"): _reader(Scope.ALL, SCORE_READERS),
    ("GET", "/api/v1/runs/{run_id}/export.xlsx"): _reader(Scope.ALL, SCORE_READERS),
    ("GET", "/api/v1/assessments"): _reader(Scope.ALL, SCORE_READERS),
    ("POST", "/api/v1/assessments"): Rule(
        EVALUATION_WRITERS, Scope.ALL, body=lambda ids, u: {**ASSESSMENT, "indicator": "5"}
    ),
    ("GET", "/api/v1/assessments/{assessment_id}"): _reader(Scope.ALL, SCORE_READERS),
    ("GET", "/api/v1/assessments/{assessment_id}/history"): _reader(Scope.ALL, SCORE_READERS),
    ("PATCH", "/api/v1/assessments/{assessment_id}"): Rule(
        EVALUATION_WRITERS, Scope.ALL, body=lambda ids, u: {"justification": f"ubah {u}"}
    ),
    ("DELETE", "/api/v1/assessments/{assessment_id}"): Rule(EVALUATION_WRITERS, Scope.ALL),
    # The evaluation workspace (see the pages above for the seeded period).
    ("GET", "/api/v1/periods"): _reader(Scope.ALL, WORKSHEET_READERS),
    ("POST", "/api/v1/periods"): Rule(
        PERIOD_MANAGERS, Scope.ALL, body=lambda ids, u: {"year": 2031, "framework": "spbe-2020"}
    ),
    ("GET", "/api/v1/periods/compare"): Rule(
        WORKSHEET_READERS,
        Scope.ALL,
        query=lambda ids, u: {"base": ids["period_id"], "other": ids["pemdi_period_id"]},
    ),
    ("GET", "/api/v1/periods/{period_id}"): _reader(Scope.ALL, WORKSHEET_READERS),
    ("PATCH", "/api/v1/periods/{period_id}"): Rule(
        PERIOD_MANAGERS, Scope.ALL, body=lambda ids, u: {"asesor_index": "1,24"}
    ),
    ("POST", "/api/v1/periods/{period_id}/runs"): Rule(EVALUATION_WRITERS, Scope.ALL),
    ("GET", "/api/v1/periods/{period_id}/export.xlsx"): _reader(Scope.ALL, WORKSHEET_READERS),
    ("GET", "/api/v1/periods/{period_id}/documents"): _reader(Scope.ALL, WORKSHEET_READERS),
    ("PUT", "/api/v1/periods/{period_id}/asesor/{indicator}"): Rule(
        PERIOD_MANAGERS, Scope.ALL, body=lambda ids, u: {"level": 2}
    ),
    ("POST", "/api/v1/periods/{period_id}/asesor/import"): Rule(
        PERIOD_MANAGERS,
        Scope.ALL,
        files=lambda ids, u: {"file": ("asesor.xlsx", asesor_workbook(), XLSX)},
    ),
    ("GET", "/api/v1/periods/{period_id}/worksheets"): _reader(Scope.ALL, WORKSHEET_READERS),
    ("GET", "/api/v1/periods/{period_id}/worksheets/{indicator}"): _reader(
        Scope.ALL, WORKSHEET_READERS
    ),
    ("PATCH", "/api/v1/periods/{period_id}/worksheets/{indicator}"): Rule(
        EVALUATION_WRITERS,
        Scope.ALL,
        body=lambda ids, u: {"level": 2, "explanation": f"penjelasan {u}"},
    ),
    ("PUT", "/api/v1/periods/{period_id}/worksheets/{indicator}/assignment"): Rule(
        PERIOD_MANAGERS,
        Scope.ALL,
        body=lambda ids, u: {"opd": A, "accounts": [ids["evaluator_account"]]},
    ),
    ("POST", "/api/v1/periods/{period_id}/worksheets/{indicator}/accept"): Rule(
        EVALUATION_WRITERS, Scope.ALL, ids={"indicator": "16"}, body=lambda ids, u: {}
    ),
    ("POST", "/api/v1/periods/{period_id}/worksheets/{indicator}/submit"): Rule(
        EVALUATION_WRITERS, Scope.ALL, ids={"indicator": "3"}
    ),
    ("POST", "/api/v1/periods/{period_id}/worksheets/{indicator}/verify"): Rule(
        EVALUATION_WRITERS, Scope.ALL, ids={"indicator": "2"}, body=lambda ids, u: {}
    ),
    ("POST", "/api/v1/periods/{period_id}/worksheets/{indicator}/return"): Rule(
        EVALUATION_WRITERS,
        Scope.ALL,
        ids={"indicator": "2"},
        body=lambda ids, u: {"comment": f"lengkapi {u}"},
    ),
    ("GET", "/api/v1/periods/{period_id}/worksheets/{indicator}/history"): _reader(
        Scope.ALL, WORKSHEET_READERS
    ),
    ("POST", "/api/v1/periods/{period_id}/worksheets/{indicator}/documents"): Rule(
        EVALUATION_WRITERS,
        Scope.ALL,
        form=lambda ids, u: {"title": f"SOP {u}"},
        files=lambda ids, u: {"file": ("sop.pdf", PDF, "application/pdf")},
    ),
    ("GET", "/api/v1/documents/{document_id}"): _reader(Scope.ALL, EVIDENCE_READERS),
    ("DELETE", "/api/v1/documents/{document_id}"): Rule(EVALUATION_WRITERS, Scope.ALL),
}
