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
from spbe_scorer.frameworks import load_framework

from .builders import OPDS, app, audit, days_ago, review, snapshot

RULES = rules_for("spbe-2020")
STAGES = list(LifecycleStage)


# --- 15 Pembangunan Aplikasi SPBE ------------------------------------------------------------


def test_15_level_1_without_pemda_applications() -> None:
    shared = [app("srikandi", kind="general", lifecycle_documents=STAGES)]
    proposal = RULES["15"](snapshot(applications=shared))
    assert proposal.level == 1
    assert proposal.missing == ("sekurang-kurangnya satu aplikasi aktif yang dibangun Pemda",)


def test_15_level_1_names_the_missing_life_cycle_documents() -> None:
    apps = [
        app("sipd", lifecycle_documents=STAGES),
        app("simpeg", "BKAD", lifecycle_documents=STAGES[:5]),
    ]
    proposal = RULES["15"](snapshot(applications=apps))
    assert proposal.level == 1
    assert proposal.missing == ("simpeg (BKAD): dokumen tahap pemeliharaan, evaluasi",)


def test_15_levels_2_to_5() -> None:
    def level(reviews: tuple[Review, ...] = (), **fields: bool) -> Fraction:
        apps = [app("sipd", "BAPPEDA", lifecycle_documents=STAGES, **fields)]
        return RULES["15"](snapshot(applications=apps, reviews=list(reviews))).level

    assert level() == 2
    assert level(consulted_with_ict_opd=True) == 3
    assert level(consulted_with_ict_opd=True, controlled_by_ict_opd=True) == 3  # no review
    reviewed = (review(ReviewSubject.APPLICATION_DEVELOPMENT),)
    assert level(reviewed, consulted_with_ict_opd=True, controlled_by_ict_opd=True) == 4
    improved = (review(ReviewSubject.APPLICATION_DEVELOPMENT, follow_up=30),)
    assert level(improved, consulted_with_ict_opd=True, controlled_by_ict_opd=True) == 5


def test_15_one_unconsulted_application_holds_level_2() -> None:
    apps = [
        app("sipd", lifecycle_documents=STAGES, consulted_with_ict_opd=True),
        app("simpeg", "BKAD", lifecycle_documents=STAGES),
    ]
    proposal = RULES["15"](snapshot(applications=apps))
    assert proposal.level == 2
    assert proposal.missing == ("simpeg (BKAD): dikonsultasikan dengan OPD pengelola TIK",)


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
        (STRATEGY, [review(ReviewSubject.ASSET_MANAGEMENT, follow_up=30)], 5),
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
        "pedoman yang juga mencakup penghapusan",
    )
    strategy = AssetManagement(
        programme=True, guideline_stages=list(AssetStage), strategy_by_tim_koordinasi=True,
        strategy_opds=["BAPPEDA"],
    )  # fmt: skip
    proposal = RULES["24"](snapshot(asset_management=strategy))
    assert proposal.missing_opds == ("BKAD", "DISKOMINFO")


# --- 29/30/31 Pelaksanaan Audit --------------------------------------------------------------

PLANNED = {"in_plan": True, "opds": ["BAPPEDA"]}
STANDARD = {**PLANNED, "standard_based": True, "coverage": "all"}
EXTERNAL = {**STANDARD, "auditor": "certified_external"}
EVERY_OPD = {**EXTERNAL, "opds": OPDS}
FOLLOWED = {**EVERY_OPD, "followed_up_on": days_ago(100)}  # the audit is 200 days old


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, 1),
        ({"in_plan": True}, 1),  # planned, but no OPD recorded as audited
        (PLANNED, 2),
        ({**STANDARD, "coverage": "some"}, 2),  # to a standard, but only some main items
        ({**STANDARD, "opds": []}, 1),
        (STANDARD, 3),
        ({**PLANNED, "standard_based": True, "auditor": "certified_external"}, 2),
        (EXTERNAL, 3),  # one OPD audited: level 4 needs every OPD
        ({**EVERY_OPD, "opds": OPDS[:2]}, 3),
        (EVERY_OPD, 4),
        ({**EVERY_OPD, "findings_followed_up": True}, 4),  # no dated follow-up
        ({**EVERY_OPD, "followed_up_on": days_ago(200)}, 4),  # the audit's own day
        ({**EVERY_OPD, "followed_up_on": days_ago(-1)}, 4),  # after the snapshot
        (FOLLOWED, 5),
    ],
)
def test_31_security_audit_ladder(fields: dict, expected: int) -> None:
    proposal = RULES["31"](snapshot(audits=[audit("a1", **fields)]))
    assert proposal.level == expected
    assert bool(proposal.missing) is (expected < 5)
    assert proposal.unconfirmed


def test_one_external_audit_of_one_opd_no_longer_gives_level_5() -> None:
    """It used to: one certified external audit with its findings followed up, of any scope."""
    old_top = {"in_plan": True, "standard_based": True, "auditor": "certified_external",
               "findings_followed_up": True, "opds": ["BKAD"], "coverage": "all",
               "followed_up_on": days_ago(100)}  # fmt: skip
    proposal = RULES["31"](snapshot(audits=[audit("one", **old_top)]))
    assert proposal.level == 3
    assert proposal.missing_opds == ("BAPPEDA", "DISKOMINFO")
    assert proposal.missing == (
        "audit keamanan SPBE oleh auditor eksternal bersertifikat, mencakup seluruh item utama di"
        " seluruh OPD; belum di 2 dari 3 OPD",
    )
    assert proposal.evidence[0].detail == (
        f"audit keamanan SPBE pada {days_ago(200).isoformat()} atas BKAD (seluruh item utama)"
    )


def test_audits_of_several_opd_together_cover_every_opd() -> None:
    audits = [
        audit("a", **{**EVERY_OPD, "opds": ["BAPPEDA"]}, followed_up_on=days_ago(50)),
        audit("b", **{**EVERY_OPD, "opds": ["BKAD", "DISKOMINFO"]}),
    ]
    proposal = RULES["31"](snapshot(audits=audits))
    assert proposal.level == 4
    assert proposal.missing_opds == ("BKAD", "DISKOMINFO")  # their findings not followed up
    assert {e.id for e in proposal.evidence} == {"a", "b"}


def test_audits_count_only_within_two_years_and_only_their_own_kind() -> None:
    old = audit("old", date=days_ago(731), **EVERY_OPD)
    infra = audit("infra", kind="infrastructure", **EVERY_OPD)
    catalogue = snapshot(audits=[old, infra])
    assert RULES["31"](catalogue).level == 1
    assert RULES["31"](catalogue).missing == (
        "sekurang-kurangnya satu audit keamanan SPBE dalam 730 hari terakhir",
    )
    assert RULES["29"](catalogue).level == 4
    assert RULES["30"](catalogue).level == 1


def test_a_planned_audit_without_its_opd_says_so() -> None:
    proposal = RULES["30"](snapshot(audits=[audit("x", kind="application", in_plan=True)]))
    assert proposal.level == 1
    assert "audit x: OPD yang diaudit belum dicatat" in proposal.missing


# --- 32..47 Layanan --------------------------------------------------------------------------


def test_service_level_is_the_best_supported_active_application() -> None:
    apps = [
        app("sipd", service_areas=["perencanaan", "penganggaran"], function_level=3),
        app("e-plan", service_areas=["perencanaan"], function_level=4, uses_service_bus=True),
        app("legacy", service_areas=["perencanaan"], function_level=5, status="inactive"),
        app("draft", service_areas=["perencanaan"]),
    ]
    proposal = RULES["32"](snapshot(applications=apps))
    assert proposal.level == 4
    assert proposal.criterion == "e-plan (BAPPEDA) berfungsi pada tingkat fungsi teknis 4."
    assert proposal.missing == (
        "aplikasi untuk Layanan Perencanaan pada tingkat 5",
        "draft (BAPPEDA): tingkat fungsi teknis belum dinilai",
    )
    assert RULES["33"](snapshot(applications=apps)).level == 3
    assert proposal.unconfirmed


def _service(reviews: tuple = (), **fields: object) -> object:
    lapor = app("lapor", "DISKOMINFO", service_areas=["pengaduan"], **fields)
    return RULES["42"](snapshot(applications=[lapor], reviews=list(reviews)))


def test_services_level_3_needs_only_the_claimed_level() -> None:
    assert _service(function_level=3).level == 3
    assert _service(function_level=3).missing == (
        "aplikasi untuk Layanan Pengaduan Pelayanan Publik pada tingkat 4",
    )


def test_services_level_4_needs_the_service_bus() -> None:
    unlinked = _service(function_level=4)
    assert unlinked.level == 3
    assert unlinked.missing == (
        "aplikasi untuk Layanan Pengaduan Pelayanan Publik pada tingkat 4",
        "lapor (DISKOMINFO): tingkat 4 memerlukan integrasi dengan layanan lain melalui SPL",
    )
    assert (
        unlinked.evidence[0].detail
        == "lapor (DISKOMINFO) — tingkat 4, didukung data sampai tingkat 3"
    )
    assert _service(function_level=4, uses_service_bus=True).level == 4


def test_function_level_5_without_integration_or_review_no_longer_gives_level_5() -> None:
    """It used to: a level anyone can set was taken as it stood."""
    assert _service(function_level=5).level == 3
    on_bus = _service(function_level=5, uses_service_bus=True)
    assert on_bus.level == 4
    assert on_bus.missing == (
        "aplikasi untuk Layanan Pengaduan Pelayanan Publik pada tingkat 5",
        "lapor (DISKOMINFO): tingkat 5 memerlukan reviu atas aplikasi ini yang ditindaklanjuti"
        " dengan perbaikan setelahnya",
    )


@pytest.mark.parametrize(
    ("reviewed", "expected"),
    [
        (review(ReviewSubject.APPLICATION, applications=["app-lapor"]), 4),  # not followed up
        (review(ReviewSubject.APPLICATION, follow_up=0, applications=["app-lapor"]), 4),
        (review(ReviewSubject.APPLICATION, follow_up=30, applications=["app-other"]), 4),
        (review(ReviewSubject.DATA_CENTRE, follow_up=30, applications=["app-lapor"]), 4),
        (review(ReviewSubject.APPLICATION, age=731, follow_up=30, applications=["app-lapor"]), 4),
        (review(ReviewSubject.APPLICATION, follow_up=1, applications=["app-lapor"]), 5),
        (review(ReviewSubject.APPLICATION_DEVELOPMENT, follow_up=30, applications=["app-lapor"]),
         5),
    ],
)  # fmt: skip
def test_services_level_5_needs_a_followed_up_review_of_the_application(
    reviewed: Review, expected: int
) -> None:
    proposal = _service((reviewed,), function_level=5, uses_service_bus=True)
    assert proposal.level == expected
    assert bool(proposal.missing) is (expected < 5)


def test_service_without_application_is_level_1_and_top_level_needs_nothing() -> None:
    assert RULES["47"](snapshot()).level == 1
    top = [app("jdih", service_areas=["jdih"], function_level=5, uses_service_bus=True)]
    reviewed = [review(ReviewSubject.APPLICATION, follow_up=10, applications=["app-jdih"])]
    assert RULES["44"](snapshot(applications=top, reviews=reviewed)).missing == ()


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


def test_proposals_of_rules_read_beyond_the_reference_are_marked_unconfirmed() -> None:
    marked = {p.indicator for p in derive("spbe-2020", snapshot()) if p.unconfirmed}
    assert marked == {"29", "30", "31", *map(str, range(32, 48))}
