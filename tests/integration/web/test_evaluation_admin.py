"""The admin's actions on the Evaluasi pages against a real scorer API: closing and reopening a
period, the assessors' published index typed by hand, and one indicator's asesor level entered by
hand on its worksheet; an evaluator may do none of them."""

from __future__ import annotations

import re

from integration.web.test_evaluation import (  # noqa: F401  (the fixture of the scorer behind the pages)
    OWN,
    open_period,
    post,
    scorer,
    settings,
    worksheet_url,
)
from integration.web.test_scoring import Browser, text_of

from spbe_common.auth import Role


def manage(client: object, period: int, **fields: str) -> object:
    form = {"status": "open", "indeks_asesor": "", "catatan_asesor": "", **fields}
    return post(client, f"/evaluasi/{period}/kelola", **form)


def stat(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert found, f"no #{element_id}"
    return found.group(1)


def row_of(html: str, indicator: str) -> list[str]:
    """The cells of an indicator's row in the overview's table."""
    found = re.search(rf'<tr id="indikator-{indicator}">(.*?)</tr>', html, re.S)
    assert found, f"no row of indicator {indicator}"
    return [text_of(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)]


def test_a_closed_period_shows_it_hides_the_forms_and_refuses_a_save_until_reopened(
    browser: Browser,
) -> None:
    period = open_period(browser)
    admin = browser(Role.ADMIN)
    overview = admin.get(f"/evaluasi/{period}")
    assert (
        'id="form-kelola-periode"' in overview.text and 'id="periode-ditutup"' not in overview.text
    )
    closed = manage(admin, period, status="closed")
    assert closed.status_code == 303, text_of(closed.text)
    after = admin.get(closed.headers["location"])
    page = text_of(after.text)
    assert "Pengaturan periode tersimpan" in page and "Periode ini ditutup" in page
    assert "Ditutup" in page and 'id="form-usulan"' not in after.text
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    sheet = evaluator.get(worksheet_url(period, OWN)).text
    assert 'id="periode-ditutup"' in sheet
    for form in ("form-lembar", "form-ajukan", "form-unggah-bukti", "form-terima"):
        assert f'id="{form}"' not in sheet, form
    refused = post(evaluator, worksheet_url(period, OWN), tingkat="2", penjelasan="Audit 2025")
    assert refused.status_code == 403 and "Akses ditolak" in refused.text
    reopened = manage(admin, period, status="open")
    assert reopened.status_code == 303, text_of(reopened.text)
    sheet = evaluator.get(worksheet_url(period, OWN)).text
    assert 'id="periode-ditutup"' not in sheet and 'id="form-lembar"' in sheet
    saved = post(evaluator, worksheet_url(period, OWN), tingkat="2", penjelasan="Audit 2025")
    assert saved.status_code == 303, text_of(saved.text)


def test_the_published_index_typed_by_hand_shows_beside_the_self_assessment_index(
    browser: Browser,
) -> None:
    period = open_period(browser)
    admin = browser(Role.ADMIN)
    before = admin.get(f"/evaluasi/{period}").text
    # no worksheet has a level yet: no self-assessed index either (not the scale's minimum)
    assert stat(before, "indeks-asesor") == stat(before, "indeks-mandiri") == "-"
    assert "belum ada lembar kerja yang bertingkat" in text_of(before)
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    saved = post(evaluator, worksheet_url(period, OWN), tingkat="2", penjelasan="Audit 2025")
    assert saved.status_code == 303, text_of(saved.text)
    assert stat(admin.get(f"/evaluasi/{period}").text, "indeks-mandiri") != "-"
    note = "Diumumkan KemenPAN-RB, Desember 2026"
    saved = manage(admin, period, indeks_asesor="1,24", catatan_asesor=note)
    assert saved.status_code == 303, text_of(saved.text)
    after = admin.get(f"/evaluasi/{period}").text
    assert stat(after, "indeks-asesor") == "1,24"
    # exactly 1.015 and 1.24 - 1.015 = 0.225, each rounded half up as the workbook does
    assert (stat(after, "indeks-mandiri"), stat(after, "indeks-selisih")) == ("1,02", "+0,23")
    assert note in text_of(after) and 'value="1,24"' in after  # shown and kept in the form
    assert "Periode ini ditutup" not in text_of(after)  # still open


def test_a_wrong_published_index_is_shown_on_the_form(browser: Browser) -> None:
    period = open_period(browser)
    admin = browser(Role.ADMIN)
    typed = manage(admin, period, indeks_asesor="satu koma", catatan_asesor="Catatan")
    assert typed.status_code == 422 and 'id="e-indeks_asesor"' in typed.text
    assert "misalnya 2,61" in text_of(typed.text) and 'value="satu koma"' in typed.text
    outside = manage(admin, period, indeks_asesor="9")
    assert outside.status_code == 422, text_of(outside.text)
    assert "di luar skala" in text_of(outside.text) and 'id="form-kelola-periode"' in outside.text
    assert stat(admin.get(f"/evaluasi/{period}").text, "indeks-asesor") == "-"  # nothing saved


def test_an_evaluator_may_not_manage_a_period_nor_enter_an_asesor_level(browser: Browser) -> None:
    period = open_period(browser)
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    assert 'id="form-kelola-periode"' not in evaluator.get(f"/evaluasi/{period}").text
    assert 'id="form-nilai-asesor"' not in evaluator.get(worksheet_url(period, OWN)).text
    closing = manage(evaluator, period, status="closed", indeks_asesor="1,24")
    assert closing.status_code == 403 and "Akses ditolak" in closing.text
    level = post(evaluator, f"{worksheet_url(period, OWN)}/asesor", nilai_asesor="3")
    assert level.status_code == 403 and "Akses ditolak" in level.text
    admin = browser(Role.ADMIN)
    overview = admin.get(f"/evaluasi/{period}").text
    assert stat(overview, "indeks-asesor") == "-" and "Periode ini ditutup" not in text_of(overview)
    assert row_of(overview, OWN)[5] == "-"  # no asesor level


def test_an_asesor_level_entered_by_hand_shows_on_the_worksheet_and_the_overview(
    browser: Browser,
) -> None:
    period = open_period(browser)
    evaluator = browser(Role.EVALUATOR, ["INSPEKTORAT"])
    saved = post(evaluator, worksheet_url(period, OWN), tingkat="2", penjelasan="Audit 2025")
    assert saved.status_code == 303, text_of(saved.text)
    admin = browser(Role.ADMIN)
    assert 'id="form-nilai-asesor"' in admin.get(worksheet_url(period, OWN)).text
    url = f"{worksheet_url(period, OWN)}/asesor"
    half = post(admin, url, nilai_asesor="2,5")  # 59/2020 levels are whole numbers
    assert half.status_code == 422 and "bilangan bulat" in text_of(half.text)
    assert 'id="e-nilai_asesor"' in half.text and 'value="2,5"' in half.text
    entered = post(admin, url, nilai_asesor="3", catatan_asesor="Audit TIK menyeluruh")
    assert entered.status_code == 303, text_of(entered.text)
    sheet = admin.get(entered.headers["location"]).text
    assert "Nilai asesor tersimpan" in text_of(sheet)
    facts = text_of(sheet.split('id="fakta-lembar"', 1)[1].split("</dl>", 1)[0])
    assert "Nilai asesor 3 Audit TIK menyeluruh" in " ".join(facts.split())
    row = row_of(admin.get(f"/evaluasi/{period}").text, OWN)
    assert row[4:7] == ["2", "3", "+1"], row  # Tingkat, Nilai asesor, Selisih
    assert 'id="form-lembar"' in evaluator.get(worksheet_url(period, OWN)).text  # still a draft


def test_a_year_or_period_not_written_in_ascii_digits_is_shown_on_the_form(
    browser: Browser,
) -> None:
    admin = browser(Role.ADMIN)
    for fields, said in (
        ({"tahun": "²⁰²⁶"}, "Isi tahun evaluasi, misalnya 2026."),
        ({"tahun": "2026", "salin_dari": "²"}, "Pilih periode yang ada."),
    ):
        refused = post(admin, "/evaluasi", kerangka="spbe-2020", **fields)
        assert refused.status_code == 422, fields
        assert said in text_of(refused.text), fields
    opened = post(admin, "/evaluasi", tahun=" 2026 ", kerangka="spbe-2020")
    assert opened.status_code == 303, text_of(opened.text)


def test_over_long_fields_of_the_new_period_are_shown_on_the_form(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    for fields, said in (
        ({"tahun": "2" * 30}, "Isi tahun evaluasi, misalnya 2026."),
        ({"tahun": "2026", "salin_dari": "9" * 30}, "Pilih periode yang ada."),
        ({"tahun": "2026", "judul": "J" * 201}, "Judul terlalu panjang (paling banyak 200"),
        ({"tahun": "2026", "kerangka": "k" * 40}, "Pilih kerangka penilaian."),
    ):
        refused = post(admin, "/evaluasi", **{"kerangka": "spbe-2020", **fields})
        assert refused.status_code == 422, fields
        shown = text_of(refused.text)
        assert said in shown and "Alamat halaman" not in shown, fields
        assert 'id="f-tahun"' in refused.text, fields  # the form again, what was typed kept
        assert f'value="{fields["tahun"]}"' in refused.text, fields
