"""One scan per scope at a time: an in-process lock plus an advisory lock file across processes."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_GUARD = threading.Lock()
_HELD: set[str] = set()


class ScanAlreadyRunning(RuntimeError):
    """Another scan of the same scope holds the lock."""


def _claim(key: str) -> None:
    with _GUARD:
        if key in _HELD:
            raise ScanAlreadyRunning(f"a scan of scope {key!r} is already running in this process")
        _HELD.add(key)


def _release(key: str) -> None:
    with _GUARD:
        _HELD.discard(key)


def _lock_file(lock_dir: Path, key: str) -> int:
    lock_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_dir / f"scan-{key}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ScanAlreadyRunning(f"a scan of scope {key!r} is already running") from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


@contextmanager
def scan_lock(lock_dir: Path, key: str) -> Iterator[None]:
    """Hold both locks for the scope `key` (already validated) or raise ScanAlreadyRunning."""
    _claim(key)
    try:
        fd = _lock_file(lock_dir, key)
    except BaseException:
        _release(key)
        raise
    try:
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock
        _release(key)
