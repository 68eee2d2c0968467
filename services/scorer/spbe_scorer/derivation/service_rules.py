"""Derivation rules of PermenPANRB 59/2020 for indicators 32-47 (Layanan SPBE)."""

from fractions import Fraction
from functools import partial

from spbe_scorer.catalogue import (
    SERVICE_AREA_INDICATOR,
    Application,
    CatalogueSnapshot,
    ReviewSubject,
    ServiceArea,
)

from .facts import active_applications, followed_up, recent_reviews
from .model import Evidence, Proposal
from .registry import register

FRAMEWORK = "spbe-2020"


# --- 32..47 Layanan: the technical-function level of the best application --------------------
# The level is a field anyone can set, so levels 4 and 5 count only with facts behind them:
# level 4 (Kolaborasi, integrated) needs the application on the service bus; level 5
# (Optimalisasi, improved after review) also needs a recent review naming the application,
# followed up after it. The level-5 wording itself is unconfirmed in the reference.

SERVICE_READING = (
    "level 5 (Optimalisasi) wording is unconfirmed; levels 4-5 count only with service-bus use"
    " (4) and a followed-up review of the application (5), this rule's reading"
)
APPLICATION_REVIEWS = frozenset({ReviewSubject.APPLICATION, ReviewSubject.APPLICATION_DEVELOPMENT})


def _reviewed_and_improved(snapshot: CatalogueSnapshot, app: Application) -> bool:
    reviews = (r for subject in APPLICATION_REVIEWS for r in recent_reviews(snapshot, subject))
    return any(
        app.id in r.applications and followed_up(snapshot, r.date, r.followed_up_on)
        for r in reviews
    )


def supported_level(snapshot: CatalogueSnapshot, app: Application) -> tuple[int, str | None]:
    """The application's level as far as recorded facts support it, and what the rest needs."""
    claimed = app.function_level or 1
    who = f"{app.name} ({app.opd})"
    if claimed >= 4 and not app.uses_service_bus:
        return 3, f"{who}: level {claimed} needs integration with other services over the SPL"
    if claimed == 5 and not _reviewed_and_improved(snapshot, app):
        return 4, f"{who}: level 5 needs a review of it, followed up with improvements after it"
    return claimed, None


def _service_detail(claimed: int | None, supported: int) -> str:
    return f"level {claimed}" if claimed == supported else f"level {claimed}, {supported} supported"


def best_service_level(area: ServiceArea, snapshot: CatalogueSnapshot) -> Proposal:
    indicator = SERVICE_AREA_INDICATOR[area]
    serving = [a for a in active_applications(snapshot) if area in a.service_areas]
    rated = [a for a in serving if a.function_level is not None]
    unrated = tuple(  # by field, not `a not in rated`: model equality is O(n) per test
        f"{a.name} ({a.opd}): technical-function level not assessed"
        for a in serving
        if a.function_level is None
    )
    if not rated:
        need = (f"an active application for {area} with an assessed level", *unrated)
        return Proposal(
            indicator, Fraction(1), f"No assessed application for {area}.", missing=need,
            unconfirmed=SERVICE_READING,
        )  # fmt: skip
    supported = {a.id: supported_level(snapshot, a) for a in rated}
    best = max(rated, key=lambda a: (supported[a.id][0], a.function_level or 0))
    level = supported[best.id][0]
    evidence = tuple(
        Evidence("application", a.id, _service_detail(a.function_level, supported[a.id][0]))
        for a in rated
    )
    capped = tuple(  # what would lift an application that claims more than it shows
        gap for a in rated if (gap := supported[a.id][1]) and supported[a.id][0] == level
    )
    missing = (
        () if level == 5 else (f"an application for {area} at level {level + 1}", *capped, *unrated)
    )
    criterion = f"{best.name} ({best.opd}) works at technical-function level {level}."
    return Proposal(
        indicator, Fraction(level), criterion, evidence, missing, unconfirmed=SERVICE_READING
    )


for _area in ServiceArea:
    register(FRAMEWORK, SERVICE_AREA_INDICATOR[_area], partial(best_service_level, _area))
