"""Small pure queries over a catalogue snapshot, shared by the rules."""

from collections.abc import Iterable
from datetime import date, timedelta

from spbe_common.events.enums import HostingKind
from spbe_scorer.catalogue import (
    Audit,
    AuditKind,
    CatalogueSnapshot,
    Facility,
    Review,
    ReviewSubject,
)

from .labels import subject as subject_words
from .model import Check, Evidence

# "Periodic" review and "at least once every 2 years" audit: counted back from taken_at.
REVIEW_WINDOW = timedelta(days=730)
AUDIT_WINDOW = timedelta(days=730)
# Cloud is a (non-physical) data centre in the regulation's definition of Pusat Data.
DATA_CENTRE_KINDS = frozenset({HostingKind.PUSAT_DATA_PEMDA, HostingKind.PDN, HostingKind.CLOUD})


def _within(snapshot: CatalogueSnapshot, when: date, window: timedelta) -> bool:
    today = snapshot.taken_at.date()
    return today - window <= when <= today


def opd_codes(snapshot: CatalogueSnapshot) -> list[str]:
    return [opd.code for opd in snapshot.opds]


def data_centres(snapshot: CatalogueSnapshot) -> list[Facility]:
    return [f for f in snapshot.facilities if f.kind in DATA_CENTRE_KINDS]


def recent_reviews(snapshot: CatalogueSnapshot, subject: ReviewSubject) -> list[Review]:
    found = [r for r in snapshot.reviews if r.subject is subject]
    return sorted((r for r in found if _within(snapshot, r.date, REVIEW_WINDOW)), key=_by_date)


def recent_audits(snapshot: CatalogueSnapshot, kind: AuditKind) -> list[Audit]:
    found = [a for a in snapshot.audits if a.kind is kind]
    return sorted((a for a in found if _within(snapshot, a.date, AUDIT_WINDOW)), key=_by_date)


def _by_date(record: Review | Audit) -> date:
    return record.date


def review_evidence(reviews: Iterable[Review]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence("review", r.id, f"reviu {subject_words(r.subject)} pada {r.date.isoformat()}")
        for r in reviews
    )


def coverage(snapshot: CatalogueSnapshot, covered: set[str], what: str, *, all_opd: bool) -> Check:
    """Some OPD (all_opd=False) or every OPD (all_opd=True) is in `covered`; `what` is said in
    Bahasa Indonesia (it is both the evidence detail and the start of what is missing)."""
    known = opd_codes(snapshot)
    missing = tuple(code for code in known if code not in covered)
    users = [code for code in known if code in covered]
    if all_opd:
        met = bool(known) and not missing
        need = (f"{what} di seluruh OPD; belum di {len(missing)} dari {len(known)} OPD",)
    else:
        met = bool(users)
        need = (f"{what} di sekurang-kurangnya satu OPD",)
    evidence = (Evidence("opd", code, what) for code in users)
    return Check(met, tuple(evidence), () if met else need, () if met else missing)


def reviewed(snapshot: CatalogueSnapshot, subject: ReviewSubject) -> Check:
    reviews = recent_reviews(snapshot, subject)
    need = f"reviu {subject_words(subject)} bertanggal dalam {REVIEW_WINDOW.days} hari terakhir"
    return Check(bool(reviews), review_evidence(reviews), () if reviews else (need,))


def followed_up(snapshot: CatalogueSnapshot, held_on: date, followed_up_on: date | None) -> bool:
    """A follow-up dated after the review or audit it follows, and not after taken_at."""
    return followed_up_on is not None and held_on < followed_up_on <= snapshot.taken_at.date()


def improved(snapshot: CatalogueSnapshot, subject: ReviewSubject) -> Check:
    """A recent review whose results were followed up, on a date after the review."""
    recent = recent_reviews(snapshot, subject)
    done = [r for r in recent if followed_up(snapshot, r.date, r.followed_up_on)]
    words = subject_words(subject)
    evidence = tuple(
        Evidence(
            "review", r.id, f"reviu {words} pada {r.date}, ditindaklanjuti pada {r.followed_up_on}"
        )
        for r in done
    )
    need = (
        f"hasil reviu {words} terbaru ditindaklanjuti dengan perbaikan, bertanggal setelah reviu"
        " tersebut"
    )
    undated = tuple(
        f"reviu {words} pada {r.date}: tanggal tindak lanjut hasilnya belum dicatat"
        for r in recent
        if r.improvements_followed_up and r.followed_up_on is None
    )
    return Check(bool(done), evidence, () if done else (need, *undated))


def both(*checks: Check) -> Check:
    """All checks met; evidence and what is missing are pooled."""
    return Check(
        all(c.met for c in checks),
        tuple(e for c in checks for e in c.evidence),
        tuple(m for c in checks for m in c.missing),
        tuple(dict.fromkeys(o for c in checks for o in c.missing_opds)),
    )
