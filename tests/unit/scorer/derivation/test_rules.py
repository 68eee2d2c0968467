"""Indicators 15, 24, 29-31 and 32-47 (59/2020) at each level boundary; the registry."""

from fractions import Fraction

import pytest

from spbe_scorer.catalogue import (
    SERVICE_AREA_INDICATOR,
    AssetManagement,
    AssetStage,
    LifecycleStage,
    Review,
    ReviewSubject,
    ServiceArea,
)
from spbe_scorer.derivation import derive, rules_for
from spbe_scorer.derivation.registry import register
from spbe_scorer.derivation.rules import audit_level
from spbe_scorer.frameworks import load_framework

from .builders import OPDS, app, audit, days_ago, review, snapshot

RULES = rules_for("spbe-2020")
STAGES = list(LifecycleStage)


# --- 15 Pembangunan Aplikasi SPBE ------------------------------------------------------------


def test_15_level_1_without_pemda_applications() -> None:
    shared = [app("srikandi", kind="general", lifecycle_documents=STAGES)]
    proposal = RULES["15"](snapshot(applications=shared))
    assert proposal.level == 1
    assert proposal.missing == ("at least one active application developed by the Pemda",)


def test_15_level_1_names_the_missing_life_cycle_documents() -> None:
    apps = [
        app("sipd", lifecycle_documents=STAGES),
        app("simpeg", "BKAD", lifecycle_documents=STAGES[:5]),
    ]
    proposal = RULES["15"](snapshot(applications=apps))
    assert proposal.level == 1
    assert proposal.missing == ("simpeg (BKAD): documents for maintenance, evaluation",)


def test_15_levels_2_to_5() -> None:
    def level(reviews: tuple[Review, ...] = (), **fields: bool) -> Fraction:
        apps = [app("sipd", "BAPPEDA", lifecycle_documents=STAGES, **fields)]
        return RULES["15"](snapshot(applications=apps, reviews=list(reviews))).level

    assert level() == 2
    assert level(consulted_with_ict_opd=True) == 3
    assert level(consulted_with_ict_opd=True, controlled_by_ict_opd=True) == 3  # no review
    reviewed = (review(ReviewSubject.APPLICATION_DEVELOPMENT),)
    assert level(reviewed, consulted_with_ict_opd=True, controlled_by_ict_opd=True) == 4
    improved = (review(ReviewSubject.APPLICATION_DEVELOPMENT, improved=True),)
    assert level(improved, consulted_with_ict_opd=True, controlled_by_ict_opd=True) == 5


def test_15_one_unconsulted_application_holds_level_2() -> None:
    apps = [
        app("sipd", lifecycle_documents=STAGES, consulted_with_ict_opd=True),
        app("simpeg", "BKAD", lifecycle_documents=STAGES),
    ]
    proposal = RULES["15"](snapshot(applications=apps))
    assert proposal.level == 2
    assert proposal.missing == ("simpeg (BKAD): consulted with the ICT-managing OPD",)


# --- 24 Penerapan Manajemen Aset TIK ---------------------------------------------------------


PLANNED = {"programme": True}
GUIDED = {**PLANNED, "guideline_stages": list(AssetStage)}
STRATEGY = {**GUIDED, "strategy_by_tim_koordinasi": True, "strategy_opds": OPDS}
REVIEWED = [review(ReviewSubject.ASSET_MANAGEMENT)]


@pytest.mark.parametrize(
    ("facts", "reviews", "expected"),
    [
        ({}, [], 1),
        (PLANNED, [], 2),
        ({**PLANNED, "guideline_stages": ["planning", "procurement", "management"]}, [], 2),
        (GUIDED, [], 3),
        ({**STRATEGY, "strategy_opds": OPDS[:2]}, REVIEWED, 3),
        (STRATEGY, [], 3),
        (STRATEGY, REVIEWED, 4),
        (STRATEGY, [review(ReviewSubject.ASSET_MANAGEMENT, improved=True)], 5),
    ],
)
def test_24_ladder(facts: dict, reviews: list, expected: int) -> None:
    catalogue = snapshot(asset_management=AssetManagement(**facts), reviews=reviews)
    assert RULES["24"](catalogue).level == expected


def test_24_names_the_stage_the_guideline_lacks_and_the_opd_without_strategy() -> None:
    partial = AssetManagement(
        programme=True, guideline_stages=["planning", "procurement", "management"]
    )
    assert RULES["24"](snapshot(asset_management=partial)).missing == (
        "a guideline that also covers disposal",
    )
    strategy = AssetManagement(
        programme=True, guideline_stages=list(AssetStage), strategy_by_tim_koordinasi=True,
        strategy_opds=["BAPPEDA"],
    )  # fmt: skip
    proposal = RULES["24"](snapshot(asset_management=strategy))
    assert proposal.missing_opds == ("BKAD", "DISKOMINFO")


# --- 29/30/31 Pelaksanaan Audit --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, 1),
        ({"in_plan": True}, 2),
        ({"in_plan": True, "standard_based": True}, 3),
        ({"in_plan": True, "standard_based": True, "auditor": "certified_external"}, 4),
        ({"in_plan": True, "auditor": "certified_external", "findings_followed_up": True}, 2),
        ({"in_plan": True, "standard_based": True, "auditor": "certified_external",
          "findings_followed_up": True}, 5),
    ],
)  # fmt: skip
def test_31_security_audit_ladder(fields: dict, expected: int) -> None:
    proposal = RULES["31"](snapshot(audits=[audit("a1", **fields)]))
    assert proposal.level == expected
    assert proposal.evidence[0].id == "a1"
    assert bool(proposal.missing) is (expected < 5)


def test_audits_count_only_within_two_years_and_only_their_own_kind() -> None:
    full = {"in_plan": True, "standard_based": True, "auditor": "certified_external"}
    old = audit("old", date=days_ago(731), **full)
    infra = audit("infra", kind="infrastructure", **full)
    catalogue = snapshot(audits=[old, infra])
    assert RULES["31"](catalogue).level == 1
    assert RULES["31"](catalogue).missing == (
        "at least one security audit within the last 730 days",
    )
    assert RULES["29"](catalogue).level == 4
    assert RULES["30"](catalogue).level == 1


def test_the_best_recent_audit_sets_the_level() -> None:
    audits = [audit("plan", in_plan=True), audit("std", in_plan=True, standard_based=True)]
    proposal = RULES["31"](snapshot(audits=audits))
    assert (proposal.level, proposal.evidence[0].id) == (3, "std")
    assert proposal.missing == ("an audit done by certified external auditors",)


def test_audit_level_reports_the_next_need() -> None:
    assert audit_level(audit("x")) == (1, "done to a continuous audit plan")


# --- 32..47 Layanan --------------------------------------------------------------------------


def test_service_level_is_the_best_active_application() -> None:
    apps = [
        app("sipd", service_areas=["perencanaan", "penganggaran"], function_level=3),
        app("e-plan", service_areas=["perencanaan"], function_level=4),
        app("legacy", service_areas=["perencanaan"], function_level=5, status="inactive"),
        app("draft", service_areas=["perencanaan"]),
    ]
    proposal = RULES["32"](snapshot(applications=apps))
    assert proposal.level == 4
    assert proposal.criterion == "e-plan (BAPPEDA) works at technical-function level 4."
    assert proposal.missing == (
        "an application for perencanaan at level 5",
        "draft (BAPPEDA): technical-function level not assessed",
    )
    assert RULES["33"](snapshot(applications=apps)).level == 3


def test_service_without_application_is_level_1_and_top_level_needs_nothing() -> None:
    assert RULES["47"](snapshot()).level == 1
    top = [app("jdih", service_areas=["jdih"], function_level=5)]
    assert RULES["44"](snapshot(applications=top)).missing == ()


# --- registry --------------------------------------------------------------------------------


def test_every_rule_names_an_indicator_of_its_framework() -> None:
    for framework_id in ("spbe-2020", "pemdi-2026"):
        known = load_framework(framework_id).indicator_by_id
        assert set(rules_for(framework_id)) <= set(known)
    expected = {"15", "16", "17", "18", "24", "29", "30", "31", *map(str, range(32, 48))}
    assert set(RULES) == expected
    assert set(SERVICE_AREA_INDICATOR.values()) == set(map(str, range(32, 48)))
    assert SERVICE_AREA_INDICATOR[ServiceArea.PENGADUAN] == "42"


def test_derive_returns_one_proposal_per_rule_within_the_level_range() -> None:
    proposals = derive("spbe-2020", snapshot())
    assert [p.indicator for p in proposals] == list(RULES)
    assert all(1 <= p.level <= 5 and p.level.denominator == 1 for p in proposals)
    assert derive("spbe-2018", snapshot()) == []


def test_a_second_rule_for_an_indicator_is_refused() -> None:
    with pytest.raises(ValueError, match="already exists"):
        register("spbe-2020", "16", RULES["16"])
