"""Derivation rules of PermenPANRB 59/2020 (15-18, 24): catalogue facts -> proposed levels.

Criteria are cumulative, so each rule is a Ladder climbed from level 1. "All OPD" means every
OPD in the snapshot. The level-criteria text lives in the framework file; these are the checks.
The criterion, evidence and missing lines are read by evaluators, so they are Bahasa Indonesia.
"""

from dataclasses import replace

from spbe_common.catalogue import ApplicationRef
from spbe_common.events.enums import HostingKind
from spbe_scorer.catalogue import (
    AssetStage,
    CatalogueSnapshot,
    Facility,
    LifecycleStage,
    ReviewSubject,
)

from .asset_register import register_evidence
from .facts import both, coverage, data_centres, improved, reviewed
from .labels import asset_stages, lifecycle_stages
from .model import Check, Evidence, Ladder, Proposal, Step
from .registry import rule
from .summary import examples_evidence, missing_of, summary_of, who

FRAMEWORK = "spbe-2020"


# --- 15 Pembangunan Aplikasi SPBE ------------------------------------------------------------


NO_PEMDA_APPS = ("sekurang-kurangnya satu aplikasi aktif yang dibangun Pemda",)
ALL_STAGES = "dokumen untuk setiap tahap siklus pembangunan aplikasi"
CONSULTED = "dikonsultasikan dengan OPD pengelola TIK"
CONTROLLED = "dikendalikan oleh OPD pengelola TIK"


def _apps_all(snapshot: CatalogueSnapshot, attribute: str, need: str) -> Check:
    apps = summary_of(snapshot)
    if not apps.pemda:
        return Check(False, missing=NO_PEMDA_APPS)
    having, lacking = getattr(apps, attribute), getattr(apps, f"not_{attribute}")
    missing = missing_of(lacking.count, lacking.first, lambda r: f"{who(r)}: {need}", need)
    return Check(not lacking.count, examples_evidence(having, need), missing)


def _gaps(ref: ApplicationRef) -> str:
    gaps = lifecycle_stages(s for s in LifecycleStage if s not in ref.stages)
    return f"{who(ref)}: dokumen tahap {gaps}"


def _lifecycle_followed(snapshot: CatalogueSnapshot) -> Check:
    apps = summary_of(snapshot)
    if not apps.pemda:
        return Check(False, missing=NO_PEMDA_APPS)
    lacking = apps.lifecycle_incomplete
    missing = missing_of(lacking.count, lacking.first, _gaps, ALL_STAGES)
    evidence = examples_evidence(apps.lifecycle_complete, ALL_STAGES)
    return Check(not missing, evidence, missing)


LADDER_15 = Ladder(
    1,
    "Pembangunan aplikasi dilakukan secara ad hoc.",
    (
        Step(
            2,
            "Setiap aplikasi Pemda memiliki dokumen untuk setiap tahap siklus pembangunan aplikasi.",
            _lifecycle_followed,
        ),
        Step(
            3,
            "Pembangunan setiap aplikasi Pemda dikonsultasikan dengan OPD pengelola TIK.",
            lambda s: _apps_all(s, "consulted", CONSULTED),
        ),
        Step(
            4,
            "Pembangunan aplikasi dikendalikan oleh OPD pengelola TIK dan direviu secara berkala.",
            lambda s: both(
                _apps_all(s, "controlled", CONTROLLED),
                reviewed(s, ReviewSubject.APPLICATION_DEVELOPMENT),
            ),
        ),
        Step(
            5,
            "Pembangunan aplikasi ditingkatkan berdasarkan hasil reviu.",
            lambda s: improved(s, ReviewSubject.APPLICATION_DEVELOPMENT),
        ),
    ),
)


@rule(FRAMEWORK, "15")
def application_development(snapshot: CatalogueSnapshot) -> Proposal:
    return LADDER_15.climb("15", snapshot)


# --- 16 Layanan Pusat Data -------------------------------------------------------------------


def data_centre_users(snapshot: CatalogueSnapshot) -> set[str]:
    """OPD declared as users of a data centre, or hosting an active application in one."""
    centres = {f.id for f in data_centres(snapshot)}
    declared = {code for f in data_centres(snapshot) for code in f.used_by}
    hosted = summary_of(snapshot).facility_opds
    hosting = {code for fid in centres for code in hosted.get(fid, ())}
    return declared | hosting


def used_data_centres(snapshot: CatalogueSnapshot) -> list[Facility]:
    """Data centres (cloud included) that some OPD uses: declared, or hosting an active app."""
    hosting = summary_of(snapshot).facility_opds
    return [f for f in data_centres(snapshot) if f.used_by or f.id in hosting]


def _data_centre_sops(snapshot: CatalogueSnapshot) -> Check:
    in_use = used_data_centres(snapshot)
    lacking = [f for f in in_use if not f.sop]
    evidence = tuple(Evidence("facility", f.id, "SOP tersedia") for f in in_use if f.sop)
    return Check(
        bool(in_use) and not lacking, evidence, tuple(f"SOP untuk {f.name}" for f in lacking)
    )


def _pdn_link(facility: Facility) -> bool:
    return facility.pdn_interconnected or facility.kind is HostingKind.PDN


def _pdn_linked(snapshot: CatalogueSnapshot) -> Check:
    """A PDN link counts only for a data centre that some OPD actually uses."""
    linked = [f for f in used_data_centres(snapshot) if _pdn_link(f)]
    evidence = tuple(
        Evidence("facility", f.id, "terinterkoneksi dengan PDN atau merupakan PDN") for f in linked
    )
    used = {f.id for f in linked}
    unused = [f for f in data_centres(snapshot) if _pdn_link(f) and f.id not in used]
    need = (
        "Pusat Data yang dimanfaatkan OPD dan terinterkoneksi dengan PDN, atau pemanfaatan layanan"
        " PDN",
        *(f"{f.name} terhubung dengan PDN, tetapi belum dimanfaatkan OPD mana pun" for f in unused),
    )
    return Check(bool(linked), evidence, () if linked else need)


DATA_CENTRE_USE = "pemanfaatan Pusat Data"
IMPROVED = "Hasil reviu ditindaklanjuti dengan perbaikan."

LADDER_16 = Ladder(
    1,
    "Layanan Pusat Data belum ada, atau sudah ada.",
    (
        Step(
            2,
            "Dimanfaatkan oleh sebagian OPD.",
            lambda s: coverage(s, data_centre_users(s), DATA_CENTRE_USE, all_opd=False),
        ),
        Step(
            3,
            "Dimanfaatkan oleh seluruh OPD, dan memiliki SOP.",
            lambda s: both(
                coverage(s, data_centre_users(s), DATA_CENTRE_USE, all_opd=True),
                _data_centre_sops(s),
            ),
        ),
        Step(
            4,
            "Terinterkoneksi dengan PDN, dan direviu secara berkala.",
            lambda s: both(_pdn_linked(s), reviewed(s, ReviewSubject.DATA_CENTRE)),
        ),
        Step(
            5,
            IMPROVED,
            lambda s: improved(s, ReviewSubject.DATA_CENTRE),
        ),
    ),
)


@rule(FRAMEWORK, "16")
def data_centre(snapshot: CatalogueSnapshot) -> Proposal:
    return LADDER_16.climb("16", snapshot)


# --- 17 Layanan Jaringan Intra ---------------------------------------------------------------


def intra_network_users(snapshot: CatalogueSnapshot) -> set[str]:
    return {site.opd for site in snapshot.sites if site.on_intra_network}


def _jip_linked(snapshot: CatalogueSnapshot) -> Check:
    linked = [site for site in snapshot.sites if site.on_intra_network and site.jip_interconnected]
    evidence = tuple(Evidence("site", site.id, "terinterkoneksi dengan JIP") for site in linked)
    need = (
        "lokasi dalam Jaringan Intra yang terinterkoneksi dengan Jaringan Intra Pemerintah (JIP)",
    )
    return Check(bool(linked), evidence, () if linked else need)


INTRA_SITE = "lokasi dalam Jaringan Intra"

LADDER_17 = Ladder(
    1,
    "Jaringan Intra belum ada, atau sudah ada.",
    (
        Step(
            2,
            "Dimanfaatkan oleh sebagian OPD.",
            lambda s: coverage(s, intra_network_users(s), INTRA_SITE, all_opd=False),
        ),
        Step(
            3,
            "Dimanfaatkan oleh seluruh OPD.",
            lambda s: coverage(s, intra_network_users(s), INTRA_SITE, all_opd=True),
        ),
        Step(
            4,
            "Terinterkoneksi dengan JIP, dan direviu secara berkala.",
            lambda s: both(_jip_linked(s), reviewed(s, ReviewSubject.INTRA_NETWORK)),
        ),
        Step(
            5,
            IMPROVED,
            lambda s: improved(s, ReviewSubject.INTRA_NETWORK),
        ),
    ),
)


@rule(FRAMEWORK, "17")
def intra_network(snapshot: CatalogueSnapshot) -> Proposal:
    return LADDER_17.climb("17", snapshot)


# --- 18 Penggunaan Sistem Penghubung Layanan -------------------------------------------------


SERVICE_BUS_USE = "penggunaan SPL"


def service_bus_users(snapshot: CatalogueSnapshot) -> set[str]:
    return set(summary_of(snapshot).service_bus_opds)


def _some_bus_use(snapshot: CatalogueSnapshot) -> Check:
    buses = tuple(
        Evidence("service_bus", b.id, f"{len(b.apis)} API") for b in snapshot.service_buses
    )
    apps = examples_evidence(summary_of(snapshot).on_service_bus, "menggunakan SPL")
    registered = Check(bool(buses), buses, () if buses else ("layanan SPL yang terdaftar",))
    used = coverage(snapshot, service_bus_users(snapshot), SERVICE_BUS_USE, all_opd=False)
    return both(registered, Check(used.met, apps, used.missing, used.missing_opds))


def _splp_linked(snapshot: CatalogueSnapshot) -> Check:
    linked = [b for b in snapshot.service_buses if b.splp_integrated]
    evidence = tuple(Evidence("service_bus", b.id, "terintegrasi dengan SPLP") for b in linked)
    need = ("layanan SPL terdaftar yang terintegrasi dengan SPLP nasional",)
    return Check(bool(linked), evidence, () if linked else need)


LADDER_18 = Ladder(
    1,
    "Sistem Penghubung Layanan (SPL) belum ada, atau sudah ada.",
    (
        Step(2, "Diterapkan di sebagian OPD.", _some_bus_use),
        Step(
            3,
            "Diterapkan di seluruh OPD.",
            lambda s: coverage(s, service_bus_users(s), SERVICE_BUS_USE, all_opd=True),
        ),
        Step(
            4,
            "Terintegrasi dengan SPLP, dan direviu secara berkala.",
            lambda s: both(_splp_linked(s), reviewed(s, ReviewSubject.SERVICE_BUS)),
        ),
        Step(
            5,
            IMPROVED,
            lambda s: improved(s, ReviewSubject.SERVICE_BUS),
        ),
    ),
)


@rule(FRAMEWORK, "18")
def service_bus(snapshot: CatalogueSnapshot) -> Proposal:
    return LADDER_18.climb("18", snapshot)


# --- 24 Penerapan Manajemen Aset TIK ---------------------------------------------------------


def _programme(snapshot: CatalogueSnapshot) -> Check:
    met = snapshot.asset_management.programme
    evidence = (Evidence("asset_management", "programme", "program terarah dan terencana"),)
    need = ("program manajemen aset TIK yang terarah dan terencana",)
    return Check(met, evidence if met else (), () if met else need)


def _guideline(snapshot: CatalogueSnapshot) -> Check:
    gaps = [s for s in AssetStage if s not in snapshot.asset_management.guideline_stages]
    evidence = (Evidence("asset_management", "guideline", "mencakup setiap tahap"),)
    need = (f"pedoman yang juga mencakup {asset_stages(gaps)}",)
    return Check(not gaps, () if gaps else evidence, need if gaps else ())


def _strategy(snapshot: CatalogueSnapshot) -> Check:
    facts = snapshot.asset_management
    set_by_team = Check(
        facts.strategy_by_tim_koordinasi,
        missing=()
        if facts.strategy_by_tim_koordinasi
        else ("strategi yang ditetapkan Tim Koordinasi SPBE",),
    )
    applied = coverage(
        snapshot, set(facts.strategy_opds), "strategi manajemen aset TIK diterapkan", all_opd=True
    )
    return both(set_by_team, applied, reviewed(snapshot, ReviewSubject.ASSET_MANAGEMENT))


LADDER_24 = Ladder(
    1,
    "Belum ada program manajemen aset TIK yang terarah.",
    (
        Step(2, "Program manajemen aset TIK terarah dan terencana.", _programme),
        Step(
            3,
            "Mengikuti pedoman yang mencakup perencanaan, pengadaan, pengelolaan, dan penghapusan.",
            _guideline,
        ),
        Step(
            4,
            "Strategi dari Tim Koordinasi SPBE diterapkan di seluruh OPD, direviu secara berkala.",
            _strategy,
        ),
        Step(
            5,
            "Ditingkatkan berdasarkan hasil reviu.",
            lambda s: improved(s, ReviewSubject.ASSET_MANAGEMENT),
        ),
    ),
)


@rule(FRAMEWORK, "24")
def asset_management(snapshot: CatalogueSnapshot) -> Proposal:
    """The ladder's level; the register's shares are evidence only (no threshold in 59/2020)."""
    proposal = LADDER_24.climb("24", snapshot)
    return replace(proposal, evidence=proposal.evidence + register_evidence(snapshot))
