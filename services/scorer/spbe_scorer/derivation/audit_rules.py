"""Derivation rules of PermenPANRB 59/2020 for indicators 29-31 (Pelaksanaan Audit TIK)."""

from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from functools import partial

from spbe_common.catalogue import AuditCoverage
from spbe_scorer.catalogue import Audit, AuditKind, AuditorKind, CatalogueSnapshot

from .facts import AUDIT_WINDOW, coverage, followed_up, opd_codes, recent_audits
from .model import Check, Evidence, Ladder, Proposal, Step
from .registry import register

FRAMEWORK = "spbe-2020"


# --- 29/30/31 Pelaksanaan Audit Infrastruktur / Aplikasi / Keamanan ---------------------------
# One audit of any scope no longer sets the level: each level asks for the audits that meet its
# criterion to cover enough. Coverage grows with the level (some OPD, then all main items, then
# every OPD); 59/2020 states no coverage, so the proposal says this reading is unconfirmed.

AUDIT_READING = (
    "coverage per level (all main items from level 3, every OPD from level 4) is this rule's"
    " reading; 59/2020 states the auditor and follow-up criteria but no coverage"
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
    opds = ", ".join(audit.opds) or "OPD not recorded"
    return f"{audit.kind} audit on {audit.date.isoformat()} of {opds} ({audit.coverage} main items)"


def _audit_coverage(
    kind: AuditKind, passes: AuditTest, what: str, all_opd: bool, snapshot: CatalogueSnapshot
) -> Check:
    """The recent audits of `kind` that pass, and whether the OPD they audited are enough."""
    audits = [a for a in recent_audits(snapshot, kind) if passes(snapshot, a)]
    covered = {code for a in audits for code in a.opds}
    found = coverage(snapshot, covered, f"a {kind} audit {what}", all_opd=all_opd)
    unrecorded = tuple(f"audit {a.id}: the OPD it audited" for a in audits if not a.opds)
    evidence = tuple(Evidence("audit", a.id, _audit_detail(a)) for a in audits)
    return Check(found.met, evidence, found.missing + unrecorded, found.missing_opds)


def audit_ladder(kind: AuditKind) -> Ladder:
    def step(level: int, criterion: str, passes: AuditTest, what: str, all_opd: bool) -> Step:
        return Step(level, criterion, partial(_audit_coverage, kind, passes, what, all_opd))

    return Ladder(
        1,
        "Audits not done, or done without continuous planning.",
        (
            step(2, "Audits done to a continuous plan, in some OPD.", _planned,
                 "done to a continuous plan", False),
            step(3, "Audits done to a standard, covering all main items of the OPD audited.",
                 _standard, "done to a standard, covering all main items", False),
            step(4, "Audits by certified external auditors, covering all main items of every OPD.",
                 _external, "by certified external auditors, covering all main items", True),
            step(5, "Findings of those audits followed up with improvements in every OPD.",
                 _findings_followed, "whose findings were followed up after it", True),
        ),
    )  # fmt: skip


def _audits(kind: AuditKind, indicator: str, snapshot: CatalogueSnapshot) -> Proposal:
    if not recent_audits(snapshot, kind):
        wanted = f"at least one {kind} audit within the last {AUDIT_WINDOW.days} days"
        return Proposal(
            indicator, Fraction(1), "Audits are not done.", missing=(wanted,),
            missing_opds=tuple(opd_codes(snapshot)), unconfirmed=AUDIT_READING,
        )  # fmt: skip
    return replace(audit_ladder(kind).climb(indicator, snapshot), unconfirmed=AUDIT_READING)


for _kind, _indicator in (
    (AuditKind.INFRASTRUCTURE, "29"),
    (AuditKind.APPLICATION, "30"),
    (AuditKind.SECURITY, "31"),
):
    register(FRAMEWORK, _indicator, partial(_audits, _kind, _indicator))
