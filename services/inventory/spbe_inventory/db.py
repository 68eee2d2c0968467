"""The inventory's database helpers: the shared ones of spbe_common, under the names it imports,
and `commit_watch`, which lets a hot read reuse what it computed until anything is committed."""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from collections.abc import Hashable
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine

from spbe_common.db import DateText, EnumText, UTCDateTime, make_engine, utcnow

MEMO_ENTRIES = 4096  # remembered results per database, forgotten all at once past this
ROW_ENTRIES = 20_000  # remembered rows per list (as JSON text, ~1 KB each), likewise


class CommitWatch:
    """Knows whether anything was committed to one SQLite database since a mark was taken.

    `PRAGMA data_version` on a connection of its own (never used for anything else) changes
    whenever any other connection, of this process or another, commits: a result remembered at
    mark M is exact while the mark still reads M. A reader takes the mark BEFORE its snapshot
    (its first read) and again after; only a result whose two marks agree may be remembered,
    and a remembered result may be used by a snapshot taken before a mark that still equals it.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._memo: dict[Hashable, tuple[int, float, Any]] = {}
        self._rows: dict[Hashable, tuple[int, dict[int, str]]] = {}

    def mark(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def recall(self, key: Hashable, mark: int, max_age_s: float | None = None) -> Any | None:
        """The value remembered under `key` at `mark` (None: none, or older than max_age_s)."""
        found = self._memo.get(key)
        if found is None or found[0] != mark:
            return None
        if max_age_s is not None and time.monotonic() - found[1] > max_age_s:
            return None
        return found[2]

    def remember(self, key: Hashable, mark: int, value: Any) -> None:
        if len(self._memo) >= MEMO_ENTRIES:
            self._memo.clear()
        self._memo[key] = (mark, time.monotonic(), value)

    def rows(self, key: Hashable, mark: int) -> dict[int, str]:
        """The rows of one list (`key`: its table and columns) remembered at `mark`, by id, to
        read and to add to (empty once anything was committed since, or past ROW_ENTRIES).
        Only rows read in a snapshot taken between two marks equal to `mark` may be added."""
        found = self._rows.get(key)
        if found is None or found[0] != mark or len(found[1]) >= ROW_ENTRIES:
            found = self._rows[key] = (mark, {})
        return found[1]


_WATCHES: weakref.WeakKeyDictionary[Engine, CommitWatch | None] = weakref.WeakKeyDictionary()
_WATCHES_LOCK = threading.Lock()


def commit_watch(engine: Engine) -> CommitWatch | None:
    """The watch of an engine's SQLite file; None for PostgreSQL or an in-memory database,
    where nothing may be remembered across requests."""
    try:
        return _WATCHES[engine]
    except KeyError:
        pass
    with _WATCHES_LOCK:
        if engine not in _WATCHES:
            path = _file_of(engine)
            if path is None:
                _WATCHES[engine] = None
            else:
                try:  # read-write, never created here: a missing file stays the engine's error
                    conn = sqlite3.connect(
                        f"file:{quote(path)}?mode=rw",
                        uri=True,
                        check_same_thread=False,
                        isolation_level=None,
                    )
                except sqlite3.Error:
                    return None  # not remembered: tried again once the file exists
                _WATCHES[engine] = CommitWatch(conn)
        return _WATCHES[engine]


def _file_of(engine: Engine) -> str | None:
    """The SQLite database file of an engine; None for PostgreSQL, memory, URI filenames."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        return None
    return None if path.startswith("file:") or engine.url.query else path


__all__ = [
    "CommitWatch",
    "DateText",
    "EnumText",
    "UTCDateTime",
    "commit_watch",
    "make_engine",
    "utcnow",
]
