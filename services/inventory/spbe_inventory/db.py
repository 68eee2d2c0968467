"""The inventory's database: shared helpers plus the request/consumer session scope."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine
from sqlmodel import Session

from spbe_common.db import EnumText, UTCDateTime, make_engine, utcnow

__all__ = ["EnumText", "UTCDateTime", "make_engine", "session_scope", "utcnow"]


def session_scope(engine: Engine) -> Iterator[Session]:
    """The edge owns the transaction: commit when the work returns, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
