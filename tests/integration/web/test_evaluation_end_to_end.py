"""One internal evaluation from start to end, as its people do it on the pages (the inventory's
Evaluasi pages in front of a real scorer API on 127.0.0.1, the catalogue of Kabupaten Serang):

an admin opens the 2026 period and assigns indicators to the four evaluator OPD; the catalogue's
proposals are computed; an evaluator of Diskominfosatik accepts one proposal and overrides
another with a justification, an evaluator of Inspektorat fills in an audit indicator, each with
bukti dukung; a reviewer of Bapperida returns one worksheet and verifies the rest; the external
assessors' levels are imported from their workbook; the period's page shows both indices and the
difference per indicator, and the official export lists every document."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
from integration.web.test_evaluation import open_period, post, worksheet_url
from integration.web.test_scoring import (  # noqa: F401  (the scorer behind the pages)
    Browser,
    Scorer,
    scorer,
    settings,
    text_of,
)

from spbe_common.auth import Role

ASSIGNED = {"1": "SETDA", "11": "BAPPERIDA", "16": "DISKOMINFOSATIK", "17": "DISKOMINFOSATIK",
            "29": "INSPEKTORAT"}  # fmt: skip
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" + b"%" * 64 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 64
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCUMENTS = {  # indicator -> (title, filename, content, media type)
    "16": ("SOP Pusat Data Diskominfosatik", "sop-pusat-data.pdf", PDF, "application/pdf"),
    "17": ("Topologi jaringan intra", "topologi-jaringan.png", PNG, "image/png"),
    "29": ("Laporan audit infrastruktur 2025", "laporan-audit.pdf", PDF, "application/pdf"),
}


def name_of(client: Any) -> str:
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200, me.text
    return str(me.json()["name"])


def ok(response: Any) -> Any:
    assert response.status_code == 303, text_of(response.text)[-600:]
    return response


def upload(client: Any, period: int, indicator: str) -> None:
    title, filename, content, media = DOCUMENTS[indicator]
    ok(
        client.post(
            f"{worksheet_url(period, indicator)}/dokumen",
            data={"csrf_token": client.csrf, "judul": title, "catatan": ""},
            files={"berkas": (filename, content, media)},
        )
    )


def asesor_workbook(levels: dict[str, int], index: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Indikator", "Nilai", "Catatan"])
    for indicator, level in levels.items():
        sheet.append([indicator, level, "hasil penilaian dokumen"])
    sheet.append(["Indeks", index, "indeks yang diumumkan"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(html: str, href: str) -> str:
    """The text of the table row that links to `href`."""
    for row in re.findall(r"<tr\b.*?</tr>", html, flags=re.S):
        if f'href="{href}"' in row:
            return text_of(row)
    raise AssertionError(f"no row links to {href}")


def test_an_evaluation_from_opening_to_the_official_export(
    browser: Browser,
    scorer: Scorer,  # noqa: F811  (the fixture imported above)
) -> None:
    admin = browser(Role.ADMIN)
    period = open_period(browser)
    api = f"/api/v1/periods/{period}"

    # the admin assigns indicators to the four evaluator OPD
    for indicator, opd in ASSIGNED.items():
        ok(post(admin, f"{worksheet_url(period, indicator)}/penugasan", opd=opd, akun=""))
    overview = scorer.api.get(api).json()
    assigned = {row["indicator"]: row["opd"] for row in overview["indicators"]}
    assert {i: assigned[i] for i in ASSIGNED} == ASSIGNED
    by_opd = {row["opd"] for row in overview["progress"]["by_opd"]}
    assert {"SETDA", "BAPPERIDA", "DISKOMINFOSATIK", "INSPEKTORAT"} <= by_opd
    ok(post(admin, f"/evaluasi/{period}/usulan"))  # the catalogue's proposals

    # Diskominfosatik: accepts the proposal of 16, overrides that of 17, with bukti dukung
    kominfo = browser(Role.EVALUATOR, ["DISKOMINFOSATIK"])
    kominfo_name = name_of(kominfo)
    proposal_16 = scorer.api.get(f"{api}/worksheets/16").json()["proposal"]
    proposal_17 = scorer.api.get(f"{api}/worksheets/17").json()["proposal"]
    assert proposal_16 is not None and proposal_17 is not None
    ok(post(kominfo, f"{worksheet_url(period, '16')}/terima", penjelasan="Sesuai katalog"))
    own_17 = 2 if proposal_17["level"] != 2 else 3
    without_reason = post(kominfo, worksheet_url(period, "17"), tingkat=str(own_17),
                          penjelasan="Jaringan intra di semua OPD")  # fmt: skip
    assert without_reason.status_code == 422  # a level other than the proposal needs a reason
    ok(post(kominfo, worksheet_url(period, "17"), tingkat=str(own_17),
            penjelasan="Jaringan intra di semua OPD", justifikasi="Data lokasi belum lengkap"))  # fmt: skip
    for indicator in ("16", "17"):
        upload(kominfo, period, indicator)
        ok(post(kominfo, f"{worksheet_url(period, indicator)}/ajukan"))

    # Inspektorat: its audit indicator; it cannot touch Diskominfosatik's
    inspektorat = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    ok(post(inspektorat, worksheet_url(period, "29"), tingkat="2", penjelasan="Audit 2025",
            justifikasi="Laporan audit 2025 mencakup semua OPD"))  # fmt: skip
    upload(inspektorat, period, "29")
    ok(post(inspektorat, f"{worksheet_url(period, '29')}/ajukan"))
    refused = post(inspektorat, worksheet_url(period, "16"), tingkat="1", penjelasan="x")
    assert refused.status_code == 403

    # a reviewer of Bapperida returns 17 and verifies the rest
    reviewer = browser(Role.EVALUATOR, ["BAPPERIDA"])
    reviewer_name = name_of(reviewer)
    queue = reviewer.get(f"/evaluasi/{period}/tinjauan")
    for indicator in ("16", "17", "29"):
        assert f'href="{worksheet_url(period, indicator)}"' in queue.text
    comment = "Lampirkan SOP jaringan intra"
    ok(post(reviewer, f"{worksheet_url(period, '17')}/kembalikan", komentar=comment))
    for indicator in ("16", "29"):
        ok(post(reviewer, f"{worksheet_url(period, indicator)}/verifikasi"))
    sheets = {i: scorer.api.get(f"{api}/worksheets/{i}").json() for i in ("16", "17", "29")}
    assert {i: s["status"] for i, s in sheets.items()} == {
        "16": "verified", "17": "returned", "29": "verified"
    }  # fmt: skip
    assert sheets["16"]["level_source"] == "accepted"
    assert sheets["16"]["level"] == proposal_16["level"]
    assert sheets["17"]["level_source"] == "override" and sheets["17"]["level"] == own_17
    assert sheets["17"]["review_comment"] == comment
    history = scorer.api.get(f"{api}/worksheets/17/history").json()["data"]
    steps = [(step["action"], step["account"]) for step in history]
    for step in (("overridden", kominfo_name), ("document_added", kominfo_name),
                 ("submitted", kominfo_name), ("returned", reviewer_name)):  # fmt: skip
        assert step in steps, steps
    page_17 = text_of(kominfo.get(worksheet_url(period, "17")).text)
    assert comment in page_17 and reviewer_name in page_17  # the comment and who returned it

    # the assessors' levels, imported from their workbook: checked first, then saved
    asesor = {"16": 1, "17": 1, "29": 2}
    workbook = asesor_workbook(asesor, "1,24")
    checked = admin.post(
        f"/evaluasi/{period}/asesor", data={"csrf_token": admin.csrf},
        files={"berkas": ("asesor-2026.xlsx", workbook, XLSX)},
    )  # fmt: skip
    assert checked.status_code == 200, text_of(checked.text)[-600:]
    data = re.search(r'name="data" value="([^"]+)"', checked.text)
    assert data, "the checked workbook is carried to the save"
    ok(admin.post(f"/evaluasi/{period}/asesor",
                  data={"csrf_token": admin.csrf, "data": data.group(1), "nama": "asesor-2026.xlsx"}))  # fmt: skip

    # the period's page: both indices, and the difference per indicator
    summary = scorer.api.get(api).json()
    assert summary["index"]["asesor"] == 1.24
    self_index = summary["index"]["self_assessment"]
    assert self_index is not None
    page = admin.get(f"/evaluasi/{period}")
    shown = text_of(page.text)
    assert "Indeks penilaian mandiri" in shown and "Indeks asesor" in shown
    assert f"{round(self_index, 2):.2f}".rstrip("0").rstrip(".").replace(".", ",") in shown
    assert "1,24" in shown
    rows = {row["indicator"]: row for row in summary["indicators"]}
    for indicator, level in asesor.items():
        own = float(sheets[indicator]["level"])
        assert rows[indicator]["difference"] == level - own
        cells = row_of(page.text, worksheet_url(period, indicator))
        difference = level - own
        text = ("+" if difference > 0 else "") + f"{difference:g}".replace(".", ",")
        assert text in cells, (indicator, text, cells)

    # the official export lists every document, on the sheet of its domain
    export = admin.get(f"/evaluasi/{period}/unduh")
    assert export.status_code == 200, text_of(export.text)[-400:]
    book = openpyxl.load_workbook(io.BytesIO(export.content), read_only=True)
    cells = " ".join(
        str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        for value in row if value is not None
    )  # fmt: skip
    for title, filename, _, _ in DOCUMENTS.values():
        assert title in cells and filename in cells, (title, filename)
    assert "Ringkasan" in book.sheetnames and len(book.sheetnames) > 2
    # a level scale's note names the scale in Bahasa Indonesia, never by its key
    assert "Skala Fungsi teknis layanan elektronik:" in cells
    assert "Skala technical_function" not in cells
