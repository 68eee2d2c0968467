"""Indicators 16, 17, 18 (59/2020): the some-OPD / all-OPD / interconnection / review ladder."""

from fractions import Fraction

import pytest

from spbe_scorer.catalogue import ReviewSubject, ServiceBus, Site
from spbe_scorer.derivation import rules_for

from .builders import OPDS, app, facility, review, snapshot

RULES = rules_for("spbe-2020")
ALL = {"BAPPEDA", "BKAD", "DISKOMINFO"}


# --- 16 Layanan Pusat Data -------------------------------------------------------------------


def test_16_level_1_without_a_data_centre_lists_every_opd() -> None:
    proposal = RULES["16"](
        snapshot(facilities=[facility("room", kind="opd_server_room", used_by=OPDS)])
    )
    assert proposal.level == 1
    assert set(proposal.missing_opds) == ALL
    assert proposal.missing == ("pemanfaatan Pusat Data di sekurang-kurangnya satu OPD",)


def test_16_level_2_used_by_some_opd() -> None:
    proposal = RULES["16"](snapshot(facilities=[facility(used_by=["BAPPEDA"], sop=True)]))
    assert proposal.level == 2
    assert proposal.missing_opds == ("BKAD", "DISKOMINFO")
    assert ("opd", "BAPPEDA") in {(e.kind, e.id) for e in proposal.evidence}


def test_16_stays_at_2_when_all_opd_use_it_without_an_sop() -> None:
    proposal = RULES["16"](snapshot(facilities=[facility(used_by=OPDS)]))
    assert proposal.level == 2
    assert proposal.missing == ("SOP untuk Facility dc",)
    assert proposal.missing_opds == ()


def test_16_level_3_all_opd_by_declaration_or_hosting_with_sop() -> None:
    catalogue = snapshot(
        facilities=[facility(used_by=["BAPPEDA"], sop=True)],
        applications=[app("simda", "BKAD", facility="dc"), app("web", "DISKOMINFO", facility="dc")],
        reviews=[review(ReviewSubject.DATA_CENTRE)],
    )
    proposal = RULES["16"](catalogue)
    assert proposal.level == 3
    assert proposal.missing == (
        "Pusat Data yang dimanfaatkan OPD dan terinterkoneksi dengan PDN, atau pemanfaatan layanan"
        " PDN",
    )


def test_16_inactive_application_does_not_count_as_use() -> None:
    catalogue = snapshot(
        facilities=[facility(used_by=["BAPPEDA", "BKAD"], sop=True)],
        applications=[app("old", "DISKOMINFO", facility="dc", status="inactive")],
    )
    assert RULES["16"](catalogue).missing_opds == ("DISKOMINFO",)


def test_16_stays_at_3_when_the_review_is_older_than_two_years() -> None:
    catalogue = snapshot(
        facilities=[facility(used_by=OPDS, sop=True, pdn_interconnected=True)],
        reviews=[review(ReviewSubject.DATA_CENTRE, age=731)],
    )
    proposal = RULES["16"](catalogue)
    assert proposal.level == 3
    assert proposal.missing == ("reviu Layanan Pusat Data bertanggal dalam 730 hari terakhir",)


def test_16_levels_4_and_5_by_pdn_and_review_follow_up() -> None:
    base = {"facilities": [facility(used_by=OPDS, sop=True, pdn_interconnected=True)]}
    four = RULES["16"](snapshot(**base, reviews=[review(ReviewSubject.DATA_CENTRE, age=730)]))
    assert four.level == 4
    assert four.missing == (
        "hasil reviu Layanan Pusat Data terbaru ditindaklanjuti dengan perbaikan, bertanggal setelah"
        " reviu tersebut",
    )
    five = RULES["16"](snapshot(**base, reviews=[review(ReviewSubject.DATA_CENTRE, follow_up=30)]))
    assert (five.level, five.missing, five.criterion) == (
        Fraction(5),
        (),
        "Hasil reviu ditindaklanjuti dengan perbaikan.",
    )


def test_16_a_pdn_facility_counts_as_pdn_use() -> None:
    catalogue = snapshot(
        facilities=[facility("pdn", kind="pdn", used_by=OPDS, sop=True)],
        reviews=[review(ReviewSubject.DATA_CENTRE)],
    )
    assert RULES["16"](catalogue).level == 4


def test_16_a_pdn_facility_no_opd_uses_no_longer_gives_levels_4_and_5() -> None:
    """It used to: any PDN facility, or any facility flagged as linked, counted."""
    catalogue = snapshot(
        facilities=[
            facility(used_by=OPDS, sop=True),
            facility("pdn", kind="pdn"),
            facility("old", pdn_interconnected=True),
        ],
        reviews=[review(ReviewSubject.DATA_CENTRE, follow_up=30)],
    )
    proposal = RULES["16"](catalogue)
    assert proposal.level == 3
    assert proposal.missing == (
        "Pusat Data yang dimanfaatkan OPD dan terinterkoneksi dengan PDN, atau pemanfaatan layanan"
        " PDN",
        "Facility pdn terhubung dengan PDN, tetapi belum dimanfaatkan OPD mana pun",
        "Facility old terhubung dengan PDN, tetapi belum dimanfaatkan OPD mana pun",
    )


def test_16_a_pdn_link_counts_once_an_opd_uses_the_facility() -> None:
    used_pdn = facility("pdn", kind="pdn", used_by=["BKAD"], sop=True)
    catalogue = snapshot(
        facilities=[facility(used_by=OPDS, sop=True), used_pdn],
        reviews=[review(ReviewSubject.DATA_CENTRE)],
    )
    assert RULES["16"](catalogue).level == 4
    hosting = facility("pdn", kind="pdn", sop=True)  # used by hosting an active application
    catalogue = snapshot(
        facilities=[facility(used_by=OPDS, sop=True), hosting],
        applications=[app("simda", "BKAD", facility="pdn")],
        reviews=[review(ReviewSubject.DATA_CENTRE)],
    )
    assert RULES["16"](catalogue).level == 4


def test_16_cloud_counts_as_a_data_centre() -> None:
    cloud = facility("cloud", kind="cloud", used_by=["BAPPEDA"], sop=True)
    assert RULES["16"](snapshot(facilities=[cloud])).level == 2
    hosted = snapshot(
        facilities=[cloud],
        applications=[app("a", "BKAD", facility="cloud"), app("b", "DISKOMINFO", facility="cloud")],
    )
    assert RULES["16"](hosted).level == 3
    no_sop = facility("cloud", kind="cloud", used_by=OPDS)
    assert RULES["16"](snapshot(facilities=[no_sop])).missing == ("SOP untuk Facility cloud",)


@pytest.mark.parametrize(
    ("reviewed", "expected"),
    [
        (review(ReviewSubject.DATA_CENTRE, improvements_followed_up=True), 4),  # no date
        (review(ReviewSubject.DATA_CENTRE, follow_up=0), 4),  # the review's own day
        (review(ReviewSubject.DATA_CENTRE, follow_up=-5), 4),  # before the review
        (review(ReviewSubject.DATA_CENTRE, age=10, follow_up=11), 4),  # after the snapshot
        (review(ReviewSubject.DATA_CENTRE, age=10, follow_up=10), 5),  # on the snapshot day
        (review(ReviewSubject.DATA_CENTRE, follow_up=1), 5),
    ],
)
def test_16_level_5_needs_a_follow_up_dated_after_the_review(reviewed, expected) -> None:
    linked = facility(used_by=OPDS, sop=True, pdn_interconnected=True)
    assert RULES["16"](snapshot(facilities=[linked], reviews=[reviewed])).level == expected


def test_an_undated_follow_up_flag_no_longer_gives_level_5_and_says_what_is_missing() -> None:
    """It used to: improvements_followed_up alone was level 5 on ladders 15-18 and 24."""
    flagged = review(ReviewSubject.DATA_CENTRE, improvements_followed_up=True)
    linked = facility(used_by=OPDS, sop=True, pdn_interconnected=True)
    proposal = RULES["16"](snapshot(facilities=[linked], reviews=[flagged]))
    assert proposal.level == 4
    assert proposal.missing == (
        "hasil reviu Layanan Pusat Data terbaru ditindaklanjuti dengan perbaikan, bertanggal setelah"
        " reviu tersebut",
        f"reviu Layanan Pusat Data pada {flagged.date}: tanggal tindak lanjut hasilnya belum dicatat",
    )


# --- 17 Layanan Jaringan Intra ---------------------------------------------------------------


def _sites(*opds: str, jip: bool = False) -> list[Site]:
    return [
        Site(id=f"site-{code}", opd=code, on_intra_network=True, jip_interconnected=jip)
        for code in opds
    ]


def test_17_ladder() -> None:
    off = [Site(id="x", opd="BKAD", on_intra_network=False, jip_interconnected=True)]
    assert RULES["17"](snapshot(sites=off)).level == 1
    some = RULES["17"](snapshot(sites=_sites("BAPPEDA")))
    assert (some.level, some.missing_opds) == (2, ("BKAD", "DISKOMINFO"))
    assert RULES["17"](snapshot(sites=_sites(*OPDS))).level == 3
    reviewed = [review(ReviewSubject.INTRA_NETWORK)]
    assert RULES["17"](snapshot(sites=_sites(*OPDS), reviews=reviewed)).level == 3
    assert RULES["17"](snapshot(sites=_sites(*OPDS, jip=True), reviews=reviewed)).level == 4
    improved = [review(ReviewSubject.INTRA_NETWORK, follow_up=30)]
    assert RULES["17"](snapshot(sites=_sites(*OPDS, jip=True), reviews=improved)).level == 5


# --- 18 Penggunaan Sistem Penghubung Layanan -------------------------------------------------


def test_18_needs_a_registered_bus_and_a_user() -> None:
    users = [app("simpeg", "BKAD", uses_service_bus=True)]
    no_bus = RULES["18"](snapshot(applications=users))
    assert (no_bus.level, no_bus.missing) == (1, ("layanan SPL yang terdaftar",))
    bus = [ServiceBus(id="spl", name="SPL Kota", apis=["pegawai", "anggaran"])]
    unused = RULES["18"](snapshot(service_buses=bus))
    assert unused.level == 1
    assert unused.missing == ("penggunaan SPL di sekurang-kurangnya satu OPD",)
    some = RULES["18"](snapshot(service_buses=bus, applications=users))
    assert (some.level, some.missing_opds) == (2, ("BAPPEDA", "DISKOMINFO"))
    assert ("service_bus", "spl") in {(e.kind, e.id) for e in some.evidence}


def test_18_levels_3_to_5() -> None:
    users = [app(f"a{n}", code, uses_service_bus=True) for n, code in enumerate(OPDS)]
    bus = ServiceBus(id="spl", name="SPL Kota")
    assert RULES["18"](snapshot(service_buses=[bus], applications=users)).level == 3
    linked = ServiceBus(id="spl", name="SPL Kota", splp_integrated=True)
    catalogue = snapshot(service_buses=[linked], applications=users)
    assert RULES["18"](catalogue).missing == (
        "reviu Sistem Penghubung Layanan bertanggal dalam 730 hari terakhir",
    )
    reviews = [review(ReviewSubject.SERVICE_BUS)]
    four = snapshot(service_buses=[linked], applications=users, reviews=reviews)
    assert RULES["18"](four).level == 4
    reviews = [review(ReviewSubject.SERVICE_BUS, follow_up=30)]
    five = snapshot(service_buses=[linked], applications=users, reviews=reviews)
    assert RULES["18"](five).level == 5
