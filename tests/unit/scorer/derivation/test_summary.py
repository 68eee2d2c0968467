"""The application summary the rules read: bounded evidence and what is missing, counts kept,
and a snapshot that carries a summary derives as the one that lists its applications."""

from pathlib import Path

from spbe_common.catalogue import EXAMPLES
from spbe_scorer.catalogue import CatalogueSnapshot, LifecycleStage, ReviewSubject, ServiceArea
from spbe_scorer.derivation import derive, rules
from spbe_scorer.derivation.service_rules import best_service_level
from spbe_scorer.derivation.summary import summarise

from .builders import app, review, snapshot

EXAMPLE = Path(__file__).parents[1] / "data" / "catalogue-snapshot.json"
ALL = list(LifecycleStage)


def test_lacking_applications_are_named_up_to_examples_then_counted() -> None:
    apps = [app(f"a{i:02d}", lifecycle_documents=ALL) for i in range(EXAMPLES + 5)]
    proposal = rules.application_development(snapshot(applications=apps))
    need = "dikonsultasikan dengan OPD pengelola TIK"
    assert proposal.level == 2
    assert proposal.missing == (
        *(f"a{i:02d} (BAPPEDA): {need}" for i in range(EXAMPLES)),
        f"5 aplikasi lainnya: {need}",
    )
    assert [e.id for e in proposal.evidence] == [
        *(f"app-a{i:02d}" for i in range(EXAMPLES)),
        "more",
    ]
    assert proposal.evidence[-1].detail == "5 aplikasi lainnya: " + (
        "dokumen untuk setiap tahap siklus pembangunan aplikasi"
    )


def test_evidence_names_each_application_and_its_opd() -> None:
    """An evaluator checks evidence by the application's name, not by its catalogue number."""
    apps = [app("SIMPUS", opd="DINKES", lifecycle_documents=ALL), app("e-Kinerja")]
    proposal = rules.application_development(snapshot(applications=apps))
    assert [e.detail for e in proposal.evidence] == [
        "SIMPUS (DINKES) — dokumen untuk setiap tahap siklus pembangunan aplikasi"
    ]
    keuangan = best_service_level(
        ServiceArea.KEUANGAN,
        snapshot(
            applications=[app("SIPD", opd="BKAD", service_areas=["keuangan"], function_level=3)]
        ),
    )
    assert [e.detail for e in keuangan.evidence] == ["SIPD (BKAD) — tingkat 3"]


def test_the_best_service_application_is_found_beyond_the_named_examples() -> None:
    many = [app(f"s{i:02d}", service_areas=["keuangan"], function_level=2) for i in range(30)]
    best = app("best", opd="BKAD", service_areas=["keuangan"], function_level=3)
    proposal = best_service_level(ServiceArea.KEUANGAN, snapshot(applications=[*many, best]))
    assert (proposal.level, proposal.criterion) == (
        3,
        "best (BKAD) berfungsi pada tingkat fungsi teknis 3.",
    )
    assert len(proposal.evidence) == EXAMPLES + 1
    assert proposal.evidence[0].id == "app-s00"
    assert proposal.evidence[-1].detail.startswith(f"{31 - EXAMPLES} aplikasi lainnya")


def _counted(listed: CatalogueSnapshot) -> CatalogueSnapshot:
    """The same catalogue as the inventory sends it with ?applications=summary."""
    return listed.model_copy(update={"applications": [], "application_summary": summarise(listed)})


def test_a_snapshot_with_a_summary_derives_as_the_one_with_the_list() -> None:
    example = CatalogueSnapshot.model_validate_json(EXAMPLE.read_text())
    top = dict(service_areas=["keuangan"], function_level=5, uses_service_bus=True)
    catalogue = snapshot(
        applications=[
            app("reviewed", **top), app("unreviewed", **top),
            app("old", **{**top, "function_level": 4, "uses_service_bus": False}),
            app("unrated", service_areas=["keuangan", "keuangan"]),
        ],
        reviews=[review(ReviewSubject.APPLICATION, follow_up=20, applications=["app-reviewed"])],
    )  # fmt: skip
    for listed in (example, catalogue):
        for framework in ("spbe-2020", "pemdi-2026"):
            assert derive(framework, _counted(listed)) == derive(framework, listed)
    keuangan = best_service_level(ServiceArea.KEUANGAN, _counted(catalogue))
    assert (keuangan.level, keuangan.criterion) == (
        5, "reviewed (BAPPEDA) berfungsi pada tingkat fungsi teknis 5."
    )  # fmt: skip
