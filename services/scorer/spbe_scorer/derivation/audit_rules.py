"""Derivation rules of PermenPANRB 59/2020 for indicators 29-31 (Pelaksanaan Audit TIK)."""

from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from functools import partial

from spbe_common.catalogue import AuditCoverage
from spbe_scorer.catalogue import Audit, AuditKind, AuditorKind, CatalogueSnapshot

from .facts import AUDIT_WINDOW, coverage, followed_up, opd_codes, recent_audits
from .labels import audit_coverage, audit_kind
from .model import Check, Evidence, Ladder, Proposal, Step
from .registry import register

FRAMEWORK = "spbe-2020"


# --- 29/30/31 Pelaksanaan Audit Infrastruktur / Aplikasi / Keamanan ---------------------------
# One audit of any scope no longer sets the level: each level asks for the audits that meet its
# criterion to cover enough. Coverage grows with the level (some OPD, then all main items, then
# every OPD); 59/2020 states no coverage, so the proposal says this reading is unconfirmed.

AUDIT_READING = (
    "cakupan per tingkat (seluruh item utama mulai tingkat 3, setiap OPD mulai tingkat 4) adalah"
    " tafsiran aturan penurunan ini; PermenPANRB 59/2020 menetapkan kriteria auditor dan tindak"
    " lanjut, tetapi tidak menetapkan cakupan"
)
AuditTest = Callable[[CatalogueSnapshot, Audit], bool]


def _planned(snapshot: CatalogueSnapshot, audit: Audit) -> bool:
    return audit.in_plan


def _standard(snapshot: CatalogueSnapshot, audit: Audit) -> bool:
    return audit.in_plan and audit.standard_based and audit.coverage is AuditCoverage.ALL


def _external(snapshot: CatalogueSnapshot, audit: Audit) -> bool:
    return _standard(snapshot, audit) and audit.auditor is AuditorKind.CERTIFIED_EXTERNAL


def _findings_followed(snapshot: CatalogueSnapshot, audit: Audit) -> bool:
    return _external(snapshot, audit) and followed_up(snapshot, audit.date, audit.followed_up_on)


def _audit_detail(audit: Audit) -> str:
    opds = ", ".join(audit.opds) or "OPD tidak tercatat"
    return (
        f"audit {audit_kind(audit.kind)} pada {audit.date.isoformat()} atas {opds}"
        f" ({audit_coverage(audit.coverage)} item utama)"
    )


def _audit_coverage(
    kind: AuditKind, passes: AuditTest, what: str, all_opd: bool, snapshot: CatalogueSnapshot
) -> Check:
    """The recent audits of `kind` that pass, and whether the OPD they audited are enough."""
    audits = [a for a in recent_audits(snapshot, kind) if passes(snapshot, a)]
    covered = {code for a in audits for code in a.opds}
    found = coverage(snapshot, covered, f"audit {audit_kind(kind)} {what}", all_opd=all_opd)
    unrecorded = tuple(
        f"audit {a.id}: OPD yang diaudit belum dicatat" for a in audits if not a.opds
    )
    evidence = tuple(Evidence("audit", a.id, _audit_detail(a)) for a in audits)
    return Check(found.met, evidence, found.missing + unrecorded, found.missing_opds)


def audit_ladder(kind: AuditKind) -> Ladder:
    def step(level: int, criterion: str, passes: AuditTest, what: str, all_opd: bool) -> Step:
        return Step(level, criterion, partial(_audit_coverage, kind, passes, what, all_opd))

    return Ladder(
        1,
        "Audit belum dilaksanakan, atau dilaksanakan tanpa perencanaan berkelanjutan.",
        (
            step(2, "Audit dilaksanakan sesuai perencanaan berkelanjutan, di sebagian OPD.",
                 _planned, "sesuai perencanaan berkelanjutan", False),
            step(3, "Audit dilaksanakan sesuai standar, mencakup seluruh item utama OPD yang"
                 " diaudit.", _standard, "sesuai standar, mencakup seluruh item utama", False),
            step(4, "Audit oleh auditor eksternal bersertifikat, mencakup seluruh item utama"
                 " setiap OPD.", _external,
                 "oleh auditor eksternal bersertifikat, mencakup seluruh item utama", True),
            step(5, "Temuan audit tersebut ditindaklanjuti dengan perbaikan di setiap OPD.",
                 _findings_followed, "yang temuannya ditindaklanjuti setelah audit", True),
        ),
    )  # fmt: skip


def _audits(kind: AuditKind, indicator: str, snapshot: CatalogueSnapshot) -> Proposal:
    if not recent_audits(snapshot, kind):
        wanted = (
            f"sekurang-kurangnya satu audit {audit_kind(kind)} dalam {AUDIT_WINDOW.days} hari"
            " terakhir"
        )
        return Proposal(
            indicator, Fraction(1), "Audit belum dilaksanakan.", missing=(wanted,),
            missing_opds=tuple(opd_codes(snapshot)), unconfirmed=AUDIT_READING,
        )  # fmt: skip
    return replace(audit_ladder(kind).climb(indicator, snapshot), unconfirmed=AUDIT_READING)


for _kind, _indicator in (
    (AuditKind.INFRASTRUCTURE, "29"),
    (AuditKind.APPLICATION, "30"),
    (AuditKind.SECURITY, "31"),
):
    register(FRAMEWORK, _indicator, partial(_audits, _kind, _indicator))
