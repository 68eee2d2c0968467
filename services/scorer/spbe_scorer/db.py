"""The scorer's own database: engine factory and column types. Nothing connects at import time.

SQLite by default (`<SPBE_DATA_DIR>/scorer.db`), PostgreSQL by SPBE_SCORER_DATABASE_URL. The
tables live on the scorer's own MetaData (never SQLModel's global one, which the inventory uses),
all named `scorer_*`, so both services can share one PostgreSQL database.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from spbe_common.db import UTCDateTime, make_engine, utcnow

metadata = MetaData()


__all__ = ["UTCDateTime", "make_engine", "metadata", "utcnow"]
