"""Reading the regency's OPD list (`spbe opd load`): CSV text, headers, values, row problems."""

from __future__ import annotations

import pytest

from spbe_inventory.opd.load import LoadRefused, OpdList, csv_rows, parse_table
from spbe_inventory.opd.models import OpdKind


def parse_csv(text: str, bom: bool = False) -> OpdList:
    return parse_table(csv_rows(("\ufeff" if bom else "").encode() + text.encode()))


def problems(parsed: OpdList) -> list[str]:
    return [str(problem) for problem in parsed.problems]


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("separator", [",", ";"])
def test_comma_or_semicolon_with_or_without_bom(separator: str, bom: bool) -> None:
    text = (
        f"kode{separator}nama{separator}singkatan\n"
        f'BAPPERIDA{separator}"Badan Perencanaan Pembangunan, Riset; dan Inovasi"{separator}Bapperida\n'
        f"DINKES{separator}Dinas  Kesehatan {separator}\n"
    )
    parsed = parse_csv(text, bom)
    assert problems(parsed) == []
    assert [(r.row, r.body.code, r.body.name, r.body.abbreviation) for r in parsed.rows] == [
        (2, "BAPPERIDA", "Badan Perencanaan Pembangunan, Riset; dan Inovasi", "Bapperida"),
        (3, "DINKES", "Dinas Kesehatan", None),
    ]


def test_text_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(LoadRefused, match="UTF-8"):
        csv_rows("kode;nama\nDINSOS;Dinas Sosial \u2013 Kab. Serang\n".encode("cp1252"))


@pytest.mark.parametrize(
    "header",
    [
        ["kode", "nama", "singkatan", "jenis", "alias"],
        ["Kode OPD", "Nama Perangkat Daerah", "Singkatan", "Jenis", "Nama Lain"],
        ["code", "name", "abbreviation", "kind", "aliases"],
        ["KODE_OPD", "NAMA OPD", "AKRONIM", "TIPE", "ALIAS"],
    ],
)
def test_indonesian_and_english_headers(header: list[str]) -> None:
    parsed = parse_table(
        [header, ["RSDP", "RSUD dr. Dradjat Prawiranegara", "RSDP", "rsud", "a|b"]]
    )
    assert problems(parsed) == []
    (row,) = parsed.rows
    assert row.body.kind is OpdKind.HOSPITAL
    assert row.body.aliases == ["a", "b"]
    assert row.given == {"code", "name", "abbreviation", "kind", "aliases"}


def test_title_rows_above_the_header_blank_rows_and_unknown_columns() -> None:
    rows = [
        ["Daftar Perangkat Daerah Kabupaten Serang"],
        [],
        ["No", "Kode", "Nama", "Keterangan"],
        ["1", "DINSOS", "Dinas Sosial", "x"],
        ["", "", "", ""],
        ["2", "DISHUB", "Dinas Perhubungan"],
    ]
    parsed = parse_table(rows)
    assert problems(parsed) == []
    assert parsed.ignored_columns == ["No", "Keterangan"]
    assert [(r.row, r.body.code) for r in parsed.rows] == [(4, "DINSOS"), (6, "DISHUB")]
    assert parsed.rows[0].given == {"code", "name"}  # the other fields are left as they are


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("Sekretariat", OpdKind.SECRETARIAT),
        ("badan", OpdKind.AGENCY),
        ("Dinas", OpdKind.AGENCY),
        ("Satpol PP", OpdKind.AGENCY),
        ("RSUD", OpdKind.HOSPITAL),
        ("kecamatan", OpdKind.KECAMATAN),
        ("hospital", OpdKind.HOSPITAL),
        ("", OpdKind.AGENCY),
    ],
)
def test_kind_words(word: str, kind: OpdKind) -> None:
    parsed = parse_table([["kode", "nama", "jenis"], ["X1", "Unit X", word]])
    assert parsed.rows[0].body.kind is kind


def test_every_bad_row_is_listed_with_its_row_number() -> None:
    text = (
        "kode;nama;jenis;singkatan\n"
        "DINKES;Dinas Kesehatan;dinas;Dinkes\n"
        "dinkes;X;planet;\n"
        "DINKES;Dinas Kesehatan Lagi;;\n"
        ";Tanpa Kode;;\n"
        "DLH;;;\n"
        "=HYPERLINK(1);Dinas Formula;;\n"
        f"DPMD;Dinas;;{'x' * 41}\n"
        "KODE-YANG-TERLALU-PANJANG-UNTUK-OPD;Dinas Panjang;;\n"
    )
    parsed = parse_csv(text)
    assert problems(parsed) == [
        "row 3: jenis (kind): 'planet' is not one of sekretariat, badan, dinas, inspektorat, "
        "satpol pp, rsud, kecamatan (or the API's values)",
        "row 3: kode (code): 'dinkes' is not a code (A-Z, 0-9, '-' and '_', at most 32)",
        "row 3: nama (name): String should have at least 2 characters",
        "row 4: code DINKES is also on row 2",
        "row 5: kode (code): missing",
        "row 6: nama (name): missing",
        "row 7: kode (code): a formula, not a value",
        "row 8: singkatan (abbreviation): String should have at most 40 characters",
        "row 9: kode (code): String should have at most 32 characters",
    ]
    assert [r.body.code for r in parsed.rows] == ["DINKES"]


def test_a_file_without_the_header_or_without_rows() -> None:
    assert problems(parse_table([["nomor", "nama"], ["1", "Dinas Sosial"]])) == [
        "no header row with the columns kode and nama"
    ]
    assert problems(parse_table([["kode", "nama"], ["", ""]])) == ["no OPD below the header row"]
    assert problems(parse_table([["kode", "nama", "Nama OPD"], ["A", "Unit A", "Unit A"]])) == [
        "row 1: two columns mean nama (name)"
    ]
