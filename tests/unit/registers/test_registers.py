"""The register contract (spbe_common.registers): reading, validation and templates. Pure."""

import zipfile
from pathlib import Path

import pytest

from spbe_common.events.enums import ApplicationKind, ApplicationStatus, AssetKind, HostingKind
from spbe_common.events.payloads import ApplicationDeclared, AssetDeclared
from spbe_common.registers import ParsedRegister, RegisterKind, RegisterRejected, importable
from spbe_common.registers import read_register as read
from spbe_common.registers.template import write_template

SHEETS = Path(__file__).resolve().parents[2] / "data" / "sheets"
MiB = 1024 * 1024


def read_register(path: Path, max_bytes: int = 5 * MiB, max_rows: int = 10_000) -> ParsedRegister:
    return read(path, max_bytes, max_rows)


def test_good_csv_with_semicolons_and_mixed_case() -> None:
    register = read_register(SHEETS / "applications_good.csv")
    assert register.kind is RegisterKind.APPLICATIONS and register.errors == []
    apps = [r for r in register.rows if isinstance(r, ApplicationDeclared)]
    assert [(a.name, a.opd) for a in apps] == [
        ("PPID", "DISKOMINFOSATIK"), ("JDIH", "SETDA"), ("SRIKANDI", "DPKD"),
        ("SIP Kerja", "BKPSDM"),
    ]  # fmt: skip
    assert apps[2].kind is ApplicationKind.GENERAL and apps[2].hosting is HostingKind.NATIONAL_SAAS
    assert apps[3].status is ApplicationStatus.INACTIVE and apps[3].urls == []
    assert apps[0].declared_by == "import:applications_good.csv"


def test_every_row_error_is_reported_at_once() -> None:
    register = read_register(SHEETS / "applications_bad.csv")
    found = [(e.row, e.column) for e in register.errors]
    assert found == [
        (2, "URL"), (2, "Jenis (umum/khusus)"), (3, "Nama Aplikasi"), (4, "Kode OPD"),
        (4, "Platform"), (4, "Hosting"), (4, "Status"), (6, "Nama Aplikasi"), (7, "Nama Aplikasi"),
    ]  # fmt: skip
    messages = {(e.row, e.column): e.message for e in register.errors}
    assert messages[(3, "Nama Aplikasi")] == "wajib diisi"
    assert messages[(6, "Nama Aplikasi")] == "duplikat dari baris 5"
    assert "rumus" in messages[(7, "Nama Aplikasi")]


def test_good_xlsx_reads_every_asset_with_its_sheet_row() -> None:
    register = read_register(SHEETS / "assets_good.xlsx")
    assert register.errors == [] and register.numbers == [2, 3, 4]
    first, switch, _printer = register.rows
    assert isinstance(first, AssetDeclared) and isinstance(switch, AssetDeclared)
    assert first.mac == "00:00:5E:00:53:01" and first.kind is AssetKind.SERVER
    assert [str(a) for a in switch.addresses] == ["192.0.2.1", "192.0.2.2"]
    assert switch.serial == "12345" and switch.kind is AssetKind.NETWORK_DEVICE


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("assets_broken.xlsx", "zip tidak valid"),
        ("not_a_sheet.xlsx", "zip tidak valid"),
        ("make.py", r"jenis file \.py tidak didukung"),
    ],
)
def test_malformed_files_are_refused(name: str, message: str) -> None:
    with pytest.raises(RegisterRejected, match=message):
        read_register(SHEETS / name)


def damaged(tmp_path: Path, part: str, cut: bool = True) -> Path:
    """assets_good.xlsx with one part of its zip broken: cut in half, or replaced by non-XML."""
    path = tmp_path / f"rusak-{part.rsplit('/', 1)[-1]}.xlsx"
    with zipfile.ZipFile(SHEETS / "assets_good.xlsx") as good, zipfile.ZipFile(path, "w") as out:
        for info in good.infolist():
            data = good.read(info.filename)
            if info.filename == part:
                data = data[: len(data) // 2] if cut else b"<bukan xml"
            out.writestr(info, data)
    return path


@pytest.mark.parametrize(
    ("part", "cut"),
    [("xl/worksheets/sheet1.xml", True), ("xl/styles.xml", False), ("xl/workbook.xml", True)],
)
def test_an_xlsx_with_broken_xml_is_refused_in_words_with_its_cause(
    tmp_path: Path, part: str, cut: bool
) -> None:
    """Broken XML inside a sound zip used to escape as a ParseError (a 500 on /impor)."""
    with pytest.raises(RegisterRejected, match="file XLSX rusak atau tidak dapat dibaca") as found:
        read_register(damaged(tmp_path, part, cut))
    assert found.value.__cause__ is not None  # the parser's own error, for the log
    assert "line" not in str(found.value)  # not the parser's English


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("acak.xlsx", bytes(range(256)) * 8, "zip tidak valid"),
        ("terpotong.xlsx", (SHEETS / "assets_good.xlsx").read_bytes()[:2000], "zip tidak valid"),
        ("utf16.csv", "Nama Aset,Kode OPD\nPC,DINKES\n".encode("utf-16"), "data biner"),
        ("acak.csv", bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 4, "bukan UTF-8 maupun Windows-1252"),
        ("sel-besar.csv", b'Nama Aset,Kode OPD\n"' + b"x" * 200_000 + b'",DINKES\n',
         "file CSV tidak dapat dibaca"),
    ],
)  # fmt: skip
def test_unreadable_files_are_refused_in_words(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(RegisterRejected, match=message):
        read_register(path)


def test_a_file_of_headers_only_is_one_problem_of_the_whole_file(tmp_path: Path) -> None:
    """Not an empty success, and not an error of the header row as if it were data."""
    path = tmp_path / "judul-saja.csv"
    path.write_text("Judul: daftar aset\n\nNama Aset,Kode OPD,Nomor Seri\n,,\n")
    register = read_register(path)
    assert register.rows == [] and not importable(register)
    assert [(e.row, e.column) for e in register.errors] == [(None, "")]
    assert register.errors[0].message == (
        "berkas hanya berisi judul kolom (baris 3), tanpa baris data: isi baris aset di bawah"
        " judul kolom, lalu unggah lagi"
    )


def test_huge_files_and_too_many_rows_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "besar.csv"
    big.write_text("Nama Aplikasi,Kode OPD\n" + "Aplikasi,DINKES\n" * 200_000)
    with pytest.raises(RegisterRejected, match="file terlalu besar"):
        read_register(big, max_bytes=MiB)
    rows = tmp_path / "banyak.csv"
    rows.write_text("Nama Aplikasi,Kode OPD\n" + "".join(f"A{i},DINKES\n" for i in range(20)))
    with pytest.raises(RegisterRejected, match="batas 10 baris"):
        read_register(rows, max_rows=10)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    import zipfile

    bomb = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 30_000_000)
    with pytest.raises(RegisterRejected, match="terlalu besar setelah diekstrak"):
        read_register(bomb, max_bytes=MiB)


def test_a_formula_in_a_data_cell_is_a_row_error_naming_the_cell() -> None:
    errors = [
        (e.row, e.column, e.message) for e in read_register(SHEETS / "assets_formula.xlsx").errors
    ]
    assert errors == [(2, "Nomor Seri", "rumus (formula) tidak diizinkan di sel E2; isi nilainya")]


def test_missing_opd_and_unknown_register(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Nama Aplikasi,URL\nPPID,https://ppid.serangkab.go.id\n")
    errors = [(e.row, e.column, e.message) for e in read_register(path).errors]
    assert errors == [
        (2, "Kode OPD", "wajib diisi (atau pilih satu OPD untuk seluruh berkas: --opd)")
    ]
    assert read(path, MiB, 10, opd="dinkes").rows[0].opd == "DINKES"
    path.write_text("Judul,Alamat\nx,y\n")
    with pytest.raises(RegisterRejected, match="baris judul kolom tidak ditemukan"):
        read_register(path)


def test_assets_without_an_address_are_declared_by_name(tmp_path: Path) -> None:
    path = tmp_path / "aset.csv"
    path.write_text(
        "Nama Aset,Kode OPD,MAC,Alamat IP\nLaptop,DINKES,,\nRouter,DINKES,zz,300.1.1.1\n"
        "Laptop,DINKES,,\n"
    )
    register = read_register(path)
    errors = [(e.row, e.column, e.message) for e in register.errors]
    assert errors == [
        (3, "Alamat IP", "'300.1.1.1' bukan alamat IP yang valid"),
        (3, "MAC", "'zz' bukan alamat MAC (contoh 00:00:5E:00:53:01)"),
        (4, "Nama Aset", "duplikat dari baris 2; bedakan dengan kode barang atau nomor seri"),
    ]
    assert register.numbers == [2]


@pytest.mark.parametrize("kind", list(RegisterKind))
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_templates_round_trip_through_the_importer(tmp_path: Path, kind, suffix) -> None:
    out = tmp_path / f"template{suffix}"
    write_template(kind, out)
    register = read_register(out)
    assert (register.kind, len(register.rows), register.errors) == (kind, 1, [])
