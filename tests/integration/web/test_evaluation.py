"""Evaluasi pages against a real scorer API (uvicorn on 127.0.0.1, the fixture of the Penilaian
page tests): a period opened from its page, an evaluator of INSPEKTORAT filling in its own
worksheets only, bukti dukung uploaded and downloaded through the pages, the review, and who may
see what (an OPD operator sees no worksheet, a viewer downloads no document)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from harness import web_session
from integration.web.test_scoring import (  # noqa: F401  (the fixture of the scorer behind the pages)
    Browser,
    free_port,
    scorer,
    settings,
    text_of,
)
from sqlalchemy import Engine

from spbe_common.auth import Role
from spbe_inventory.api.app import create_app as create_inventory_app
from spbe_inventory.api.security import SESSION_COOKIE
from spbe_inventory.settings import InventorySettings

OWN = "29"  # an audit indicator of 59/2020, assigned to INSPEKTORAT by the defaults
OTHER = "1"  # assigned to another evaluator OPD
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" + b"%" * 64 + b"\n%%EOF\n"


def open_period(browser: Browser, year: int = 2026) -> int:
    """A 59/2020 period opened as an admin does it: the form on /evaluasi."""
    admin = browser(Role.ADMIN)
    form = {"csrf_token": admin.csrf, "tahun": str(year), "kerangka": "spbe-2020"}
    response = admin.post("/evaluasi", data=form)
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/evaluasi/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def worksheet_url(period: int, indicator: str) -> str:
    return f"/evaluasi/{period}/indikator/{indicator}"


def post(client: Any, url: str, **fields: str) -> Any:
    return client.post(url, data={"csrf_token": client.csrf, **fields})


def fill_in(client: Any, period: int, indicator: str = OWN, level: str = "2") -> None:
    """Level and penjelasan saved, then the worksheet submitted for review."""
    url = worksheet_url(period, indicator)
    saved = post(client, url, tingkat=level, penjelasan="Audit TIK 2025", justifikasi="Laporan")
    assert saved.status_code == 303, text_of(saved.text)
    submitted = post(client, f"{url}/ajukan")
    assert submitted.status_code == 303, text_of(submitted.text)


def upload(client: Any, period: int, content: bytes = PDF, name: str = "audit.pdf") -> Any:
    return client.post(
        f"{worksheet_url(period, OWN)}/dokumen",
        data={"csrf_token": client.csrf, "judul": "Laporan audit TIK", "catatan": ""},
        files={"berkas": (name, content, "application/pdf")},
    )


def test_an_admin_opens_a_period_and_sees_both_indices_progress_and_the_indicators(
    browser: Browser,
) -> None:
    period = open_period(browser)
    listing = text_of(browser(Role.ADMIN).get("/evaluasi").text)
    assert "Periode evaluasi" in listing and "Indeks SPBE 2020" in listing
    assert "Buka periode evaluasi" in listing  # the admin's form
    response = browser(Role.ADMIN).get(f"/evaluasi/{period}")
    assert response.status_code == 200, response.text
    page = text_of(response.text)
    for text in ("Indeks penilaian mandiri", "Indeks asesor", "Selisih", "INSPEKTORAT",
                 "Belum dimulai", "Nilai asesor", "Hitung usulan", "Unduh format resmi"):  # fmt: skip
        assert text in page, text
    assert f'href="{worksheet_url(period, OWN)}"' in response.text
    again = post(browser(Role.ADMIN), "/evaluasi", tahun="2026", kerangka="spbe-2020")
    assert again.status_code == 409  # the form again, with the scorer's refusal in Indonesian
    assert "sudah ada" in text_of(again.text) and 'id="form-buka-periode"' in again.text


def test_an_evaluator_fills_in_its_own_opd_but_not_another_opds_worksheet(browser: Browser) -> None:
    period = open_period(browser)
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    overview = evaluator.get(f"/evaluasi/{period}")
    assert f'href="/evaluasi/{period}/opd/INSPEKTORAT"' in overview.text  # its own workspace
    periods = evaluator.get("/evaluasi").text
    assert "Buka periode evaluasi" not in text_of(periods)
    assert f'href="/evaluasi/{period}/opd/INSPEKTORAT"' in periods
    workspace = evaluator.get(f"/evaluasi/{period}/opd/INSPEKTORAT")
    assert workspace.status_code == 200, workspace.text
    assert f'href="{worksheet_url(period, OWN)}"' in workspace.text
    assert f'href="{worksheet_url(period, OTHER)}"' not in workspace.text
    own = evaluator.get(worksheet_url(period, OWN))
    assert 'id="form-lembar"' in own.text and "Ajukan untuk ditinjau" in own.text
    saved = post(evaluator, worksheet_url(period, OWN), tingkat="2", penjelasan="Audit 2025")
    assert saved.status_code == 303, text_of(saved.text)
    after = text_of(evaluator.get(saved.headers["location"]).text)
    assert "Draf" in after and "Audit 2025" in after and "Disimpan" in after  # + Riwayat
    other = evaluator.get(worksheet_url(period, OTHER))
    assert other.status_code == 200 and 'id="form-lembar"' not in other.text  # no form
    refused = post(evaluator, worksheet_url(period, OTHER), tingkat="2", penjelasan="x")
    assert refused.status_code == 403 and "Akses ditolak" in refused.text


def test_a_level_other_than_the_proposal_without_justification_is_shown_on_the_form(
    browser: Browser,
) -> None:
    period = open_period(browser)
    admin = browser(Role.ADMIN)
    assert post(admin, f"/evaluasi/{period}/usulan").status_code == 303
    sheet = admin.get(worksheet_url(period, "16"))  # Pusat Data: derived from the catalogue
    assert "Usulan dari katalog" in text_of(sheet.text)
    proposed = re.search(r'id="usulan-tingkat">Tingkat usulan: <strong>(\d)', sheet.text)
    assert proposed, text_of(sheet.text)
    other = "1" if proposed.group(1) != "1" else "2"
    refused = post(admin, worksheet_url(period, "16"), tingkat=other, penjelasan="Lain")
    assert refused.status_code == 422, text_of(refused.text)
    assert "justifikasi" in text_of(refused.text).lower() and 'id="form-lembar"' in refused.text
    accepted = post(admin, f"{worksheet_url(period, '16')}/terima", penjelasan="Sesuai katalog")
    assert accepted.status_code == 303, text_of(accepted.text)
    assert "Diterima dari usulan" in text_of(admin.get(worksheet_url(period, "16")).text)


def test_bukti_dukung_round_trip_through_the_pages(browser: Browser) -> None:
    period = open_period(browser)
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    uploaded = upload(evaluator, period)
    assert uploaded.status_code == 303, text_of(uploaded.text)
    sheet = evaluator.get(uploaded.headers["location"])
    assert "Laporan audit TIK" in text_of(sheet.text)
    link = re.search(r'href="/evaluasi/dokumen/(\d+)"', sheet.text)
    assert link, text_of(sheet.text)
    document = f"/evaluasi/dokumen/{link.group(1)}"
    got = evaluator.get(document)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    refused = browser(Role.VIEWER).get(document)  # a viewer reads the period, not the files
    assert refused.status_code == 403 and "Akses ditolak" in refused.text
    assert browser(Role.VIEWER).get(f"/evaluasi/{period}").status_code == 200
    not_a_pdf = upload(evaluator, period, b"MZ\x90\x00 not a document", "audit.pdf")
    assert not_a_pdf.status_code == 415 and "Jenis berkas tidak diterima" in not_a_pdf.text
    assert 'id="form-unggah-bukti"' in not_a_pdf.text
    removed = post(
        evaluator, f"{document}/hapus", kembali=worksheet_url(period, OWN)
    )  # fmt: skip
    assert removed.status_code == 303
    assert removed.headers["location"].startswith(worksheet_url(period, OWN))
    after = evaluator.get(worksheet_url(period, OWN)).text
    assert 'id="bukti-kosong"' in after and "Bukti dukung dihapus" in text_of(after)


def test_a_reviewer_returns_a_worksheet_with_a_comment_then_verifies_it(browser: Browser) -> None:
    period = open_period(browser)
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    fill_in(evaluator, period)
    reviewer = browser(Role.EVALUATOR, ["DISKOMINFOSATIK"])
    queue = reviewer.get(f"/evaluasi/{period}/tinjauan")
    assert f'href="{worksheet_url(period, OWN)}"' in queue.text
    sheet = reviewer.get(worksheet_url(period, OWN))
    assert 'id="form-kembalikan"' in sheet.text and 'id="form-lembar"' not in sheet.text
    assert 'id="form-kembalikan"' not in evaluator.get(worksheet_url(period, OWN)).text
    empty = post(reviewer, f"{worksheet_url(period, OWN)}/kembalikan", komentar=" ")
    assert empty.status_code == 422 and "Komentar wajib diisi" in empty.text
    returned = post(
        reviewer, f"{worksheet_url(period, OWN)}/kembalikan", komentar="Lampirkan laporan"
    )  # fmt: skip
    assert returned.status_code == 303, text_of(returned.text)
    page = text_of(evaluator.get(worksheet_url(period, OWN)).text)
    assert "Dikembalikan" in page and "Lampirkan laporan" in page
    fill_in(evaluator, period)
    verified = post(reviewer, f"{worksheet_url(period, OWN)}/verifikasi", komentar="")
    assert verified.status_code == 303, text_of(verified.text)
    assert "Terverifikasi" in text_of(reviewer.get(worksheet_url(period, OWN)).text)
    assert (
        f'href="{worksheet_url(period, OWN)}"'
        not in reviewer.get(f"/evaluasi/{period}/tinjauan").text
    )


def test_who_may_see_the_pages_and_a_change_without_its_csrf_token(browser: Browser) -> None:
    period = open_period(browser)
    operator = browser(Role.OPD_OPERATOR, ["INSPEKTORAT"])
    for path in ("/evaluasi", f"/evaluasi/{period}", worksheet_url(period, OWN)):
        response = operator.get(path)
        assert response.status_code == 403 and "Akses ditolak" in response.text, path
    viewer = browser(Role.VIEWER)
    assert viewer.get(f"/evaluasi/{period}").status_code == 200
    assert 'id="form-lembar"' not in viewer.get(worksheet_url(period, OWN)).text
    assert post(viewer, worksheet_url(period, OWN), tingkat="2").status_code == 403
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    no_token = evaluator.post(worksheet_url(period, OWN), data={"tingkat": "2"})
    assert no_token.status_code == 403
    assert "Belum dimulai" in text_of(evaluator.get(worksheet_url(period, OWN)).text)
    assert 'href="/evaluasi"' in evaluator.get("/beranda").text  # the menu entry
    assert 'href="/evaluasi"' not in operator.get("/beranda").text


def test_the_official_export_downloads_through_the_page(browser: Browser) -> None:
    period = open_period(browser)
    response = browser(Role.VIEWER).get(f"/evaluasi/{period}/unduh")
    assert response.status_code == 200, response.text
    assert response.content[:2] == b"PK"  # an XLSX
    assert response.headers["content-disposition"].startswith("attachment;")


def test_the_scorer_down_is_a_503_page_in_indonesian(tmp_path: Path, engine: Engine) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    app = create_inventory_app(InventorySettings(data_dir=tmp_path, scorer_url=dead), engine)
    secret, csrf = web_session(engine, Role.EVALUATOR, ["INSPEKTORAT"])
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, secret)
        for path in ("/evaluasi", "/evaluasi/1", "/evaluasi/1/indikator/29", "/evaluasi/dokumen/1"):
            response = client.get(path)
            assert response.status_code == 503, (path, response.text)
            assert "Layanan penilaian tidak tersedia" in response.text
        saved = client.post("/evaluasi/1/indikator/29", data={"csrf_token": csrf, "tingkat": "2"})
        assert saved.status_code == 503 and "Traceback" not in saved.text


@pytest.mark.parametrize("path", ["/evaluasi/banding?dasar=x&pembanding=1", "/evaluasi/0"])
def test_a_malformed_address_is_the_400_page(browser: Browser, path: str) -> None:
    response = browser(Role.ADMIN).get(path)
    assert response.status_code == 400 and "tidak valid" in response.text


def asesor_sheet(rows: list[tuple[str, str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Indikator", "Nilai", "Catatan"])
    for row in rows:
        sheet.append([*row, ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_asesor_levels_are_checked_first_then_saved_and_the_overview_shows_the_difference(
    browser: Browser,
) -> None:
    period = open_period(browser)
    admin = browser(Role.ADMIN)
    page = f"/evaluasi/{period}/asesor"
    assert "Unggah berkas asesor" in text_of(admin.get(page).text)
    wrong = admin.post(
        page, data={"csrf_token": admin.csrf},
        files={"berkas": ("asesor.xlsx", asesor_sheet([(OWN, "9")]), "application/octet-stream")},
    )  # fmt: skip
    assert wrong.status_code == 422 and "Baris 2" in text_of(wrong.text)
    assert 'id="form-simpan-asesor"' not in wrong.text
    book = asesor_sheet([(OWN, "2"), ("Indeks", "1,24")])
    checked = admin.post(
        page, data={"csrf_token": admin.csrf},
        files={"berkas": ("asesor.xlsx", book, "application/octet-stream")},
    )  # fmt: skip
    assert checked.status_code == 200, text_of(checked.text)
    assert "Hasil pemeriksaan" in text_of(checked.text) and "1,24" in text_of(checked.text)
    overview = text_of(admin.get(f"/evaluasi/{period}").text)
    assert "1,24" not in overview  # checked only: nothing saved yet
    data = re.search(r'name="data" value="([^"]+)"', checked.text)
    assert data
    saved = post(admin, page, data=data.group(1), nama="asesor.xlsx")
    assert saved.status_code == 303, text_of(saved.text)
    overview = text_of(admin.get(saved.headers["location"]).text)
    assert "Nilai asesor tersimpan" in overview and "1,24" in overview
    assert browser(Role.EVALUATOR, ["INSPEKTORAT"]).get(page).status_code == 403


def test_two_periods_compare_with_the_unmapped_indicators_listed(browser: Browser) -> None:
    before = open_period(browser, 2025)
    admin = browser(Role.ADMIN)
    form = {"csrf_token": admin.csrf, "tahun": "2026", "kerangka": "pemdi-2026"}
    created = admin.post("/evaluasi", data=form)
    assert created.status_code == 303, text_of(created.text)
    after = int(created.headers["location"].rsplit("/", 1)[1])
    listing = admin.get("/evaluasi")
    assert 'id="form-banding-periode"' in listing.text
    response = browser(Role.VIEWER).get(
        "/evaluasi/banding", params={"dasar": before, "pembanding": after}
    )
    assert response.status_code == 200, response.text
    page = text_of(response.text)
    assert "Indikator tanpa padanan" in page and "Indeks Pemdi 2026" in page
    assert 'id="tabel-banding-periode"' in response.text


def test_a_document_larger_than_the_api_body_limit_uploads_through_its_page(
    browser: Browser,
) -> None:
    period = open_period(browser)
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    big = PDF[:-7] + b"%" * (2 * 1024 * 1024) + b"\n%%EOF\n"  # over the API's 1 MiB
    uploaded = upload(evaluator, period, big)
    assert uploaded.status_code == 303, text_of(uploaded.text)
    sheet = evaluator.get(uploaded.headers["location"]).text
    link = re.search(r'href="(/evaluasi/dokumen/\d+)"', sheet)
    assert link and evaluator.get(link.group(1)).content == big


def test_a_form_made_before_someone_else_saved_is_refused_and_shown_again(
    browser: Browser,
) -> None:
    period = open_period(browser)
    first, second = (browser(Role.EVALUATOR, ["INSPEKTORAT"]) for _ in range(2))
    form = re.search(r'name="versi" value="([^"]+)"', first.get(worksheet_url(period, OWN)).text)
    assert form, "the worksheet form names the version it was made from"
    newer = post(second, worksheet_url(period, OWN), tingkat="2", penjelasan="Yang kedua")
    assert newer.status_code == 303
    stale = post(
        first, worksheet_url(period, OWN), tingkat="3", penjelasan="Yang pertama",
        justifikasi="Audit eksternal", versi=form.group(1),
    )  # fmt: skip
    assert stale.status_code == 412, text_of(stale.text)
    page = text_of(stale.text)
    assert "sudah diubah orang lain" in page and "Yang pertama" in page  # the person's input kept
    assert "Yang kedua" in page  # and what the other saved


def test_a_too_short_justification_is_named_on_the_form(browser: Browser) -> None:
    period = open_period(browser)
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    short = post(
        evaluator, worksheet_url(period, OWN), tingkat="2", penjelasan="a", justifikasi="x"
    )
    assert short.status_code == 422
    assert "Alasan (justifikasi) terlalu pendek" in text_of(short.text)


def test_an_admin_assigns_an_indicator_to_another_evaluator_opd(browser: Browser) -> None:
    period = open_period(browser)
    admin = browser(Role.ADMIN)
    assert 'id="form-penugasan"' in admin.get(worksheet_url(period, OTHER)).text
    moved = post(admin, f"{worksheet_url(period, OTHER)}/penugasan", opd="inspektorat", akun="")
    assert moved.status_code == 303, text_of(moved.text)
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    assert 'id="form-penugasan"' not in evaluator.get(worksheet_url(period, OTHER)).text
    workspace = evaluator.get(f"/evaluasi/{period}/opd/INSPEKTORAT").text
    assert f'href="{worksheet_url(period, OTHER)}"' in workspace
    saved = post(evaluator, worksheet_url(period, OTHER), tingkat="1", penjelasan="Dipindah")
    assert saved.status_code == 303
    assert "Penugasan diubah" in text_of(evaluator.get(worksheet_url(period, OTHER)).text)
    refused = post(evaluator, f"{worksheet_url(period, OTHER)}/penugasan", opd="SETDA")
    assert refused.status_code == 403
