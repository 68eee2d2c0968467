"""Derivation rules of PermenPANRB 59/2020 (15-18, 24): catalogue facts -> proposed levels.

Criteria are cumulative, so each rule is a Ladder climbed from level 1. "All OPD" means every
OPD in the snapshot. The level-criteria text lives in the framework file; these are the checks.
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
from .model import Check, Evidence, Ladder, Proposal, Step
from .registry import rule
from .summary import examples_evidence, missing_of, summary_of, who

FRAMEWORK = "spbe-2020"


# --- 15 Pembangunan Aplikasi SPBE ------------------------------------------------------------


NO_PEMDA_APPS = ("at least one active application developed by the Pemda",)
ALL_STAGES = "documents for every life-cycle stage"


def _apps_all(snapshot: CatalogueSnapshot, attribute: str, need: str) -> Check:
    apps = summary_of(snapshot)
    if not apps.pemda:
        return Check(False, missing=NO_PEMDA_APPS)
    having, lacking = getattr(apps, attribute), getattr(apps, f"not_{attribute}")
    missing = missing_of(lacking.count, lacking.first, lambda r: f"{who(r)}: {need}", need)
    return Check(not lacking.count, examples_evidence(having, need), missing)


def _gaps(ref: ApplicationRef) -> str:
    gaps = ", ".join(s for s in LifecycleStage if s not in ref.stages)
    return f"{who(ref)}: documents for {gaps}"


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
    "Application development is ad hoc.",
    (
        Step(2, "Every Pemda application documents each life-cycle stage.", _lifecycle_followed),
        Step(
            3,
            "Development of every Pemda application was consulted with the ICT-managing OPD.",
            lambda s: _apps_all(s, "consulted", "consulted with the ICT-managing OPD"),
        ),
        Step(
            4,
            "Development is controlled by the ICT-managing OPD and reviewed periodically.",
            lambda s: both(
                _apps_all(s, "controlled", "controlled by the ICT-managing OPD"),
                reviewed(s, ReviewSubject.APPLICATION_DEVELOPMENT),
            ),
        ),
        Step(
            5,
            "Development was improved after review.",
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
    evidence = tuple(Evidence("facility", f.id, "SOP present") for f in in_use if f.sop)
    return Check(
        bool(in_use) and not lacking, evidence, tuple(f"an SOP for {f.name}" for f in lacking)
    )


def _pdn_link(facility: Facility) -> bool:
    return facility.pdn_interconnected or facility.kind is HostingKind.PDN


def _pdn_linked(snapshot: CatalogueSnapshot) -> Check:
    """A PDN link counts only for a data centre that some OPD actually uses."""
    linked = [f for f in used_data_centres(snapshot) if _pdn_link(f)]
    evidence = tuple(Evidence("facility", f.id, "interconnected with / is PDN") for f in linked)
    used = {f.id for f in linked}
    unused = [f for f in data_centres(snapshot) if _pdn_link(f) and f.id not in used]
    need = (
        "a data centre that an OPD uses, interconnected with PDN, or use of PDN services",
        *(f"{f.name} is linked to PDN but no OPD uses it" for f in unused),
    )
    return Check(bool(linked), evidence, () if linked else need)


LADDER_16 = Ladder(
    1,
    "A data-centre service does not exist, or exists.",
    (
        Step(
            2,
            "Used by some OPD.",
            lambda s: coverage(s, data_centre_users(s), "data-centre use", all_opd=False),
        ),
        Step(
            3,
            "Used by all OPD, with an SOP.",
            lambda s: both(
                coverage(s, data_centre_users(s), "data-centre use", all_opd=True),
                _data_centre_sops(s),
            ),
        ),
        Step(
            4,
            "Interconnected with PDN, and reviewed periodically.",
            lambda s: both(_pdn_linked(s), reviewed(s, ReviewSubject.DATA_CENTRE)),
        ),
        Step(
            5,
            "Review results followed up with improvements.",
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
    evidence = tuple(Evidence("site", site.id, "interconnected with JIP") for site in linked)
    need = ("an intra-network site interconnected with Jaringan Intra Pemerintah (JIP)",)
    return Check(bool(linked), evidence, () if linked else need)


LADDER_17 = Ladder(
    1,
    "An intra network does not exist, or exists.",
    (
        Step(
            2,
            "Used by some OPD.",
            lambda s: coverage(s, intra_network_users(s), "intra-network site", all_opd=False),
        ),
        Step(
            3,
            "Used by all OPD.",
            lambda s: coverage(s, intra_network_users(s), "intra-network site", all_opd=True),
        ),
        Step(
            4,
            "Interconnected with JIP, and reviewed periodically.",
            lambda s: both(_jip_linked(s), reviewed(s, ReviewSubject.INTRA_NETWORK)),
        ),
        Step(
            5,
            "Review results followed up with improvements.",
            lambda s: improved(s, ReviewSubject.INTRA_NETWORK),
        ),
    ),
)


@rule(FRAMEWORK, "17")
def intra_network(snapshot: CatalogueSnapshot) -> Proposal:
    return LADDER_17.climb("17", snapshot)


# --- 18 Penggunaan Sistem Penghubung Layanan -------------------------------------------------


def service_bus_users(snapshot: CatalogueSnapshot) -> set[str]:
    return set(summary_of(snapshot).service_bus_opds)


def _some_bus_use(snapshot: CatalogueSnapshot) -> Check:
    buses = tuple(
        Evidence("service_bus", b.id, f"{len(b.apis)} APIs") for b in snapshot.service_buses
    )
    apps = examples_evidence(summary_of(snapshot).on_service_bus, "uses the service bus")
    registered = Check(bool(buses), buses, () if buses else ("a registered SPL instance",))
    used = coverage(snapshot, service_bus_users(snapshot), "service-bus use", all_opd=False)
    return both(registered, Check(used.met, apps, used.missing, used.missing_opds))


def _splp_linked(snapshot: CatalogueSnapshot) -> Check:
    linked = [b for b in snapshot.service_buses if b.splp_integrated]
    evidence = tuple(Evidence("service_bus", b.id, "integrated with SPLP") for b in linked)
    need = ("an SPL instance integrated with the national SPLP",)
    return Check(bool(linked), evidence, () if linked else need)


LADDER_18 = Ladder(
    1,
    "A service bus (SPL) does not exist, or exists.",
    (
        Step(2, "Applied in some OPD.", _some_bus_use),
        Step(
            3,
            "Applied in all OPD.",
            lambda s: coverage(s, service_bus_users(s), "service-bus use", all_opd=True),
        ),
        Step(
            4,
            "Integrated with SPLP, and reviewed periodically.",
            lambda s: both(_splp_linked(s), reviewed(s, ReviewSubject.SERVICE_BUS)),
        ),
        Step(
            5,
            "Review results followed up with improvements.",
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
    evidence = (Evidence("asset_management", "programme", "directed and planned programme"),)
    return Check(
        met, evidence if met else (), () if met else ("a directed, planned ICT asset programme",)
    )


def _guideline(snapshot: CatalogueSnapshot) -> Check:
    gaps = [s.value for s in AssetStage if s not in snapshot.asset_management.guideline_stages]
    evidence = (Evidence("asset_management", "guideline", "covers every stage"),)
    need = (f"a guideline that also covers {', '.join(gaps)}",)
    return Check(not gaps, () if gaps else evidence, need if gaps else ())


def _strategy(snapshot: CatalogueSnapshot) -> Check:
    facts = snapshot.asset_management
    set_by_team = Check(
        facts.strategy_by_tim_koordinasi,
        missing=()
        if facts.strategy_by_tim_koordinasi
        else ("a strategy set by the Tim Koordinasi SPBE",),
    )
    applied = coverage(snapshot, set(facts.strategy_opds), "asset strategy applied", all_opd=True)
    return both(set_by_team, applied, reviewed(snapshot, ReviewSubject.ASSET_MANAGEMENT))


LADDER_24 = Ladder(
    1,
    "No directed ICT asset management programme.",
    (
        Step(2, "A directed and planned programme.", _programme),
        Step(
            3,
            "Follows a guideline covering planning, procurement, management, disposal.",
            _guideline,
        ),
        Step(4, "A Tim Koordinasi strategy applied to all OPD, reviewed periodically.", _strategy),
        Step(5, "Improved after review.", lambda s: improved(s, ReviewSubject.ASSET_MANAGEMENT)),
    ),
)


@rule(FRAMEWORK, "24")
def asset_management(snapshot: CatalogueSnapshot) -> Proposal:
    """The ladder's level; the register's shares are evidence only (no threshold in 59/2020)."""
    proposal = LADDER_24.climb("24", snapshot)
    return replace(proposal, evidence=proposal.evidence + register_evidence(snapshot))
