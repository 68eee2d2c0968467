"""The Indonesian words the derivation's evidence and missing lines use for the catalogue's enum
values (life-cycle stages, service areas, review subjects, audit kinds): those lines are read by
evaluators on the Penilaian and Evaluasi pages, so they never print a raw code.

Kept in the scorer: the inventory's pages show these lines as the scorer wrote them and print
none of these enums themselves. A value missing here (a newer enum member) is printed as it is.
"""

from collections.abc import Iterable

from spbe_common.catalogue import SERVICE_AREA_LABELS, AuditCoverage
from spbe_scorer.catalogue import (
    AssetStage,
    AuditKind,
    LifecycleStage,
    ReviewSubject,
    ServiceArea,
)

# Application development life cycle (indicator 15, level 2), as 59/2020 lists the stages.
LIFECYCLE_STAGES: dict[LifecycleStage, str] = {
    LifecycleStage.NEEDS_ANALYSIS: "analisis kebutuhan",
    LifecycleStage.PLANNING: "perencanaan",
    LifecycleStage.DESIGN: "desain",
    LifecycleStage.IMPLEMENTATION: "implementasi",
    LifecycleStage.ACCEPTANCE_TESTING: "uji penerimaan",
    LifecycleStage.MAINTENANCE: "pemeliharaan",
    LifecycleStage.EVALUATION: "evaluasi",
}

# What an ICT asset management guideline covers (indicator 24, level 3).
ASSET_STAGES: dict[AssetStage, str] = {
    AssetStage.PLANNING: "perencanaan",
    AssetStage.PROCUREMENT: "pengadaan",
    AssetStage.MANAGEMENT: "pengelolaan",
    AssetStage.DISPOSAL: "penghapusan",
}

# Service areas by the name of the 59/2020 indicator they evidence (32-47): "Layanan" and the
# area's name as the inventory's pages give it; the Pemda's chosen sectors by their slot.
SERVICE_AREAS: dict[ServiceArea, str] = {
    **{area: f"Layanan {label}" for area, label in SERVICE_AREA_LABELS.items()},
    ServiceArea.SEKTOR_1: "Layanan Publik Sektor 1",
    ServiceArea.SEKTOR_2: "Layanan Publik Sektor 2",
    ServiceArea.SEKTOR_3: "Layanan Publik Sektor 3",
}

# What a periodic review (reviu) looked at, as it follows the word "reviu".
REVIEW_SUBJECTS: dict[ReviewSubject, str] = {
    ReviewSubject.DATA_CENTRE: "Layanan Pusat Data",
    ReviewSubject.INTRA_NETWORK: "Layanan Jaringan Intra",
    ReviewSubject.SERVICE_BUS: "Sistem Penghubung Layanan",
    ReviewSubject.APPLICATION_DEVELOPMENT: "pembangunan aplikasi",
    ReviewSubject.ASSET_MANAGEMENT: "manajemen aset TIK",
    ReviewSubject.SERVICE_PORTAL: "portal layanan digital",
    ReviewSubject.APPLICATION: "layanan elektronik aplikasi",
}

# The audit kinds as the names of indicators 29-31 say them, after the word "audit".
AUDIT_KINDS: dict[AuditKind, str] = {
    AuditKind.INFRASTRUCTURE: "infrastruktur SPBE",
    AuditKind.APPLICATION: "aplikasi SPBE",
    AuditKind.SECURITY: "keamanan SPBE",
}

# How much of the main items an audit covered, before "item utama".
AUDIT_COVERAGE: dict[AuditCoverage, str] = {
    AuditCoverage.SOME: "sebagian",
    AuditCoverage.ALL: "seluruh",
}


def area(value: ServiceArea) -> str:
    return SERVICE_AREAS.get(value, str(value))


def subject(value: ReviewSubject) -> str:
    return REVIEW_SUBJECTS.get(value, str(value))


def audit_kind(value: AuditKind) -> str:
    return AUDIT_KINDS.get(value, str(value))


def audit_coverage(value: AuditCoverage) -> str:
    return AUDIT_COVERAGE.get(value, str(value))


def lifecycle_stages(values: Iterable[LifecycleStage]) -> str:
    """'pemeliharaan, evaluasi': the stages in words, in the given order."""
    return ", ".join(LIFECYCLE_STAGES.get(v, str(v)) for v in values)


def asset_stages(values: Iterable[AssetStage]) -> str:
    return ", ".join(ASSET_STAGES.get(v, str(v)) for v in values)
