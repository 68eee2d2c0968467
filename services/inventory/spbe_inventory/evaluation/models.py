"""Evaluation facts the catalogue records for the SPBE / Pemdi derivation rules.

Audits, reviews, service-bus (SPL) instances and the applications that use them, per-application
development practice (life-cycle documents, ICT-OPD consultation, portal listing), which OPD use
a facility, and the Pemda-wide profile (ICT-managing OPD, chosen public sectors, ICT asset
management programme). Vocabularies come from the shared contract `spbe_common.catalogue`.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from spbe_common.catalogue import (
    AssetStage,
    AuditCoverage,
    AuditKind,
    AuditorKind,
    LifecycleStage,
    ReviewSubject,
)
from spbe_inventory.db import EnumText, UTCDateTime, utcnow
from spbe_inventory.history.models import EntityKind
from spbe_inventory.patch import (
    CLOSED,
    INT64_END,
    MAX_IDS,
    MAX_ITEMS,
    OPEN,
    Code,
    Day,
    Id,
    Name,
    Patch,
    unset,
)

OPD_CODE = r"^[A-Z0-9][A-Z0-9_-]{0,31}$"
SECTOR_CODE = r"^[a-z0-9][a-z0-9_]{0,62}$"


class EvaluationEntity(StrEnum):
    """`history.entity` values of the evaluation records (members of history.EntityKind)."""

    AUDIT = EntityKind.AUDIT.value
    REVIEW = EntityKind.REVIEW.value
    SERVICE_BUS = EntityKind.SERVICE_BUS.value
    APPLICATION_PRACTICE = EntityKind.APPLICATION_PRACTICE.value
    FACILITY_USE = EntityKind.FACILITY_USE.value
    PROFILE = EntityKind.EVALUATION_PROFILE.value


# --- audits ---------------------------------------------------------------------------------


class AuditBase(SQLModel):
    model_config = CLOSED

    opd_code: str = Field(max_length=32, index=True, description="OPD that commissioned it")
    kind: AuditKind = Field(sa_type=EnumText)
    audited_on: Day
    in_plan: bool = Field(
        default=False, schema_extra={"strict": True}, description="Done to a continuous audit plan"
    )
    standard_based: bool = Field(
        default=False, schema_extra={"strict": True}, description="Done to a named audit standard"
    )
    auditor: AuditorKind = Field(default=AuditorKind.INTERNAL, sa_type=EnumText)
    auditor_name: str | None = Field(default=None, max_length=200)
    scope: str = Field(default="", max_length=500)
    audited_opds: list[Code] = Field(
        default=[],
        max_length=MAX_IDS,
        description="OPD audited; empty = the commissioning OPD (opd_code)",
    )
    coverage: AuditCoverage = Field(
        default=AuditCoverage.SOME,
        sa_type=EnumText,
        description="Some or all of the main items of its kind in the OPD audited",
    )
    followed_up_on: Day | None = Field(
        default=None, description="When the findings were followed up with improvements"
    )
    findings_followed_up: bool = Field(
        default=False,
        schema_extra={"strict": True},
        description="Kept for compatibility; the scorer reads followed_up_on",
    )
    reference: str | None = Field(default=None, max_length=500, description="Report no. / link")


class AuditUpdate(Patch):
    kind: AuditKind = unset()
    audited_on: Day = unset()
    in_plan: bool = unset(strict=True)
    standard_based: bool = unset(strict=True)
    auditor: AuditorKind = unset()
    auditor_name: str | None = Field(default=None, max_length=200)
    scope: str = unset(max_length=500)
    audited_opds: list[Code] = unset(max_length=MAX_IDS)
    coverage: AuditCoverage = unset()
    followed_up_on: Day | None = None
    findings_followed_up: bool = unset(strict=True)
    reference: str | None = Field(default=None, max_length=500)


class Audit(AuditBase, table=True):
    __tablename__ = "evaluation_audit"
    model_config = OPEN
    id: int | None = Field(default=None, primary_key=True)
    audited_opds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditPublic(AuditBase):
    model_config = OPEN
    id: int


class AuditsPublic(SQLModel):
    data: list[AuditPublic]
    count: int


# --- reviews --------------------------------------------------------------------------------


class ReviewBase(SQLModel):
    model_config = CLOSED

    opd_code: str = Field(max_length=32, index=True, description="OPD that held the review")
    subject: ReviewSubject = Field(sa_type=EnumText)
    reviewed_on: Day
    summary: str = Field(default="", max_length=2000)
    followed_up_on: Day | None = Field(
        default=None, description="When its results were followed up with improvements"
    )
    application_ids: list[Id] = Field(
        default=[], max_length=MAX_IDS, description="Applications it reviewed (indicators 32-47)"
    )
    improvements_followed_up: bool = Field(
        default=False,
        schema_extra={"strict": True},
        description="Kept for compatibility; the scorer reads followed_up_on",
    )
    reference: str | None = Field(default=None, max_length=500)


class ReviewUpdate(Patch):
    subject: ReviewSubject = unset()
    reviewed_on: Day = unset()
    summary: str = unset(max_length=2000)
    followed_up_on: Day | None = None
    application_ids: list[Id] = unset(max_length=MAX_IDS)
    improvements_followed_up: bool = unset(strict=True)
    reference: str | None = Field(default=None, max_length=500)


class Review(ReviewBase, table=True):
    __tablename__ = "evaluation_review"
    model_config = OPEN
    id: int | None = Field(default=None, primary_key=True)
    application_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReviewPublic(ReviewBase):
    model_config = OPEN
    id: int


class ReviewsPublic(SQLModel):
    data: list[ReviewPublic]
    count: int


# --- service bus (Sistem Penghubung Layanan) ------------------------------------------------


class ServiceBusBase(SQLModel):
    name: str = Field(min_length=2, max_length=200, unique=True)
    opd_code: str = Field(max_length=32, index=True, description="OPD that operates it")
    facility_id: int | None = Field(
        default=None,
        foreign_key="facility.id",
        schema_extra={"ge": 1, "lt": INT64_END, "strict": True},
    )
    splp_integrated: bool = Field(
        default=False,
        schema_extra={"strict": True},
        description="Integrated with the national SPLP",
    )


class ServiceBusCreate(ServiceBusBase):
    model_config = CLOSED

    apis: list[Name] = Field(default=[], max_length=MAX_ITEMS, description="APIs exchanged over it")
    application_ids: list[Id] = Field(
        default=[], max_length=MAX_IDS, description="Applications that use it"
    )


class ServiceBusUpdate(Patch):
    facility_id: Id | None = None
    splp_integrated: bool = unset(strict=True)
    apis: list[Name] = unset(max_length=MAX_ITEMS)
    application_ids: list[Id] = unset(max_length=MAX_IDS)


class ServiceBus(ServiceBusBase, table=True):
    __tablename__ = "evaluation_service_bus"
    id: int | None = Field(default=None, primary_key=True)
    apis: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ServiceBusApplication(SQLModel, table=True):
    """Which applications exchange data over which service bus."""

    __tablename__ = "evaluation_service_bus_application"
    service_bus_id: int = Field(foreign_key="evaluation_service_bus.id", primary_key=True)
    application_id: int = Field(foreign_key="application.id", primary_key=True, index=True)


class ServiceBusPublic(ServiceBusBase):
    id: int
    apis: list[str]
    application_ids: list[int]


class ServiceBusesPublic(SQLModel):
    data: list[ServiceBusPublic]
    count: int


# --- application development practice -----------------------------------------------------


class DevelopmentDocument(SQLModel):
    """One development document of an application: its life-cycle stage and where it is."""

    model_config = CLOSED

    stage: LifecycleStage
    title: str = Field(min_length=1, max_length=200)
    reference: str | None = Field(default=None, max_length=500)


class ApplicationPracticeBase(SQLModel):
    consulted_with_ict_opd: bool = Field(
        default=False,
        schema_extra={"strict": True},
        description="Development was consulted with the ICT-managing OPD",
    )
    controlled_by_ict_opd: bool = Field(
        default=False,
        schema_extra={"strict": True},
        description="Development is integrated and controlled by that OPD",
    )
    is_service_portal: bool = Field(
        default=False, schema_extra={"strict": True}, description="The digital service portal"
    )
    listed_in_portal: bool = Field(
        default=False, schema_extra={"strict": True}, description="Reachable from that portal"
    )


class ApplicationPracticeIn(ApplicationPracticeBase):
    model_config = CLOSED

    documents: list[DevelopmentDocument] = Field(default=[], max_length=len(LifecycleStage))


class ApplicationPractice(ApplicationPracticeBase, table=True):
    __tablename__ = "evaluation_application_practice"
    application_id: int = Field(foreign_key="application.id", primary_key=True)
    documents: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApplicationPracticePublic(ApplicationPracticeIn):
    model_config = OPEN

    application_id: int
    opd_code: str


class ApplicationPracticesPublic(SQLModel):
    data: list[ApplicationPracticePublic]
    count: int


# --- which OPD use a facility (besides hosting applications in it) --------------------------


class FacilityUseBase(SQLModel):
    model_config = CLOSED

    facility_id: int = Field(
        foreign_key="facility.id", schema_extra={"ge": 1, "lt": INT64_END, "strict": True}
    )
    opd_code: str = Field(max_length=32, index=True)
    note: str | None = Field(default=None, max_length=500)


class FacilityUse(FacilityUseBase, table=True):
    __tablename__ = "evaluation_facility_use"
    model_config = OPEN
    __table_args__ = (UniqueConstraint("facility_id", "opd_code"),)
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FacilityUsePublic(FacilityUseBase):
    model_config = OPEN

    id: int


class FacilityUsesPublic(SQLModel):
    data: list[FacilityUsePublic]
    count: int


# --- the Pemda-wide profile (one row) --------------------------------------------------------


class EvaluationProfileBase(SQLModel):
    model_config = CLOSED

    ict_opd_code: str | None = Field(
        default=None, max_length=32, description="The OPD that runs ICT management (Diskominfo)"
    )
    public_sectors: list[Annotated[str, Field(max_length=63)]] = Field(
        default=[], max_length=3, description="Sectors for indicators 45-47, in slot order"
    )
    asset_programme: bool = Field(
        default=False, schema_extra={"strict": True}, description="Directed, planned ICT asset plan"
    )
    asset_guideline_stages: list[AssetStage] = Field(
        default=[],
        max_length=len(AssetStage),
        description="Stages the ICT asset management guideline covers",
    )
    asset_strategy_by_tim_koordinasi: bool = Field(default=False, schema_extra={"strict": True})
    asset_strategy_opds: list[Code] = Field(
        default=[], max_length=MAX_IDS, description="OPD applying that strategy"
    )


class EvaluationProfile(SQLModel, table=True):
    __tablename__ = "evaluation_profile"
    id: int = Field(default=1, primary_key=True)
    ict_opd_code: str | None = Field(default=None, max_length=32)
    public_sectors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    asset_programme: bool = False
    asset_guideline_stages: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    asset_strategy_by_tim_koordinasi: bool = False
    asset_strategy_opds: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
