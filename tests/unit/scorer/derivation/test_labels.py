"""What evaluators read of a proposal is Bahasa Indonesia: every enum value the lines name has
an Indonesian word, and no line prints a raw code or an English phrase."""

import re
from enum import StrEnum
from pathlib import Path

import pytest

from spbe_common.catalogue import AuditCoverage
from spbe_scorer.catalogue import (
    AssetManagement,
    AssetStage,
    AuditKind,
    CatalogueSnapshot,
    LifecycleStage,
    ReviewSubject,
    ServiceArea,
)
from spbe_scorer.derivation import derive, labels
from spbe_scorer.frameworks import load_framework

from .builders import OPDS, app, audit, facility, review, snapshot

EXAMPLE = Path(__file__).parents[1] / "data" / "catalogue-snapshot.json"
TABLES: list[tuple[type[StrEnum], dict]] = [
    (LifecycleStage, labels.LIFECYCLE_STAGES),
    (AssetStage, labels.ASSET_STAGES),
    (ServiceArea, labels.SERVICE_AREAS),
    (ReviewSubject, labels.REVIEW_SUBJECTS),
    (AuditKind, labels.AUDIT_KINDS),
    (AuditCoverage, labels.AUDIT_COVERAGE),
]
CODES = {str(v) for enum, _ in TABLES for v in enum if "_" in v.value} | {
    "some", "all", "infrastructure", "security", "disposal", "procurement",
}  # fmt: skip
ENGLISH = re.compile(
    r"\b(the|of|and|with|is|are|an|does|exists?|every|level|reviews?|reviewed|needs?|used|"
    r"applied|applications?|development|at least|within|followed|documents?|not yet|assets?|"
    r"licences?|works|mean|audits? (are|not|done)|improved|integrated|interconnected|information|transactions?)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize(("enum", "table"), TABLES, ids=[e.__name__ for e, _ in TABLES])
def test_every_value_has_an_indonesian_word(enum: type[StrEnum], table: dict) -> None:
    missing = [value.value for value in enum if value not in table]
    assert not missing, f"{enum.__name__} lacks {missing}"


def test_stages_are_said_in_words() -> None:
    assert labels.lifecycle_stages([LifecycleStage.NEEDS_ANALYSIS, LifecycleStage.DESIGN]) == (
        "analisis kebutuhan, desain"
    )
    assert labels.asset_stages(list(AssetStage)) == (
        "perencanaan, pengadaan, pengelolaan, penghapusan"
    )
    assert labels.area(ServiceArea.BARANG_MILIK_DAERAH) == "Layanan Pengelolaan Barang Milik Daerah"


def _catalogues() -> list[CatalogueSnapshot]:
    """The example snapshot, an empty one, and one that stops every ladder partway."""
    partway = snapshot(
        facilities=[facility(used_by=OPDS[:1]), facility("pdn", kind="pdn")],
        applications=[
            app("simpeg", "BKAD", lifecycle_documents=list(LifecycleStage)[:2]),
            app("lapor", service_areas=["pengaduan"], function_level=5, uses_service_bus=True),
            app("draft", service_areas=["kearsipan"]),
            *(app(f"a{n}", service_areas=["keuangan"], function_level=2) for n in range(30)),
        ],
        asset_management=AssetManagement(programme=True, guideline_stages=["planning"]),
        audits=[audit("x", kind="application", in_plan=True)],
        reviews=[review(ReviewSubject.DATA_CENTRE, improvements_followed_up=True)],
    )
    example = CatalogueSnapshot.model_validate_json(EXAMPLE.read_text())
    return [example, snapshot(), partway]


@pytest.mark.parametrize("framework", ["spbe-2020", "pemdi-2026"])
def test_no_line_a_rule_writes_is_english_or_a_raw_code(framework: str) -> None:
    for catalogue in _catalogues():
        for proposal in derive(framework, catalogue):
            lines = [
                proposal.criterion, *proposal.missing, *(e.detail for e in proposal.evidence),
                proposal.unconfirmed or "",
            ]  # fmt: skip
            for line in lines:
                words = set(re.findall(r"[a-z_]+", line))
                assert not (words & CODES), (proposal.indicator, line)
                assert not ENGLISH.search(line), (proposal.indicator, line)


@pytest.mark.parametrize("framework", ["spbe-2020", "spbe-2018", "pemdi-2026"])
def test_criteria_and_notes_of_the_framework_files_are_indonesian(framework: str) -> None:
    found = load_framework(framework)
    texts = [*found.unconfirmed]
    for scale in found.scales.values():
        texts += [*scale.criteria.values(), scale.description, scale.unconfirmed or ""]
    for domain in found.domains:
        texts += [domain.note or "", domain.unconfirmed or ""]
        for aspect in domain.aspects:
            texts += [aspect.note or "", aspect.unconfirmed or ""]
            for ind in aspect.indicators:
                texts += [
                    *ind.criteria.values(),
                    *ind.evidence,
                    ind.note or "",
                    ind.unconfirmed or "",
                ]
    for text in texts:
        assert not ENGLISH.search(text), (framework, text)
