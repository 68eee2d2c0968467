"""The active applications as the rules count them (`ApplicationSummary`).

A snapshot asked for with `?applications=summary` carries it, counted by the inventory's
database; a snapshot that lists its applications (older inventories, the tests' catalogues)
gets the same summary computed here from that list, in list order. Every rule that reads
applications reads this summary, so both forms derive the same levels; evidence and what is
missing name at most `EXAMPLES` applications per count and say how many more there are.
"""

from collections.abc import Callable

from spbe_common.catalogue import (
    EXAMPLES,
    PUBLIC_SERVICE_AREAS,
    ApplicationRef,
    ApplicationSummary,
    Examples,
    OpdApplications,
    ServiceGroup,
)
from spbe_common.events.enums import ApplicationKind, ApplicationStatus
from spbe_scorer.catalogue import Application, CatalogueSnapshot, LifecycleStage, ServiceArea

from .model import Evidence

_cache: dict[int, tuple[CatalogueSnapshot, ApplicationSummary]] = {}


def summary_of(snapshot: CatalogueSnapshot) -> ApplicationSummary:
    """The snapshot's summary, or the one of its application list (computed once a snapshot)."""
    if snapshot.application_summary is not None:
        return snapshot.application_summary
    cached = _cache.get(id(snapshot))
    if cached is not None and cached[0] is snapshot:
        return cached[1]
    summary = summarise(snapshot)
    _cache.clear()  # one snapshot at a time: a run derives from one
    _cache[id(snapshot)] = (snapshot, summary)
    return summary


def _ref(position: int, app: Application, **extra: object) -> ApplicationRef:
    return ApplicationRef(id=app.id, name=app.name, opd=app.opd, order=position, **extra)


class _Counter:
    """Collects one `Examples`: a count and the first EXAMPLES refs."""

    __slots__ = ("count", "first")

    def __init__(self) -> None:
        self.count = 0
        self.first: list[ApplicationRef] = []

    def add(self, position: int, app: Application, **extra: object) -> None:
        self.count += 1
        if len(self.first) < EXAMPLES:
            self.first.append(_ref(position, app, **extra))

    def done(self) -> Examples:
        return Examples(count=self.count, first=self.first)


def reviewed_ids(snapshot: CatalogueSnapshot) -> set[str]:
    return {app_id for review in snapshot.reviews for app_id in review.applications}


def is_reviewed(app_level: int | None, on_bus: bool, named: bool) -> bool:
    """An application listed whole in `reviewed`: its level 5 hangs on a review naming it."""
    return named and on_bus and app_level == 5


def summarise(snapshot: CatalogueSnapshot) -> ApplicationSummary:
    """The summary of the snapshot's application list: the obvious path, one pass."""
    today = snapshot.taken_at.date()
    named_ids = reviewed_ids(snapshot)
    names = (
        "lifecycle_complete", "lifecycle_incomplete", "consulted", "not_consulted", "controlled",
        "not_controlled", "on_service_bus", "portals", "portals_on_bus", "public_listed",
        "public_unlisted",
    )  # fmt: skip
    counters = {name: _Counter() for name in names}
    pemda = 0
    bus_opds: dict[str, None] = {}
    facility_opds: dict[str, dict[str, None]] = {}
    by_opd: dict[str, list[int]] = {}
    groups: dict[tuple[str, int | None, bool], _Counter] = {}
    reviewed: list[ApplicationRef] = []
    for position, app in enumerate(snapshot.applications):
        if app.status is not ApplicationStatus.ACTIVE:
            continue
        if app.kind is not ApplicationKind.GENERAL:
            pemda += 1
            stages = [s for s in LifecycleStage if s in app.lifecycle_documents]
            if len(stages) == len(LifecycleStage):
                counters["lifecycle_complete"].add(position, app)
            else:
                counters["lifecycle_incomplete"].add(position, app, stages=stages)
            for flag, yes, no in (
                (app.consulted_with_ict_opd, "consulted", "not_consulted"),
                (app.controlled_by_ict_opd, "controlled", "not_controlled"),
            ):
                counters[yes if flag else no].add(position, app)
        if app.uses_service_bus:
            counters["on_service_bus"].add(position, app)
            bus_opds[app.opd] = None
        if app.facility is not None:
            facility_opds.setdefault(app.facility, {})[app.opd] = None
        row = by_opd.setdefault(app.opd, [0, 0, 0])
        row[0] += 1
        if app.licence:
            row[1] += 1
            row[2] += app.licence_until is not None and app.licence_until < today
        areas = list(dict.fromkeys(app.service_areas))
        if is_reviewed(app.function_level, app.uses_service_bus, app.id in named_ids):
            reviewed.append(_ref(position, app, service_areas=areas))
        else:
            for area in areas:
                key = (area.value, app.function_level, app.uses_service_bus)
                groups.setdefault(key, _Counter()).add(position, app)
        if app.is_service_portal:
            counters["portals"].add(position, app)
            if app.uses_service_bus:
                counters["portals_on_bus"].add(position, app)
        elif PUBLIC_SERVICE_AREAS & set(app.service_areas):
            counters["public_listed" if app.listed_in_portal else "public_unlisted"].add(
                position, app
            )
    return ApplicationSummary(
        pemda=pemda,
        service_bus_opds=list(bus_opds),
        facility_opds={fid: list(opds) for fid, opds in facility_opds.items()},
        by_opd=[
            OpdApplications(opd=opd, active=n, with_licence=lic, licence_expired=old)
            for opd, (n, lic, old) in by_opd.items()
        ],
        services=[
            ServiceGroup(
                area=ServiceArea(area),
                function_level=level,
                uses_service_bus=bus,
                applications=counter.done(),
            )
            for (area, level, bus), counter in groups.items()
        ],
        reviewed=reviewed,
        **{name: counter.done() for name, counter in counters.items()},
    )


# --- evidence and missing lines from counts ----------------------------------------------------


def evidence_of(
    count: int, refs: list[ApplicationRef], detail: Callable[[ApplicationRef], str], what: str
) -> tuple[Evidence, ...]:
    """One evidence row per named application (its name and OPD first: an evaluator checks the
    application by name), and one that says how many more there are."""
    rows = tuple(Evidence("application", r.id, f"{who(r)} — {detail(r)}") for r in refs)
    if count > len(refs):
        rows += (Evidence("application", "more", f"{count - len(refs)} aplikasi lainnya: {what}"),)
    return rows


def examples_evidence(examples: Examples, detail: str) -> tuple[Evidence, ...]:
    return evidence_of(examples.count, examples.first, lambda _: detail, detail)


def missing_of(
    count: int, refs: list[ApplicationRef], line: Callable[[ApplicationRef], str], need: str
) -> tuple[str, ...]:
    """One line per named application, and one that says how many more need the same."""
    lines = tuple(line(r) for r in refs)
    if count > len(refs):
        lines += (f"{count - len(refs)} aplikasi lainnya: {need}",)
    return lines


def who(ref: ApplicationRef) -> str:
    return f"{ref.name} ({ref.opd})"
