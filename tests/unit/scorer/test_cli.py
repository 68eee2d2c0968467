"""The `levels` and `frameworks` commands, through Typer's runner."""

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from spbe_scorer.cli import app
from spbe_scorer.frameworks import Framework
from spbe_scorer.frameworks.loader import BUILTIN_DIR

runner = CliRunner()


def _levels(framework: Framework, level: object) -> dict[str, object]:
    return {i.id: level for i in framework.indicators}


def _json_file(tmp_path: Path, levels: dict[str, object]) -> Path:
    path = tmp_path / "levels.json"
    path.write_text(json.dumps(levels))
    return path


def test_json_file_prints_tables_and_predicate(tmp_path: Path, spbe2020: Framework) -> None:
    result = runner.invoke(
        app, ["levels", str(_json_file(tmp_path, _levels(spbe2020, 3))), "--framework", "spbe-2020"]
    )
    assert result.exit_code == 0, result.output
    assert "spbe-2020 index 3.00 (Baik)" in result.stdout
    assert "Layanan Publik Berbasis Elektronik" in result.stdout


def test_json_output_is_one_object_with_the_contract_keys(
    tmp_path: Path, spbe2020: Framework
) -> None:
    levels = {**_levels(spbe2020, 4), **{str(i): 5 for i in range(11, 19)}}  # 4.2, see service
    result = runner.invoke(
        app, ["levels", str(_json_file(tmp_path, levels)), "-f", "spbe-2020", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) == {"index", "predicate", "domains", "aspects"}
    assert (document["index"], document["predicate"]) == (4.2, "Memuaskan")
    assert document["domains"]["D2"] == {"name": "Tata Kelola SPBE", "index": 4.8, "weight": 25.0}
    assert set(document["aspects"]) == {f"A{n}" for n in range(1, 9)}


def test_csv_file(tmp_path: Path, spbe2018: Framework) -> None:
    path = tmp_path / "levels.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["indicator", "value"])
        writer.writerows(_levels(spbe2018, 2).items())
    result = runner.invoke(app, ["levels", str(path), "-f", "spbe-2018", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["predicate"] == "Cukup"


def test_xlsx_file_with_fractional_pemdi_levels(tmp_path: Path, pemdi2026: Framework) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for key in _levels(pemdi2026, None):
        if key not in {"I5", "I6", "I7", "I18"}:
            sheet.append([key, 1.26])
    path = tmp_path / "levels.xlsx"
    workbook.save(path)
    result = runner.invoke(app, ["levels", str(path), "-f", "pemdi-2026", "--json"])
    assert result.exit_code == 0, result.output
    # 86 weight at 1.26, the four external indices (weight 14) default to 1: 1.2236 -> Kurang
    assert json.loads(result.stdout)["index"] == pytest.approx(1.2236, abs=1e-12)
    table = runner.invoke(app, ["levels", str(path), "-f", "pemdi-2026"])
    assert "default: I5, I6, I7, I18" in table.stdout


def test_bad_indicators_are_named_with_exit_code_2(tmp_path: Path, spbe2020: Framework) -> None:
    levels = {**_levels(spbe2020, 3), "16": 9, "99": 1}
    del levels["17"]
    result = runner.invoke(app, ["levels", str(_json_file(tmp_path, levels)), "-f", "spbe-2020"])
    assert result.exit_code == 2
    assert "indicator 16: level 9 is outside 1..5" in result.stderr
    assert "indicator 17: no level given" in result.stderr
    assert "indicator 99: not an indicator of spbe-2020" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("name", "content", "framework", "message"),
    [
        ("absent.json", None, "spbe-2020", "no such file"),
        ("bad.json", '{"1": ', "spbe-2020", "not valid JSON"),
        ("ok.json", '{"1": 3}', "spbe-2099", "unknown framework 'spbe-2099'"),
        ("levels.txt", "1,3", "spbe-2020", "unsupported file type"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, name: str, content: str | None, framework: str, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    result = runner.invoke(app, ["levels", str(path), "-f", framework, "--json"])
    assert result.exit_code == 2
    assert message in result.stderr


def test_frameworks_lists_builtin_and_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPBE_FRAMEWORKS_DIR", str(tmp_path))
    source = BUILTIN_DIR / "pemdi-2026.yaml"
    (tmp_path / "pemdi-draft.yaml").write_text(
        source.read_text().replace("id: pemdi-2026", "id: pemdi-draft")
    )
    result = runner.invoke(app, ["frameworks"])
    assert result.exit_code == 0, result.output
    for framework_id in ("spbe-2018", "spbe-2020", "pemdi-2026", "pemdi-draft"):
        assert framework_id in result.stdout


def test_frameworks_reports_a_broken_extra_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPBE_FRAMEWORKS_DIR", str(tmp_path))
    (tmp_path / "broken.yaml").write_text("id: broken\ntitle: x\n")
    result = runner.invoke(app, ["frameworks"])
    assert result.exit_code == 2
    assert "broken.yaml" in result.stderr
    assert "levels: Field required" in result.stderr
