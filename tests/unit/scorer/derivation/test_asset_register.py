"""Indicator 24 reads the asset register itself: each OPD's shares are evidence, not the level."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from spbe_common.catalogue import AssetRegister
from spbe_scorer.catalogue import AssetManagement, CatalogueSnapshot
from spbe_scorer.derivation import Evidence, rules_for
from spbe_scorer.derivation.asset_register import share
from spbe_scorer.runs.export import workbook_bytes

from .builders import TAKEN, app, snapshot

RULES = rules_for("spbe-2020")
PLANNED = AssetManagement(programme=True)
REGISTERS = [
    AssetRegister(
        opd="BAPPEDA", active=18, with_procurement_year=15, with_condition=18, with_asset_code=9
    ),
    AssetRegister(opd="BKAD", active=2, with_procurement_year=0, with_condition=1),
    AssetRegister(opd="DINSOS", active=7, with_condition=7),  # not an OPD of the snapshot
]
APPS = [
    app("sipd", licence="proprietary", licence_until=date(2026, 12, 31)),
    app("simda", licence="proprietary", licence_until=date(2025, 1, 31)),  # before taken_at
    app("simpeg", "BKAD"),
    app("lama", "BKAD", licence="GPL-3.0", status="inactive"),
]


def register_rows() -> list[Evidence]:
    catalogue = snapshot(asset_management=PLANNED, asset_registers=REGISTERS, applications=APPS)
    proposal = RULES["24"](catalogue)
    return [e for e in proposal.evidence if e.id == "register" or e.kind == "opd"]


def test_the_evidence_names_each_opds_shares_and_the_pemda_total() -> None:
    assert register_rows() == [
        Evidence(
            "asset_management", "register",
            "seluruh 3 OPD, daftar aset: 20 aset aktif; tahun pengadaan 15 dari 20 (75%),"
            " kondisi 19 dari 20 (95%), kode barang 9 dari 20 (45%); data lisensi pada 2 dari 3"
            " (66%) aplikasi, 1 lisensi sudah habis masa berlakunya",
        ),
        Evidence(
            "opd", "BAPPEDA",
            "daftar aset: 18 aset aktif; tahun pengadaan 15 dari 18 (83%), kondisi"
            " 18 dari 18 (100%), kode barang 9 dari 18 (50%); data lisensi pada 2 dari 2 (100%)"
            " aplikasi, 1 lisensi sudah habis masa berlakunya",
        ),
        Evidence(
            "opd", "BKAD",
            "daftar aset: 2 aset aktif; tahun pengadaan 0 dari 2 (0%), kondisi 1 dari 2"
            " (50%), kode barang 0 dari 2 (0%); data lisensi pada 0 dari 1 (0%) aplikasi",
        ),
        Evidence("opd", "DISKOMINFO", "daftar aset: belum ada aset aktif yang tercatat; belum ada"
                 " aplikasi aktif"),
    ]  # fmt: skip


@pytest.mark.parametrize("registers", [[], REGISTERS])
def test_the_register_does_not_move_the_level(registers: list[AssetRegister]) -> None:
    """59/2020 names the register among ICT assets but sets no share as a criterion."""
    catalogue = snapshot(asset_management=PLANNED, asset_registers=registers, applications=APPS)
    proposal = RULES["24"](catalogue)
    assert (proposal.level, proposal.missing) == (2, ("pedoman yang juga mencakup perencanaan,"
                                                     " pengadaan, pengelolaan, penghapusan",))  # fmt: skip
    assert proposal.evidence[0] == Evidence(
        "asset_management", "programme", "program terarah dan terencana"
    )


def test_a_level_1_proposal_still_shows_the_register() -> None:
    proposal = RULES["24"](snapshot(asset_registers=REGISTERS[:1]))
    assert proposal.level == 1
    assert [e.id for e in proposal.evidence] == ["register", "BAPPEDA", "BKAD", "DISKOMINFO"]


def test_a_snapshot_without_opd_has_no_register_evidence() -> None:
    assert RULES["24"](CatalogueSnapshot(taken_at=TAKEN)).evidence == ()


def test_share_rounds_down() -> None:
    assert (share(199, 200), share(0, 3), share(3, 3)) == (
        "199 dari 200 (99%)", "0 dari 3 (0%)", "3 dari 3 (100%)",
    )  # fmt: skip


def test_the_workbook_lists_the_shares_under_indicator_24() -> None:
    proposal = RULES["24"](snapshot(asset_management=PLANNED, asset_registers=REGISTERS))
    row = {
        "indicator": "24", "name": "Penerapan Manajemen Aset TIK", "domain": "D3",
        "level_exact": "2", "source": "derived", "criterion": proposal.criterion,
        "evidence": [{"kind": e.kind, "id": e.id, "detail": e.detail} for e in proposal.evidence],
        "evidence_links": [], "justification": None, "missing": [], "missing_opds": [],
        "derived_level_exact": "2", "evaluator": None,
    }  # fmt: skip
    run = {
        "id": "run-1", "framework": "spbe-2020", "framework_version": "2020.1",
        "started_at": TAKEN, "snapshot_hash": "ab" * 32, "snapshot_taken_at": TAKEN,
        "index_exact": "1", "predicate": "Kurang", "counts": {"derived": 1},
        "domains": [{"id": "D3", "name": "Manajemen SPBE", "weight": "1", "index": "2"}],
        "aspects": [],
    }  # fmt: skip
    sheet = load_workbook(BytesIO(workbook_bytes(run, [row])))["D3 Manajemen SPBE"]
    cell = sheet[2][4].value
    assert "OPD BKAD: daftar aset: 2 aset aktif; tahun pengadaan 0 dari 2 (0%)" in cell
