"""The collector's side of registers: its limits, the OPD catalogue asked of the inventory
(an injected httpx transport stands in for the API), the `import` and `template` commands, and
publishing all rows or none."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import openpyxl
import pytest
from typer.testing import CliRunner

from spbe_collector import cli
from spbe_collector.registers.service import (
    InventoryUnavailable,
    RegisterRejected,
    commit_register,
    make_inventory_client,
    opd_catalogue,
    read_register,
)
from spbe_collector.settings import CollectorSettings
from spbe_common.events import EventType
from spbe_common.events.payloads import AssetDeclared

DATA = Path(__file__).resolve().parents[2] / "data"
SHEETS, REGISTERS = DATA / "sheets", DATA / "registers"
CATALOGUE = [("DINKES", "Dinas Kesehatan"), ("DISKOMINFOSATIK", "Diskominfosatik"),
             ("SETDA", "Sekretariat Daerah"), ("DPKD", "Perpustakaan"), ("BKPSDM", "BKPSDM"),
             ("RSDP", "RSUD")]  # fmt: skip
runner = CliRunner()


def inventory(seen: list[httpx.Request], status: int = 200) -> httpx.MockTransport:
    """GET /api/v1/opd in pages of two, as the API pages (data, count)."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        offset = int(request.url.params.get("offset", "0"))
        page = [{"code": c, "name": n} for c, n in CATALOGUE[offset : offset + 2]]
        return httpx.Response(status, json={"data": page, "count": len(CATALOGUE)})

    return httpx.MockTransport(answer)


@pytest.fixture
def settings(tmp_path: Path) -> CollectorSettings:
    return CollectorSettings(data_dir=tmp_path, inventory_token="t" * 40)


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[httpx.Request]:
    """The CLI's inventory client answers from CATALOGUE; the requests it made."""
    monkeypatch.setenv("SPBE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SPBE_INVENTORY_TOKEN", "k" * 40)
    seen: list[httpx.Request] = []
    real = cli.make_inventory_client
    monkeypatch.setattr(cli, "make_inventory_client", lambda s: real(s, inventory(seen)))
    return seen


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.output


def test_declared_by_names_the_file(settings) -> None:
    register = read_register(SHEETS / "applications_good.csv", settings)
    assert {row.declared_by for row in register.rows} == {"import:applications_good.csv"}


def test_commit_refuses_a_register_with_errors_and_publishes_nothing(settings, producer) -> None:
    register = read_register(SHEETS / "applications_bad.csv", settings)
    with pytest.raises(RegisterRejected, match="9 kesalahan"):
        commit_register(register, producer)
    assert producer.records == []


def test_good_xlsx_commits_every_asset(settings, producer) -> None:
    register = read_register(SHEETS / "assets_good.xlsx", settings)
    assert register.errors == []
    assert commit_register(register, producer) == 3
    events = producer.events()
    assert {e.type for e in events} == {EventType.ASSET_DECLARED}
    assert [e.data.serial for e in events if isinstance(e.data, AssetDeclared)][1] == "12345"
    assert producer.flushes == 1


def test_the_collector_limits_apply(tmp_path: Path) -> None:
    rows = tmp_path / "banyak.csv"
    rows.write_text("Nama Aplikasi,Kode OPD\n" + "".join(f"A{i},DINKES\n" for i in range(20)))
    with pytest.raises(RegisterRejected, match="batas 10 baris"):
        read_register(rows, CollectorSettings(data_dir=tmp_path, import_max_rows=10))


def test_the_catalogue_is_read_page_by_page_with_the_collectors_token(settings) -> None:
    seen: list[httpx.Request] = []
    with make_inventory_client(settings, inventory(seen)) as client:
        assert opd_catalogue(client) == dict(CATALOGUE)
    assert [r.url.params["offset"] for r in seen] == ["0", "2", "4"]
    assert {r.headers["Authorization"] for r in seen} == {"Bearer " + "t" * 40}


@pytest.mark.parametrize(
    ("transport", "message"),
    [
        (inventory([], status=401), "atur SPBE_INVENTORY_TOKEN"),
        (inventory([], status=503), "inventaris menjawab 503"),
        (httpx.MockTransport(lambda r: httpx.Response(200, text="<html>")), "bukan daftar OPD"),
    ],
)
def test_an_inventory_that_cannot_be_asked_is_a_clear_error(settings, transport, message) -> None:
    with (
        make_inventory_client(settings, transport) as client,
        pytest.raises(InventoryUnavailable, match=message),
    ):
        opd_catalogue(client)


def test_import_json_dry_run_of_the_dinkes_register(asked: list[httpx.Request], tmp_path) -> None:
    code, output = invoke(
        "import", str(REGISTERS / "dinkes_aset_tik.xlsx"), "--opd", "dinkes", "--dry-run", "--json"
    )
    assert code == 0, output
    report = json.loads(output)
    assert sorted(report) == ["columns", "errors", "rows", "skipped", "valid", "warnings"]
    assert (report["valid"], report["errors"], len(report["rows"])) == (18, [], 18)
    assert asked and not (tmp_path / "data" / "events.db").exists()


def test_import_json_reports_an_unknown_opd_and_exits_2(asked: list[httpx.Request]) -> None:
    code, output = invoke("import", str(REGISTERS / "opd_tidak_dikenal.xlsx"), "--json")
    assert code == 2
    assert json.loads(output)["errors"] == [
        {"row": 3, "column": "Kode OPD", "message": "OPD 'DINKESS' tidak ada di katalog"}
    ]


def test_import_refused_files_keep_the_json_contract(asked: list[httpx.Request]) -> None:
    code, output = invoke("import", str(SHEETS / "not_a_sheet.xlsx"), "--json")
    assert code == 2
    assert json.loads(output) == {
        "valid": 0,
        "errors": [{"row": None, "column": "",
                    "message": "file XLSX rusak atau bukan XLSX (zip tidak valid)"}],
        "warnings": [], "skipped": [], "columns": {}, "rows": [],
    }  # fmt: skip


def test_import_without_an_inventory_is_refused_clearly(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SPBE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SPBE_INVENTORY_URL", "http://127.0.0.1:9")  # discard: nothing listens
    code, output = invoke("import", str(SHEETS / "applications_good.csv"), "--dry-run")
    assert code == 2
    text = " ".join(output.split())
    assert "inventaris di http://127.0.0.1:9 tidak dapat dihubungi" in text
    assert "1 kesalahan; tidak ada yang diimpor" in text


def test_import_text_report_names_rows_columns_and_skips(asked: list[httpx.Request]) -> None:
    code, output = invoke("import", str(SHEETS / "applications_bad.csv"))
    assert code == 2
    text = " ".join(output.split())
    assert "baris 3, kolom 'Nama Aplikasi': wajib diisi" in text
    assert "9 kesalahan; tidak ada yang diimpor" in text
    code, output = invoke("import", str(REGISTERS / "rumus_di_sel.xlsx"), "--opd", "DINKES")
    text = " ".join(output.split())
    assert code == 2 and "rumus (formula) tidak diizinkan di sel D5" in text
    assert "kolom 'No.' -> diabaikan (tidak dipetakan)" in text
    assert "baris 1 dilewati: judul di atas tabel" in text


def test_import_text_report_says_costs_were_read_in_thousands(
    asked: list[httpx.Request], tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [["No", "Jenis / Nama Barang", "Harga (Rp. 000)"], [1, "Komputer", "2.100"]]:
        sheet.append(row)
    book.save(tmp_path / "kir.xlsx")
    code, output = invoke("import", str(tmp_path / "kir.xlsx"), "--opd", "DINKES", "--dry-run")
    text = " ".join(output.split())
    assert code == 0, text
    assert (
        "kolom 'Harga (Rp. 000)' -> acquisition_cost, dibaca dalam ribuan rupiah (x 1.000)" in text
    )


def test_template_then_import_publishes(asked: list[httpx.Request], tmp_path: Path) -> None:
    out = tmp_path / "aset.xlsx"
    code, output = invoke("template", "assets", str(out))
    assert code == 0 and "kode OPD: katalog inventaris" in " ".join(output.split())
    code, output = invoke("import", str(out))
    assert code == 0 and "1 baris assets diimpor" in output, output
    assert (tmp_path / "data" / "events.db").exists()


def _validations(path: Path) -> dict[str, list[str]]:
    sheet = openpyxl.load_workbook(path)["Aset TIK"]
    headers = {c.column_letter: c.value for c in sheet[1]}
    return {
        headers[str(v.sqref).split(":")[0].rstrip("0123456789")]: v.formula1.strip('"').split(",")
        for v in sheet.data_validations.dataValidation
    }


def test_template_has_a_guide_and_drop_downs(asked: list[httpx.Request], tmp_path: Path) -> None:
    out = tmp_path / "aset.xlsx"
    assert invoke("template", "assets", str(out))[0] == 0
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["Aset TIK", "Petunjuk"]
    guide = [[c for c in row if c is not None] for row in workbook["Petunjuk"].values]
    assert ["DINKES", "Dinas Kesehatan"] in guide and ["RSDP", "RSUD"] in guide
    assert ["UPS Ruang Server"] not in guide  # examples are per kind, below
    assert ["Catu daya (UPS)", "UPS, Genset, Stabilizer", "UPS ruang server"] in guide
    assert ["Rusak Berat", "RB"] in guide
    assert _validations(out) == {
        "Jenis Aset": ["Server", "Mesin virtual", "Perangkat jaringan", "Penyimpanan",
                       "Perangkat keamanan", "Periferal", "Perangkat pengguna akhir",
                       "Catu daya (UPS)", "CCTV", "Lainnya"],
        "Kondisi": ["Baik", "Rusak Ringan", "Rusak Berat"],
    }  # fmt: skip


def test_template_without_an_inventory_lists_the_samples_opd(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SPBE_INVENTORY_URL", "http://127.0.0.1:9")
    out = tmp_path / "aplikasi.xlsx"
    code, output = invoke("template", "applications", str(out))
    assert code == 0 and "kode OPD: data contoh" in " ".join(output.split())
    guide = [[c for c in row if c is not None] for row in openpyxl.load_workbook(out)[
        "Petunjuk"].values]  # fmt: skip
    assert ["DINKES", "Dinas Kesehatan"] in guide


def test_every_label_of_the_drop_down_reads_back_as_its_kind(tmp_path: Path) -> None:
    from spbe_common.registers.template import KIND_LABELS

    path = tmp_path / "jenis.csv"
    rows = "".join(f"{label} {i},{label},DINKES\n" for i, (label, _w, _e) in
                   enumerate(KIND_LABELS.values()))  # fmt: skip
    path.write_text("Nama Aset,Jenis Aset,Kode OPD\n" + rows, encoding="utf-8")
    register = read_register(path, CollectorSettings(data_dir=tmp_path))
    assert register.errors == []
    assert [getattr(r, "kind", None) for r in register.rows] == list(KIND_LABELS)
