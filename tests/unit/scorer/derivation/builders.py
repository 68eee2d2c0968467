"""Small catalogues built in the tests: three OPD, snapshot taken on 2025-06-30."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from spbe_scorer.catalogue import (
    Application,
    Audit,
    CatalogueSnapshot,
    Facility,
    Opd,
    Review,
    ReviewSubject,
)

TAKEN = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)
OPDS = ["BAPPEDA", "BKAD", "DISKOMINFO"]


def snapshot(**records: Any) -> CatalogueSnapshot:
    opds = [Opd(code=code, name=code.title(), manages_ict=code == "DISKOMINFO") for code in OPDS]
    return CatalogueSnapshot(taken_at=TAKEN, opds=opds, **records)


def days_ago(days: int) -> date:
    return TAKEN.date() - timedelta(days=days)


def review(
    subject: ReviewSubject, *, age: int = 100, follow_up: int | None = None, **fields: Any
) -> Review:
    """A review `age` days before the snapshot, followed up `follow_up` days after it."""
    held = days_ago(age)
    followed = None if follow_up is None else held + timedelta(days=follow_up)
    return Review(
        **{"id": f"rev-{subject}-{age}", "subject": subject, "date": held,
           "followed_up_on": followed, **fields}
    )  # fmt: skip


def app(name: str, opd: str = "BAPPEDA", **fields: Any) -> Application:
    return Application(id=f"app-{name}", name=name, opd=opd, **fields)


def facility(fid: str = "dc", **fields: Any) -> Facility:
    return Facility(**{"id": fid, "name": f"Facility {fid}", "kind": "pusat_data_pemda", **fields})


def audit(aid: str, **fields: Any) -> Audit:
    return Audit(**{"id": aid, "kind": "security", "date": days_ago(200), **fields})
