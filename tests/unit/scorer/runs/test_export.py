"""The XLSX workbook of a run: a summary sheet and one sheet per domain, read back with openpyxl."""

from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from spbe_common.scoring_labels import SCORING
from spbe_scorer.runs import views
from spbe_scorer.runs.export import DOMAIN_HEADER, GROUP_HEADER, SUMMARY, workbook_bytes

T = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def run() -> dict[str, Any]:
    return {
        "id": "run-1", "framework": "spbe-2020", "framework_version": "2020.1",
        "started_at": T, "snapshot_hash": "ab" * 32, "snapshot_taken_at": T,
        "index_exact": "1387/500", "predicate": "Baik",
        "counts": {"derived": 1, "override": 1, "not_assessed": 0},
        "domains": [
            {"id": "D2", "name": "Tata Kelola SPBE", "weight": "25", "index": "5/2"},
            {"id": "D4", "name": "Layanan SPBE", "weight": "91/2", "index": "3"},
        ],
        "aspects": [{"id": "A3", "name": "TIK", "weight": "10", "index": "5/2"}],
    }  # fmt: skip


def indicator(ind: str, domain: str, **fields: Any) -> dict[str, Any]:
    return {
        "indicator": ind, "name": f"Indicator {ind}", "domain": domain, "level_exact": "2",
        "source": "derived", "evidence": [], "evidence_links": [], "criterion": None,
        "justification": None, "missing": [], "missing_opds": [], "derived_level_exact": "2",
        "evaluator": None, **fields,
    }  # fmt: skip


def read(rows: list[dict[str, Any]]) -> Any:
    return load_workbook(BytesIO(workbook_bytes(run(), rows)))


def test_one_sheet_per_domain_after_the_summary() -> None:
    book = read([indicator("17", "D2"), indicator("32", "D4")])
    assert book.sheetnames == [SUMMARY, "D2 Tata Kelola SPBE", "D4 Layanan SPBE"]
    assert tuple(c.value for c in book["D2 Tata Kelola SPBE"][1]) == DOMAIN_HEADER


def test_indicator_rows_carry_level_source_evidence_criterion_and_justification() -> None:
    override = indicator(
        "17", "D2", level_exact="4", source="override", criterion="Used by some OPD.",
        evidence=[{"kind": "site", "id": "3", "detail": "intra-network site"}],
        evidence_links=["https://example.test/ba.pdf"], justification="JIP linked (BA 12)",
        missing=["intra-network site in every OPD"], missing_opds=["DINKES", "DLH"],
        evaluator="Inspektorat",
    )  # fmt: skip
    sheet = read([override])["D2 Tata Kelola SPBE"]
    values = [c.value for c in sheet[2]]
    assert values[:4] == [
        17, "Indicator 17", 4, "Penilaian evaluator (mengganti nilai turunan)",
    ]  # fmt: skip
    assert values[4] == "Lokasi OPD 3: intra-network site\nhttps://example.test/ba.pdf"
    assert values[5:7] == ["Used by some OPD.", "JIP linked (BA 12)"]
    assert values[7] == "intra-network site in every OPD\nOPD belum memenuhi: DINKES, DLH"
    assert values[8:] == [2, "Inspektorat", None]  # 17: nothing unconfirmed


def test_unconfirmed_marks_of_the_rule_and_of_the_framework_are_shown() -> None:
    rows = [indicator("32", "D4", unconfirmed="this rule's reading")]
    sheet = read(rows)["D4 Layanan SPBE"]
    cells = {h: c for h, c in zip(DOMAIN_HEADER, sheet[2], strict=True)}
    assert cells["Belum terkonfirmasi"].value == (
        "this rule's reading; label dan rumusan tingkat 5 (Optimalisasi)"  # the scale's mark
    )
    pemdi = views.unconfirmed({"indicator": "I1", "unconfirmed": None}, "pemdi-2026")
    assert pemdi is not None and pemdi.startswith("seluruh kerangka")
    assert views.unconfirmed({"indicator": "1", "unconfirmed": None}, "spbe-2020") is None
    assert views.unconfirmed({"indicator": "1", "unconfirmed": "x"}, "no-such-framework") == "x"


def test_fractional_levels_are_numbers() -> None:
    sheet = read([indicator("32", "D4", level_exact="63/50")])["D4 Layanan SPBE"]
    assert sheet["C2"].value == 1.26


def test_summary_shows_index_predicate_and_groups() -> None:
    sheet = read([])[SUMMARY]
    pairs = {row[0].value: row[1].value for row in sheet.iter_rows(max_col=2) if row[0].value}
    assert pairs["Indeks"] == 2.77 and pairs["Predikat"] == "Baik"
    assert pairs["Kerangka"] == "Indeks SPBE 2020" and pairs["Versi kerangka"] == "2020.1"
    assert pairs["Asal tingkat: Penilaian evaluator (mengganti nilai turunan)"] == 1
    assert pairs["Asal tingkat: Diturunkan dari katalog"] == 1
    assert pairs["Sidik data katalog"] == "ab" * 32
    groups = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=12)]
    assert GROUP_HEADER in groups
    assert ("Domain", "D4", "Layanan SPBE", 45.5, 3) in groups
    assert ("Aspek", "A3", "TIK", 10, 2.5) in groups


def test_numbers_are_numeric_cells_and_times_are_wib_dates() -> None:
    book = read([indicator("17", "D2", level_exact="4")])
    summary = {row[0].value: row[1] for row in book[SUMMARY].iter_rows(max_col=2) if row[0].value}
    index, started = summary["Indeks"], summary["Waktu penilaian (WIB)"]
    assert (index.data_type, index.value, index.number_format) == ("n", 2.77, "0.00")
    assert started.is_date and started.value == datetime(2026, 6, 1, 15, 0)  # 08:00 UTC
    assert started.number_format == "dd-mm-yyyy hh:mm"
    weight = next(r[3] for r in book[SUMMARY].iter_rows() if r[1].value == "D4")
    assert (weight.data_type, weight.value, weight.number_format) == ("n", 45.5, "0.00")
    number, level = book["D2 Tata Kelola SPBE"]["A2"], book["D2 Tata Kelola SPBE"]["C2"]
    assert (number.data_type, number.value, level.data_type, level.value) == ("n", 17, "n", 4)
    assert isinstance(level.value, int)


def test_text_a_spreadsheet_would_evaluate_is_written_inert() -> None:
    """Cells starting with =, +, -, @ (or tab, CR) get a leading apostrophe and stay text."""
    row = indicator(
        "1", "D2", justification='=HYPERLINK("http://evil.test","klik")', evaluator="@SUM(A1)",
        criterion="+1+1", evidence_links=["-2+3"], level_exact="-1",
    )  # fmt: skip
    sheet = read([row])["D2 Tata Kelola SPBE"]
    cells = {h: c for h, c in zip(DOMAIN_HEADER, sheet[2], strict=True)}
    assert cells["Alasan evaluator"].value == '\'=HYPERLINK("http://evil.test","klik")'
    assert cells["Evaluator"].value == "'@SUM(A1)"
    assert cells["Kriteria"].value == "'+1+1"
    assert cells["Bukti"].value == "'-2+3"
    assert all(c.data_type != "f" for c in sheet[2])  # no formula anywhere
    assert cells["Tingkat"].value == -1  # numbers stay numbers


# What a reader sees in the workbook is Bahasa Indonesia: the header cells and summary labels are
# written out here (not taken from the module), so an English word coming back fails.
INDONESIAN_DOMAIN_HEADER = [
    "No.", "Indikator", "Tingkat", "Asal tingkat", "Bukti", "Kriteria", "Alasan evaluator",
    "Yang dibutuhkan untuk tingkat berikutnya", "Tingkat turunan", "Evaluator",
    "Belum terkonfirmasi",
]  # fmt: skip
INDONESIAN_SUMMARY_LABELS = {
    "Kerangka", "Versi kerangka", "Kode penilaian", "Waktu penilaian (WIB)", "Data katalog per (WIB)",
    "Sidik data katalog", "Indeks", "Predikat",
}  # fmt: skip
INDONESIAN_GROUP_HEADER = ["Kelompok", "Kode", "Nama", "Bobot (%)", "Indeks"]
LEVEL_SOURCES = set(SCORING["source"].values())


def test_every_header_and_label_a_reader_sees_is_indonesian() -> None:
    rows = [indicator("17", "D2", source="override"), indicator("32", "D4")]
    book = read(rows)
    assert book.sheetnames == ["Ringkasan", "D2 Tata Kelola SPBE", "D4 Layanan SPBE"]
    summary = book["Ringkasan"]
    labels = [row[0] for row in summary.iter_rows(values_only=True) if row[0]]
    header_at = labels.index("Kelompok")
    for label in labels[:header_at]:
        source = label.removeprefix("Asal tingkat: ")
        assert label in INDONESIAN_SUMMARY_LABELS or source in LEVEL_SOURCES, label
    header = next(r for r in summary.iter_rows(values_only=True) if r[0] == "Kelompok")
    assert list(header) == INDONESIAN_GROUP_HEADER
    assert set(labels[header_at + 1 :]) == {"Domain", "Aspek"}
    for title in book.sheetnames[1:]:
        sheet = book[title]
        assert [c.value for c in sheet[1]] == INDONESIAN_DOMAIN_HEADER, title
        for row in sheet.iter_rows(min_row=2):
            assert row[3].value in LEVEL_SOURCES  # never "derived", "override"


def test_evidence_kinds_and_record_words_are_indonesian() -> None:
    evidence = [
        {"kind": "opd", "id": "DINKES", "detail": "pemanfaatan Pusat Data"},
        {"kind": "application", "id": "12", "detail": "tingkat 3"},
        {"kind": "application", "id": "more", "detail": "5 aplikasi lainnya"},
        {"kind": "asset_management", "id": "register", "detail": "seluruh 3 OPD"},
        {"kind": "service_bus", "id": "4", "detail": "dipakai BPKAD"},
    ]
    sheet = read([indicator("18", "D2", evidence=evidence)])["D2 Tata Kelola SPBE"]
    assert sheet["E2"].value.split("\n") == [
        "OPD DINKES: pemanfaatan Pusat Data",
        "Aplikasi 12: tingkat 3",
        "Aplikasi: 5 aplikasi lainnya",
        "Manajemen aset daftar aset: seluruh 3 OPD",
        "Sistem penghubung layanan 4: dipakai BPKAD",
    ]
