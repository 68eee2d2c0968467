"""The catalogue read model: the JSON contract of `GET /api/v1/catalogue/snapshot`
(schema_version 1), served by the inventory and read by the scorer.

Plain on purpose: only the facts the derivation rules read. OPD are referenced by `code`,
facilities by `id`. Unknown references are ignored by the rules, not errors. Dates are ISO 8601.

Two forms of the same version: by default every application is listed (`applications`); asked
with `?applications=summary` the inventory lists none and sends `application_summary` instead:
the active applications counted as the rules count them (GROUP BY in the database), each count
with the first `EXAMPLES` applications it counts, in catalogue order. A reader that knows no
summary (it ignores unknown fields) never asks for one, so it never gets a snapshot without
applications.
"""

import re
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from spbe_common.events.enums import ApplicationKind, ApplicationStatus, HostingKind

SCHEMA_VERSION: Literal[1] = 1
FollowUpDate = date | None  # a name apart: records with a `date` field shadow the type


class ServiceArea(StrEnum):
    """SPBE service areas (PermenPANRB 59/2020 indicators 32-47); sektor_1..3 are Pemda-chosen."""

    PERENCANAAN = "perencanaan"
    PENGANGGARAN = "penganggaran"
    KEUANGAN = "keuangan"
    PENGADAAN = "pengadaan"
    KEPEGAWAIAN = "kepegawaian"
    KEARSIPAN = "kearsipan"
    BARANG_MILIK_DAERAH = "barang_milik_daerah"
    PENGAWASAN_INTERNAL = "pengawasan_internal"
    AKUNTABILITAS_KINERJA = "akuntabilitas_kinerja"
    KINERJA_PEGAWAI = "kinerja_pegawai"
    PENGADUAN = "pengaduan"
    DATA_TERBUKA = "data_terbuka"
    JDIH = "jdih"
    SEKTOR_1 = "sektor_1"
    SEKTOR_2 = "sektor_2"
    SEKTOR_3 = "sektor_3"


SERVICE_AREA_INDICATOR: dict[ServiceArea, str] = {
    area: str(number) for number, area in enumerate(ServiceArea, start=32)
}
PUBLIC_SERVICE_AREAS = frozenset(list(ServiceArea)[10:])  # indicators 42-47
SECTOR_SLOTS = (ServiceArea.SEKTOR_1, ServiceArea.SEKTOR_2, ServiceArea.SEKTOR_3)
# The inventory records a sectoral public service as "publik_sektor:<sector>" (e.g. adminduk).
PUBLIC_SECTOR_PREFIX = "publik_sektor:"


# What the pages call each area (the indicator's name without "Layanan"); the sector slots are
# named by the sector an application serves ("publik_sektor:kesehatan": Kesehatan).
SERVICE_AREA_LABELS: dict[ServiceArea, str] = {
    ServiceArea.PERENCANAAN: "Perencanaan",
    ServiceArea.PENGANGGARAN: "Penganggaran",
    ServiceArea.KEUANGAN: "Keuangan",
    ServiceArea.PENGADAAN: "Pengadaan Barang dan Jasa",
    ServiceArea.KEPEGAWAIAN: "Kepegawaian",
    ServiceArea.KEARSIPAN: "Kearsipan Dinamis",
    ServiceArea.BARANG_MILIK_DAERAH: "Pengelolaan Barang Milik Daerah",
    ServiceArea.PENGAWASAN_INTERNAL: "Pengawasan Internal Pemerintah",
    ServiceArea.AKUNTABILITAS_KINERJA: "Akuntabilitas Kinerja Organisasi",
    ServiceArea.KINERJA_PEGAWAI: "Kinerja Pegawai",
    ServiceArea.PENGADUAN: "Pengaduan Pelayanan Publik",
    ServiceArea.DATA_TERBUKA: "Data Terbuka",
    ServiceArea.JDIH: "JDIH",
}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def _slug(text: str) -> str:
    return _NOT_WORD.sub("_", text.casefold()).strip("_")


_AREA_BY_WORDS = {
    **{_slug(area.value): area.value for area in SERVICE_AREA_LABELS},
    **{_slug(label): area.value for area, label in SERVICE_AREA_LABELS.items()},
    **{_slug(f"Layanan {label}"): area.value for area, label in SERVICE_AREA_LABELS.items()},
}


def service_area_code(text: str) -> str:
    """What a person types to the code the rules read: an area by its code or name, with or
    without "Layanan" ("Kepegawaian" -> kepegawaian); anything else names a sectoral public
    service ("Kesehatan" -> publik_sektor:kesehatan)."""
    slug = _slug(text.removeprefix(PUBLIC_SECTOR_PREFIX))
    if not text.startswith(PUBLIC_SECTOR_PREFIX) and slug in _AREA_BY_WORDS:
        return _AREA_BY_WORDS[slug]
    return f"{PUBLIC_SECTOR_PREFIX}{slug}"


# Abbreviations people type as sectors: a sector's code is lower case (it is matched so), its
# name on a page keeps them in capitals ("publik_sektor:ppid": PPID, not "Ppid").
ABBREVIATIONS = frozenset({
    "ppid", "jdih", "umkm", "pbb", "bphtb", "ktp", "kia", "kk", "sim", "stnk", "imb", "pbg",
    "siup", "nib", "oss", "pad", "bpjs", "pkh", "dtks", "rsud", "lpse", "spbe", "tik", "cctv",
    "ikm", "ukm", "bumd", "pdam",
})  # fmt: skip


_SMALL_WORDS = frozenset({"dan", "atau", "di", "ke", "dari", "untuk", "yang", "dengan", "serta"})


def _word(word: str, first: bool) -> str:
    if word in ABBREVIATIONS:
        return word.upper()
    return word if word in _SMALL_WORDS and not first else word.capitalize()


def service_area_label(code: str) -> str:
    """The name a page shows: 'Kepegawaian', or the sector's ('Informasi Publik', 'PPID')."""
    if code.startswith(PUBLIC_SECTOR_PREFIX):
        words = code.removeprefix(PUBLIC_SECTOR_PREFIX).split("_")
        return " ".join(_word(w, first=n == 0) for n, w in enumerate(words))
    try:
        return SERVICE_AREA_LABELS.get(ServiceArea(code), code)
    except ValueError:
        return code


def service_area_of(code: str, public_sectors: Sequence[str]) -> ServiceArea | None:
    """The indicator area of an inventory service-area code; sectors by their chosen slot.

    `public_sectors` are the (at most three) sectors the Pemda chose for indicators 45-47, in
    order. A sector not chosen, or an unknown code, serves no indicator (None).
    """
    if code.startswith(PUBLIC_SECTOR_PREFIX):
        sector = code.removeprefix(PUBLIC_SECTOR_PREFIX)
        chosen = list(public_sectors)[: len(SECTOR_SLOTS)]
        return SECTOR_SLOTS[chosen.index(sector)] if sector in chosen else None
    try:
        area = ServiceArea(code)
    except ValueError:
        return None
    return None if area in SECTOR_SLOTS else area


class LifecycleStage(StrEnum):
    """Application development life-cycle stages (indicator 15, level 2)."""

    NEEDS_ANALYSIS = "needs_analysis"
    PLANNING = "planning"
    DESIGN = "design"
    IMPLEMENTATION = "implementation"
    ACCEPTANCE_TESTING = "acceptance_testing"
    MAINTENANCE = "maintenance"
    EVALUATION = "evaluation"


class AssetStage(StrEnum):
    """What an ICT asset management guideline must cover (indicator 24, level 3)."""

    PLANNING = "planning"
    PROCUREMENT = "procurement"
    MANAGEMENT = "management"
    DISPOSAL = "disposal"


class AuditKind(StrEnum):
    INFRASTRUCTURE = "infrastructure"
    APPLICATION = "application"
    SECURITY = "security"


class AuditorKind(StrEnum):
    INTERNAL = "internal"
    CERTIFIED_EXTERNAL = "certified_external"


class AuditCoverage(StrEnum):
    """How much of the main items of its kind (infrastructure, applications, security) an audit
    covered in the OPD it audited."""

    SOME = "some"
    ALL = "all"


class ReviewSubject(StrEnum):
    """What a periodic review and evaluation looked at."""

    DATA_CENTRE = "data_centre"
    INTRA_NETWORK = "intra_network"
    SERVICE_BUS = "service_bus"
    APPLICATION_DEVELOPMENT = "application_development"
    ASSET_MANAGEMENT = "asset_management"
    SERVICE_PORTAL = "service_portal"
    APPLICATION = "application"  # an application's electronic service (indicators 32-47)


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Opd(Record):
    code: str = Field(min_length=1, max_length=32, description="OPD code, the key used everywhere")
    name: str = Field(min_length=1)
    manages_ict: bool = Field(
        default=False, description="The OPD that runs ICT management (usually Diskominfo)"
    )


class Application(Record):
    id: str = Field(min_length=1, description="Inventory id of the application")
    name: str = Field(min_length=1)
    opd: str = Field(description="Code of the owning OPD")
    kind: ApplicationKind | None = Field(
        default=None, description="general = shared national Aplikasi Umum; special = Khusus"
    )
    status: ApplicationStatus = ApplicationStatus.ACTIVE
    service_areas: list[ServiceArea] = Field(
        default_factory=list, description="SPBE service areas served (indicators 32-47)"
    )
    function_level: int | None = Field(
        default=None, ge=1, le=5, description="Technical-function level 1..5; null = not assessed"
    )
    uses_service_bus: bool = Field(default=False, description="Exchanges data over the SPL")
    facility: str | None = Field(default=None, description="Id of the hosting facility")
    lifecycle_documents: list[LifecycleStage] = Field(
        default_factory=list, description="Life-cycle stages with a development document"
    )
    consulted_with_ict_opd: bool = Field(
        default=False, description="Development was consulted with the ICT-managing OPD"
    )
    controlled_by_ict_opd: bool = Field(
        default=False, description="Development is integrated and controlled by that OPD"
    )
    is_service_portal: bool = Field(
        default=False, description="This is the Pemda's digital service portal"
    )
    listed_in_portal: bool = Field(
        default=False, description="Reachable from the digital service portal"
    )
    licence: str | None = Field(default=None, description="Software licence, when recorded")
    licence_until: date | None = None


class Facility(Record):
    """A computing facility: Pusat Data Pemda, PDN, cloud, OPD server room."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: HostingKind
    used_by: list[str] = Field(
        default_factory=list, description="Codes of OPD declared as using it (besides hosting)"
    )
    sop: bool = Field(default=False, description="A standard operating procedure exists")
    pdn_interconnected: bool = Field(
        default=False, description="Interconnected with PDN or another agency's data centre"
    )


class Site(Record):
    """An OPD location on (or off) the Pemda intra network."""

    id: str = Field(min_length=1)
    opd: str = Field(description="Code of the OPD at this site")
    name: str = ""
    on_intra_network: bool = False
    jip_interconnected: bool = Field(
        default=False, description="The intra network here links to Jaringan Intra Pemerintah"
    )


class ServiceBus(Record):
    """A Sistem Penghubung Layanan (SPL) instance."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    splp_integrated: bool = Field(default=False, description="Integrated with the national SPLP")
    apis: list[str] = Field(default_factory=list, description="APIs exchanged over it")


class Audit(Record):
    id: str = Field(min_length=1)
    kind: AuditKind
    date: date
    in_plan: bool = Field(default=False, description="Done to a continuous audit plan")
    standard_based: bool = Field(default=False, description="Done to a named audit standard")
    auditor: AuditorKind = AuditorKind.INTERNAL
    scope: str = ""
    opds: list[str] = Field(
        default_factory=list, description="Codes of the OPD audited; empty = not recorded"
    )
    coverage: AuditCoverage = Field(
        default=AuditCoverage.SOME, description="Some or all of the main items of its kind"
    )
    followed_up_on: FollowUpDate = Field(
        default=None, description="When the findings were followed up with improvements"
    )
    findings_followed_up: bool = Field(
        default=False, description="Kept for old snapshots; the rules read followed_up_on"
    )


class AssetManagement(Record):
    """ICT asset management programme facts (indicator 24)."""

    programme: bool = Field(default=False, description="A directed and planned programme exists")
    guideline_stages: list[AssetStage] = Field(
        default_factory=list, description="Stages the written guideline covers"
    )
    strategy_by_tim_koordinasi: bool = Field(
        default=False, description="A strategy set by the Tim Koordinasi SPBE exists"
    )
    strategy_opds: list[str] = Field(
        default_factory=list, description="Codes of OPD where that strategy is applied"
    )


class AssetRegister(Record):
    """How much of an OPD's regional asset register the catalogue holds (indicator 24): its
    active assets, and how many of them carry each fact the register records."""

    opd: str = Field(description="Code of the OPD")
    active: int = Field(ge=0)
    with_procurement_year: int = Field(default=0, ge=0)
    with_condition: int = Field(default=0, ge=0)
    with_asset_code: int = Field(default=0, ge=0)


class Review(Record):
    """A periodic review and evaluation, and whether its results led to improvements."""

    id: str = Field(min_length=1)
    subject: ReviewSubject
    date: date
    followed_up_on: FollowUpDate = Field(
        default=None, description="When its results were followed up with improvements"
    )
    applications: list[str] = Field(
        default_factory=list, description="Ids of the applications it looked at, if any"
    )
    improvements_followed_up: bool = Field(
        default=False, description="Kept for old snapshots; the rules read followed_up_on"
    )
    reference: str | None = Field(default=None, description="Report number or link")


EXAMPLES = 20  # applications named per count of a summary (and per evidence or missing list)


class ApplicationRef(Record):
    """One application a summary count names as an example."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    opd: str
    order: int = Field(ge=0, description="Its place in catalogue order (the inventory: its id)")
    stages: list[LifecycleStage] = Field(
        default_factory=list, description="Life-cycle stages documented (lifecycle examples)"
    )
    service_areas: list[ServiceArea] = Field(
        default_factory=list, description="Areas served (applications of `reviewed`)"
    )


class Examples(Record):
    """How many active applications have a property, and the first of them."""

    count: int = Field(default=0, ge=0)
    first: list[ApplicationRef] = Field(
        default_factory=list, description="The first EXAMPLES of them, in catalogue order"
    )


class ServiceGroup(Record):
    """Active applications serving an area at one claimed level, on the service bus or not
    (the applications of `ApplicationSummary.reviewed` left out)."""

    area: ServiceArea
    function_level: int | None = Field(default=None, ge=1, le=5)
    uses_service_bus: bool = False
    applications: Examples = Field(default_factory=Examples)


class OpdApplications(Record):
    """One OPD's active applications and their licence facts (indicator 24's register)."""

    opd: str
    active: int = Field(ge=0)
    with_licence: int = Field(default=0, ge=0)
    licence_expired: int = Field(default=0, ge=0, description="licence_until before taken_at")


class ApplicationSummary(Record):
    """The active applications as the derivation rules count them. "Pemda" applications are
    the ones not of kind general (indicator 15); "public" ones serve an area of indicators
    42-47 and are not the portal."""

    pemda: int = Field(default=0, ge=0)
    lifecycle_complete: Examples = Field(default_factory=Examples)
    lifecycle_incomplete: Examples = Field(
        default_factory=Examples, description="Pemda applications lacking a stage's document"
    )
    consulted: Examples = Field(default_factory=Examples)
    not_consulted: Examples = Field(default_factory=Examples)
    controlled: Examples = Field(default_factory=Examples)
    not_controlled: Examples = Field(default_factory=Examples)
    on_service_bus: Examples = Field(default_factory=Examples)
    service_bus_opds: list[str] = Field(default_factory=list)
    facility_opds: dict[str, list[str]] = Field(
        default_factory=dict, description="Facility id -> OPD hosting an active application"
    )
    by_opd: list[OpdApplications] = Field(default_factory=list)
    services: list[ServiceGroup] = Field(default_factory=list)
    reviewed: list[ApplicationRef] = Field(
        default_factory=list,
        description="Applications at level 5 on the service bus that a review names: whether"
        " they keep level 5 depends on that review, so they are listed whole",
    )
    portals: Examples = Field(default_factory=Examples)
    portals_on_bus: Examples = Field(default_factory=Examples)
    public_listed: Examples = Field(default_factory=Examples)
    public_unlisted: Examples = Field(default_factory=Examples)


class CatalogueSnapshot(Record):
    schema_version: Literal[1] = SCHEMA_VERSION
    taken_at: datetime = Field(description="When the snapshot was taken; windows count from it")
    opds: list[Opd] = Field(default_factory=list, description="Every OPD of the Pemda")
    applications: list[Application] = Field(default_factory=list)
    facilities: list[Facility] = Field(default_factory=list)
    sites: list[Site] = Field(default_factory=list)
    service_buses: list[ServiceBus] = Field(default_factory=list)
    audits: list[Audit] = Field(default_factory=list)
    asset_management: AssetManagement = Field(default_factory=AssetManagement)
    asset_registers: list[AssetRegister] = Field(
        default_factory=list, description="Per OPD: register facts of its active assets"
    )
    reviews: list[Review] = Field(default_factory=list)
    public_sectors: list[str] = Field(
        default_factory=list,
        max_length=3,
        description="Sectors chosen for indicators 45-47 (sektor_1..3), in slot order",
    )
    unreviewed_assets: dict[str, int] = Field(
        default_factory=dict,
        description="Per OPD code: hosts scans found that no person has reviewed (its review"
        " queue; unmanaged assets are what an asset register exists to prevent)",
    )
    application_summary: ApplicationSummary | None = Field(
        default=None,
        description="Asked for with ?applications=summary: the active applications counted,"
        " instead of listed in `applications`",
    )
