"""Derivation rules of PermenPANRB 59/2020 for indicators 32-47 (Layanan SPBE)."""

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from heapq import merge
from itertools import islice

from spbe_common.catalogue import EXAMPLES, ApplicationRef
from spbe_scorer.catalogue import (
    SERVICE_AREA_INDICATOR,
    CatalogueSnapshot,
    ReviewSubject,
    ServiceArea,
)

from .facts import followed_up, recent_reviews
from .labels import area as area_words
from .model import Evidence, Proposal
from .registry import register
from .summary import summary_of, who

FRAMEWORK = "spbe-2020"


# --- 32..47 Layanan: the technical-function level of the best application --------------------
# The level is a field anyone can set, so levels 4 and 5 count only with facts behind them:
# level 4 (Kolaborasi, integrated) needs the application on the service bus; level 5
# (Optimalisasi, improved after review) also needs a recent review naming the application,
# followed up after it. The level-5 wording itself is unconfirmed in the reference.

SERVICE_READING = (
    "rumusan tingkat 5 (Optimalisasi) belum terkonfirmasi; tingkat 4-5 dihitung hanya bila ada"
    " penggunaan SPL (4) dan reviu atas aplikasi yang telah ditindaklanjuti (5), tafsiran aturan"
    " penurunan ini"
)
APPLICATION_REVIEWS = frozenset({ReviewSubject.APPLICATION, ReviewSubject.APPLICATION_DEVELOPMENT})


def _reviewed_and_improved(snapshot: CatalogueSnapshot, app_id: str) -> bool:
    reviews = (r for subject in APPLICATION_REVIEWS for r in recent_reviews(snapshot, subject))
    return any(
        app_id in r.applications and followed_up(snapshot, r.date, r.followed_up_on)
        for r in reviews
    )


@dataclass(frozen=True)
class _Class:
    """Applications serving the area that the rule treats alike: claimed level, service-bus use
    and (level 5 only) a followed-up review; how many, and the first of them."""

    claimed: int | None
    on_bus: bool
    improved: bool
    count: int
    first: list[ApplicationRef]

    @property
    def supported(self) -> int:
        """The level as far as recorded facts support it."""
        claimed = self.claimed or 1
        if claimed >= 4 and not self.on_bus:
            return 3
        if claimed == 5 and not self.improved:
            return 4
        return claimed

    def gap(self, ref: ApplicationRef) -> str | None:
        """What the rest of the claimed level needs."""
        claimed = self.claimed or 1
        if claimed >= 4 and not self.on_bus:
            return f"{who(ref)}: tingkat {claimed} memerlukan integrasi dengan layanan lain melalui SPL"
        if claimed == 5 and not self.improved:
            return (
                f"{who(ref)}: tingkat 5 memerlukan reviu atas aplikasi ini yang ditindaklanjuti"
                " dengan perbaikan setelahnya"
            )
        return None


def _classes(area: ServiceArea, snapshot: CatalogueSnapshot) -> list[_Class]:
    apps = summary_of(snapshot)
    found = [
        _Class(g.function_level, g.uses_service_bus, False, g.applications.count, g.applications.first)
        for g in apps.services
        if g.area is area and g.applications.count
    ]  # fmt: skip
    found += [
        _Class(5, True, _reviewed_and_improved(snapshot, r.id), 1, [r])
        for r in apps.reviewed
        if area in r.service_areas
    ]
    return found


def _first(classes: list[_Class]) -> list[tuple[ApplicationRef, _Class]]:
    """The first EXAMPLES applications of these classes, in catalogue order, with their class."""
    each = ([(ref, c) for ref in c.first] for c in classes)
    return list(islice(merge(*each, key=lambda pair: pair[0].order), EXAMPLES))


def _service_detail(claimed: int | None, supported: int) -> str:
    if claimed == supported:
        return f"tingkat {claimed}"
    return f"tingkat {claimed}, didukung data sampai tingkat {supported}"


def _lines(
    classes: list[_Class], line: Callable[[ApplicationRef, _Class], str], need: str
) -> tuple[str, ...]:
    """One line per application of the first EXAMPLES, and one for how many more there are."""
    pairs = _first(classes)
    count = sum(c.count for c in classes)
    lines = tuple(line(ref, c) for ref, c in pairs)
    return lines + (
        (f"{count - len(pairs)} aplikasi lainnya: {need}",) if count > len(pairs) else ()
    )


def best_service_level(area: ServiceArea, snapshot: CatalogueSnapshot) -> Proposal:
    indicator = SERVICE_AREA_INDICATOR[area]
    service = area_words(area)
    classes = _classes(area, snapshot)
    rated = [c for c in classes if c.claimed is not None]
    not_assessed = "tingkat fungsi teknis belum dinilai"
    unrated = _lines(
        [c for c in classes if c.claimed is None], lambda r, c: f"{who(r)}: {not_assessed}",
        not_assessed,
    )  # fmt: skip
    if not rated:
        need = (f"aplikasi aktif untuk {service} yang tingkatnya sudah dinilai", *unrated)
        return Proposal(
            indicator, Fraction(1), f"Belum ada aplikasi yang sudah dinilai untuk {service}.",
            missing=need,
            unconfirmed=SERVICE_READING,
        )  # fmt: skip
    leaders = sorted(((c.first[0], c) for c in rated), key=lambda pair: pair[0].order)
    best, best_class = max(leaders, key=lambda pair: (pair[1].supported, pair[1].claimed or 0))
    level = best_class.supported
    shown = _first(rated)
    evidence = tuple(
        Evidence("application", ref.id, f"{who(ref)} — {_service_detail(c.claimed, c.supported)}")
        for ref, c in shown
    )
    total = sum(c.count for c in rated)
    if total > len(shown):
        more = (
            f"{total - len(shown)} aplikasi lainnya yang tingkatnya sudah dinilai untuk {service}"
        )
        evidence += (Evidence("application", "more", more),)
    capped = _lines(  # what would lift an application that claims more than it shows
        [c for c in rated if c.supported == level and c.claimed != c.supported],
        lambda r, c: c.gap(r) or "",
        f"mengklaim lebih dari tingkat {level} tanpa data pendukungnya",
    )  # fmt: skip
    missing = (
        ()
        if level == 5
        else (f"aplikasi untuk {service} pada tingkat {level + 1}", *capped, *unrated)
    )
    criterion = f"{best.name} ({best.opd}) berfungsi pada tingkat fungsi teknis {level}."
    return Proposal(
        indicator, Fraction(level), criterion, evidence, missing, unconfirmed=SERVICE_READING
    )


for _area in ServiceArea:
    register(FRAMEWORK, SERVICE_AREA_INDICATOR[_area], partial(best_service_level, _area))
