"""The official-format workbook of a period: what a reader sees is Bahasa Indonesia, a level
scale is named by its name, never by its key."""

from fractions import Fraction
from io import BytesIO

from openpyxl import load_workbook

from spbe_scorer.frameworks import Framework
from spbe_scorer.workspace.export import PeriodReport, unconfirmed_notes, workbook_bytes

# Written out here (not taken from the module), so an English header coming back fails.
INDONESIAN_HEADER = [
    "No", "Indikator", "Tingkat", "Sumber", "Penjelasan", "Bukti dukung", "Nilai asesor",
    "Selisih",
]  # fmt: skip
INDONESIAN_SUMMARY_LABELS = {
    "Periode evaluasi", "Tahun", "Kerangka penilaian", "Status periode",
    "Indeks penilaian mandiri", "Predikat penilaian mandiri", "Indeks asesor", "Predikat asesor",
    "Selisih (asesor - mandiri)", "Catatan asesor", "Catatan belum terkonfirmasi",
    "Cakupan penilaian mandiri",
}  # fmt: skip


def test_a_scale_note_names_the_scale_in_words(spbe2020: Framework, pemdi2026: Framework) -> None:
    notes = unconfirmed_notes(spbe2020)
    assert "Skala Fungsi teknis layanan elektronik: label dan rumusan tingkat 5 (Optimalisasi)" in (
        notes
    )
    assert "Skala Tingkat kematangan Pemdi: label tingkat (sumber lain berbeda)" in (
        unconfirmed_notes(pemdi2026)
    )
    for framework in (spbe2020, pemdi2026):
        keys = [f"Skala {key}" for key in framework.scales]
        assert not [n for n in unconfirmed_notes(framework) if n.startswith(tuple(keys))]


def test_every_built_in_scale_has_a_name(
    spbe2020: Framework, spbe2018: Framework, pemdi2026: Framework
) -> None:
    for framework in (spbe2020, spbe2018, pemdi2026):
        assert all(scale.name for scale in framework.scales.values()), framework.id


def test_every_header_and_label_a_reader_sees_is_indonesian(spbe2020: Framework) -> None:
    period = {"title": "Evaluasi 2025", "year": 2025, "status": "open", "asesor_note": None}
    worksheet = {
        "indicator": "16", "level_exact": "3", "asesor_level_exact": "2",
        "level_source": "manual", "explanation": "Pusat Data dipakai",
    }  # fmt: skip
    report = PeriodReport(period, spbe2020, [worksheet], [], Fraction(3), None)
    book = load_workbook(BytesIO(workbook_bytes(report)))
    assert book.sheetnames[0] == "Ringkasan"
    summary = book["Ringkasan"]
    labels = [row[0] for row in summary.iter_rows(values_only=True, max_col=1) if row[0]]
    header_at = labels.index("Catatan belum terkonfirmasi")
    assert set(labels[: header_at + 1]) <= INDONESIAN_SUMMARY_LABELS
    for title in book.sheetnames[1:]:
        assert [c.value for c in book[title][1]] == INDONESIAN_HEADER, title
    d2 = next(t for t in book.sheetnames if t.startswith("D2 "))
    assert [c.value for c in book[d2][2]][3] == "Manual"


def test_the_period_workbook_writes_numbers_as_numbers(spbe2020: Framework) -> None:
    period = {"title": "Evaluasi 2025", "year": 2025, "status": "open", "asesor_note": None}
    worksheet = {
        "indicator": "16", "level_exact": "3", "asesor_level_exact": "5/2",
        "level_source": "manual", "explanation": "Pusat Data dipakai",
    }  # fmt: skip
    report = PeriodReport(period, spbe2020, [worksheet], [], Fraction(211, 200), Fraction(2))
    book = load_workbook(BytesIO(workbook_bytes(report)))
    summary = {r[0].value: r[1] for r in book["Ringkasan"].iter_rows(max_col=2) if r[0].value}
    index = summary["Indeks penilaian mandiri"]
    assert (index.data_type, index.value, index.number_format) == ("n", 1.06, "0.00")
    assert summary["Selisih (asesor - mandiri)"].value == 0.95  # 2 - 1.055, half up
    d2 = book[next(t for t in book.sheetnames if t.startswith("D2 "))]
    row = [c.value for c in d2[2]]
    assert (row[0], row[2], row[6], row[7]) == (16, 3, 2.5, -0.5)
    assert all(d2.cell(2, col).data_type == "n" for col in (1, 3, 7, 8))


def test_the_period_status_is_the_pages_word(spbe2020: Framework) -> None:
    period = {"title": "Evaluasi 2025", "year": 2025, "status": "open", "asesor_note": None}
    report = PeriodReport(period, spbe2020, [], [], None, None)
    book = load_workbook(BytesIO(workbook_bytes(report)))
    summary = {r[0].value: r[1].value for r in book["Ringkasan"].iter_rows(max_col=2)}
    assert summary["Status periode"] == "Dibuka"


def test_a_period_without_any_level_has_no_index_yet(spbe2020: Framework) -> None:
    """The service's index of an empty period is the scale minimum (1,00); the page says "-",
    and so does the workbook, with no difference to the asesor's index."""
    period = {"title": "Evaluasi 2026", "year": 2026, "status": "open", "asesor_note": None}
    unlevelled = {"indicator": "16", "level_exact": None, "asesor_level_exact": None,
                  "level_source": None, "explanation": None}  # fmt: skip
    report = PeriodReport(period, spbe2020, [unlevelled], [], Fraction(1), Fraction(2))
    book = load_workbook(BytesIO(workbook_bytes(report)))
    summary = {r[0].value: r[1].value for r in book["Ringkasan"].iter_rows(max_col=2)}
    assert summary["Indeks penilaian mandiri"] in (None, "")
    assert summary["Predikat penilaian mandiri"] in (None, "")
    assert summary["Selisih (asesor - mandiri)"] in (None, "")
    assert summary["Indeks asesor"] == 2
