"""Derivation rules of Indeks Pemdi (PermenPANRB 8/2026) for I13, I14, I16 and I17.

The reference gives no level criteria for 8/2026, so these are proxies built from the 59/2020
ladders that evidence the same things, marked unconfirmed on every proposal. Pemdi values may be
fractional, so a proxy that pools several ladders takes their plain mean.
"""

from statistics import mean

from spbe_scorer.catalogue import CatalogueSnapshot, ReviewSubject, ServiceArea
from spbe_scorer.numbers import display

from .facts import both, improved, reviewed
from .model import Check, Ladder, Proposal, Step
from .registry import rule
from .rules import application_development, data_centre, intra_network, service_bus
from .service_rules import best_service_level
from .summary import examples_evidence, missing_of, summary_of, who

FRAMEWORK = "pemdi-2026"
PROXY = (
    "pendekatan dari kriteria tingkat PermenPANRB 59/2020; kriteria tingkat PermenPANRB 8/2026"
    " tidak ada dalam rujukan"
)


def pooled(indicator: str, criterion: str, parts: list[Proposal]) -> Proposal:
    """The mean of several proposals, keeping every part's evidence and what it misses; each
    part's level is written with a decimal comma, as the pages write numbers."""
    return Proposal(
        indicator=indicator,
        level=mean(p.level for p in parts),
        criterion=f"{criterion} "
        + "; ".join(f"{p.indicator}: {display(p.level).replace('.', ',')}" for p in parts),
        evidence=tuple(dict.fromkeys(e for p in parts for e in p.evidence)),
        missing=tuple(f"[{p.indicator}] {m}" for p in parts for m in p.missing),
        missing_opds=tuple(dict.fromkeys(o for p in parts for o in p.missing_opds)),
        unconfirmed=PROXY,
    )


def _relabel(indicator: str, proposal: Proposal) -> Proposal:
    return Proposal(
        indicator, proposal.level, proposal.criterion, proposal.evidence,
        proposal.missing, proposal.missing_opds, PROXY,
    )  # fmt: skip


@rule(FRAMEWORK, "I13")
def pemdi_applications(snapshot: CatalogueSnapshot) -> Proposal:
    """Aplikasi Pemdi: development practice (59/2020 #15) and mean service level (#32-47)."""
    services = [best_service_level(area, snapshot) for area in ServiceArea]
    service_mean = Proposal(
        "32-47",
        mean(p.level for p in services),
        "rerata tingkat fungsi teknis",
        tuple(e for p in services for e in p.evidence),
        tuple(m for p in services for m in p.missing),
    )
    return pooled("I13", "Rerata dari", [application_development(snapshot), service_mean])


@rule(FRAMEWORK, "I14")
def pemdi_infrastructure(snapshot: CatalogueSnapshot) -> Proposal:
    """Infrastruktur Pemdi: data centre / PDN (59/2020 #16) and intra network (#17)."""
    return pooled("I14", "Rerata dari", [data_centre(snapshot), intra_network(snapshot)])


@rule(FRAMEWORK, "I16")
def pemdi_integration(snapshot: CatalogueSnapshot) -> Proposal:
    """Integrasi Aplikasi: the service-bus ladder (59/2020 #18)."""
    return _relabel("I16", service_bus(snapshot))


# --- I17 Portal Layanan Digital Pemerintah ---------------------------------------------------


def _portals(snapshot: CatalogueSnapshot) -> Check:
    portals = summary_of(snapshot).portals
    evidence = examples_evidence(portals, "portal layanan digital")
    return Check(
        bool(portals.count),
        evidence,
        () if portals.count else ("portal layanan digital yang aktif",),
    )


def _public_services_listed(snapshot: CatalogueSnapshot) -> Check:
    apps = summary_of(snapshot)
    listed, unlisted = apps.public_listed, apps.public_unlisted
    evidence = examples_evidence(listed, "tercantum di portal")
    need = "cantumkan di portal"
    missing = missing_of(unlisted.count, unlisted.first, lambda r: f"{who(r)}: {need}", need)
    public = listed.count + unlisted.count
    if not public:
        missing = ("aplikasi layanan publik yang aktif (area layanan indikator 42-47)",)
    return Check(bool(public) and not unlisted.count, evidence, missing)


def _portal_integrated(snapshot: CatalogueSnapshot) -> Check:
    portals = summary_of(snapshot).portals_on_bus
    evidence = examples_evidence(portals, "portal menggunakan SPL")
    integrated = Check(
        bool(portals.count),
        evidence,
        () if portals.count else ("portal yang terintegrasi melalui SPL",),
    )
    return both(integrated, reviewed(snapshot, ReviewSubject.SERVICE_PORTAL))


LADDER_I17 = Ladder(
    1,
    "Belum ada portal layanan digital.",
    (
        Step(2, "Portal layanan digital sudah aktif.", _portals),
        Step(
            3,
            "Setiap aplikasi layanan publik yang aktif tercantum di portal.",
            _public_services_listed,
        ),
        Step(
            4,
            "Portal terintegrasi melalui SPL dan direviu secara berkala.",
            _portal_integrated,
        ),
        Step(
            5,
            "Portal ditingkatkan berdasarkan hasil reviu.",
            lambda s: improved(s, ReviewSubject.SERVICE_PORTAL),
        ),
    ),
)


@rule(FRAMEWORK, "I17")
def pemdi_portal(snapshot: CatalogueSnapshot) -> Proposal:
    return _relabel("I17", LADDER_I17.climb("I17", snapshot))
