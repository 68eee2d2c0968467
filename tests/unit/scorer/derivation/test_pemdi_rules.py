"""Indeks Pemdi proxies I13, I14, I16, I17 (unconfirmed) on small catalogues."""

from fractions import Fraction

from spbe_scorer.catalogue import LifecycleStage, ReviewSubject, ServiceBus, Site
from spbe_scorer.derivation import rules_for

from .builders import OPDS, app, facility, review, snapshot

RULES = rules_for("pemdi-2026")


def test_i14_is_the_mean_of_data_centre_and_intra_network() -> None:
    catalogue = snapshot(
        facilities=[facility(used_by=OPDS, sop=True)],  # 16 -> 3
        sites=[Site(id="s", opd="BKAD", on_intra_network=True)],  # 17 -> 2
    )
    proposal = RULES["I14"](catalogue)
    assert proposal.level == Fraction(5, 2)
    assert proposal.criterion == "Rerata dari 16: 3,00; 17: 2,00"
    assert proposal.unconfirmed
    assert (
        "[17] lokasi dalam Jaringan Intra di seluruh OPD; belum di 2 dari 3 OPD" in proposal.missing
    )
    assert proposal.missing_opds == ("BAPPEDA", "DISKOMINFO")


def test_i16_follows_the_service_bus_ladder() -> None:
    catalogue = snapshot(
        service_buses=[ServiceBus(id="spl", name="SPL")],
        applications=[app("simpeg", "BKAD", uses_service_bus=True)],
    )
    proposal = RULES["I16"](catalogue)
    assert (proposal.indicator, proposal.level) == ("I16", 2)
    assert proposal.unconfirmed


def test_i13_pools_development_and_service_levels() -> None:
    # 15 -> 2 (every stage documented); services: one area at 4, fifteen at 1 -> mean 19/16
    sipd = app(
        "sipd",
        service_areas=["perencanaan"],
        function_level=4,
        uses_service_bus=True,
        lifecycle_documents=list(LifecycleStage),
    )
    proposal = RULES["I13"](snapshot(applications=[sipd]))
    assert proposal.level == (2 + Fraction(19, 16)) / 2


def test_i13_takes_the_service_levels_that_facts_support() -> None:
    # level 5 claimed, neither on the service bus nor reviewed: 3 -> mean (2 + 18/16) / 2
    sipd = app(
        "sipd", service_areas=["perencanaan"], function_level=5,
        lifecycle_documents=list(LifecycleStage),
    )  # fmt: skip
    proposal = RULES["I13"](snapshot(applications=[sipd]))
    assert proposal.level == (2 + Fraction(18, 16)) / 2
    assert any(
        "memerlukan integrasi dengan layanan lain melalui SPL" in m for m in proposal.missing
    )


def test_every_pemdi_proposal_is_marked_unconfirmed() -> None:
    assert all(rule(snapshot()).unconfirmed for rule in RULES.values())


def test_i17_portal_ladder() -> None:
    portal = app("portal", "DISKOMINFO", is_service_portal=True)
    listed = app("lapor", service_areas=["pengaduan"], listed_in_portal=True)
    unlisted = app("jdih", service_areas=["jdih"])
    assert RULES["I17"](snapshot()).level == 1
    two = RULES["I17"](snapshot(applications=[portal, listed, unlisted]))
    assert (two.level, two.missing) == (2, ("jdih (BAPPEDA): cantumkan di portal",))
    assert RULES["I17"](snapshot(applications=[portal, listed])).level == 3
    bus_portal = app("portal", "DISKOMINFO", is_service_portal=True, uses_service_bus=True)
    reviewed = [review(ReviewSubject.SERVICE_PORTAL)]
    assert RULES["I17"](snapshot(applications=[bus_portal, listed], reviews=reviewed)).level == 4
    improved = [review(ReviewSubject.SERVICE_PORTAL, follow_up=30)]
    assert RULES["I17"](snapshot(applications=[bus_portal, listed], reviews=improved)).level == 5
