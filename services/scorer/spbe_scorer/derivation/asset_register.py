"""Indicator 24's look at the IT asset register itself: how much of each OPD's register the
catalogue holds (procurement year, condition and asset code of its active assets; licences of
its active applications), shown as evidence beside the programme/guideline ladder.

The reference counts "the IT asset register" and "licences" among the ICT assets that asset
management covers, but sets no share of them as a level criterion, so these shares never move
the level; they tell the evaluator how complete the register behind a claimed level is.
"""

from dataclasses import dataclass

from spbe_scorer.catalogue import CatalogueSnapshot

from .model import Evidence
from .summary import summary_of

ALL_OPD = "register"  # id of the Pemda-wide evidence row (kind asset_management)


@dataclass(frozen=True)
class Coverage:
    """Counts of one OPD's register (or the whole Pemda's): assets, then applications."""

    active: int = 0
    with_procurement_year: int = 0
    with_condition: int = 0
    with_asset_code: int = 0
    applications: int = 0
    with_licence: int = 0
    licence_expired: int = 0

    def __add__(self, other: "Coverage") -> "Coverage":
        return Coverage(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))


def _values(coverage: Coverage) -> tuple[int, ...]:
    return (
        coverage.active, coverage.with_procurement_year, coverage.with_condition,
        coverage.with_asset_code, coverage.applications, coverage.with_licence,
        coverage.licence_expired,
    )  # fmt: skip


def share(count: int, total: int) -> str:
    """'15 dari 18 (83%)': rounded down, so 100% means every one of them."""
    return f"{count} dari {total} ({count * 100 // total}%)"


def coverage_by_opd(snapshot: CatalogueSnapshot) -> dict[str, Coverage]:
    """Every OPD of the snapshot, in its order; register rows of unknown OPD are ignored."""
    registers = {r.opd: r for r in snapshot.asset_registers}
    licences = {r.opd: r for r in summary_of(snapshot).by_opd}
    found: dict[str, Coverage] = {}
    for opd in snapshot.opds:
        row = registers.get(opd.code)
        assets = (
            Coverage(row.active, row.with_procurement_year, row.with_condition, row.with_asset_code)
            if row
            else Coverage()
        )
        apps = licences.get(opd.code)
        found[opd.code] = (
            assets + Coverage(0, 0, 0, 0, apps.active, apps.with_licence, apps.licence_expired)
            if apps
            else assets
        )
    return found


def describe(coverage: Coverage) -> str:
    """The register's shares in words (Bahasa Indonesia), as the run detail and the workbook show
    them; the field names are those of the inventory's asset pages."""
    if coverage.active:
        assets = (
            f"{coverage.active} aset aktif; tahun pengadaan "
            f"{share(coverage.with_procurement_year, coverage.active)}, kondisi "
            f"{share(coverage.with_condition, coverage.active)}, kode barang "
            f"{share(coverage.with_asset_code, coverage.active)}"
        )
    else:
        assets = "belum ada aset aktif yang tercatat"
    return f"daftar aset: {assets}; {_describe_licences(coverage)}"


def _describe_licences(coverage: Coverage) -> str:
    if not coverage.applications:
        return "belum ada aplikasi aktif"
    text = f"data lisensi pada {share(coverage.with_licence, coverage.applications)} aplikasi"
    if coverage.licence_expired:
        text += f", {coverage.licence_expired} lisensi sudah habis masa berlakunya"
    return text


def register_evidence(snapshot: CatalogueSnapshot) -> tuple[Evidence, ...]:
    """The Pemda-wide shares, then one row per OPD (linked to the OPD by its code)."""
    by_opd = coverage_by_opd(snapshot)
    if not by_opd:
        return ()
    total = sum(by_opd.values(), Coverage())
    pemda = Evidence("asset_management", ALL_OPD, f"seluruh {len(by_opd)} OPD, {describe(total)}")
    return (pemda, *(Evidence("opd", code, describe(c)) for code, c in by_opd.items()))
