"""When each scheduled scope last ran: a small JSON file in the data directory, so a restart
neither rescans everything nor postpones a scan that is due."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from pathlib import Path

from spbe_common.files import write_atomically

log = logging.getLogger(__name__)
FILE_NAME = "schedule-state.json"
VERSION = 1


class LastRuns:
    """Key -> the time its last run started. Read once; written (atomically) on every record.
    A missing file means nothing ran yet; an unreadable one is said in a warning and treated
    the same, never a crash: the worst it costs is one early scan of each scope."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._runs = _read(path)

    def get(self, key: str) -> datetime | None:
        with self._lock:
            return self._runs.get(key)

    def record(self, key: str, started: datetime) -> None:
        with self._lock:
            self._runs[key] = started
            document = {
                "version": VERSION,
                "last_run": {k: when.isoformat() for k, when in sorted(self._runs.items())},
            }
            try:
                write_atomically(self.path, json.dumps(document, indent=2) + "\n")
            except OSError as exc:  # kept in memory: only a restart would scan it early
                log.warning("schedule state %s not written: %s", self.path, exc.strerror or exc)


def _read(path: Path) -> dict[str, datetime]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return _parse(document)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:  # JSONDecodeError and a bad shape are ValueErrors
        log.warning(
            "schedule state %s is unreadable (%s); every scope counts as never run", path, exc
        )
        return {}


def _parse(document: object) -> dict[str, datetime]:
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise ValueError(f"not a version {VERSION} schedule state")
    runs = document.get("last_run")
    if not isinstance(runs, dict):
        raise ValueError("last_run is not an object")
    parsed: dict[str, datetime] = {}
    for key, text in runs.items():
        when = datetime.fromisoformat(text) if isinstance(text, str) else None
        if when is None or when.tzinfo is None:
            raise ValueError(f"the last run of {key!r} is not a time with a time zone")
        parsed[str(key)] = when
    return parsed
