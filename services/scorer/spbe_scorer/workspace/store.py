"""Where bukti dukung files live: content-addressed by their SHA-256.

`DocumentStore` is the interface the routes use; `DirectoryStore` keeps each file at
`<root>/<sha[:2]>/<sha>` (settings.documents_dir). An object store would implement the same three
methods. A file is streamed into a temporary file in the same directory (so the final rename is
atomic), hashed and measured while it is read, and refused as soon as it passes the limit; the
caller may inspect the complete temporary file before it is kept (the content check of
documents.py). Equal content is kept once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

CHUNK = 1024 * 1024
SHA256_HEX = frozenset("0123456789abcdef")
T = TypeVar("T")


class TooLarge(Exception):
    """The file passed the size limit; nothing was kept."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the file is larger than {limit} bytes")


class Missing(Exception):
    """No stored file has this SHA-256."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int


class DocumentStore(Protocol):
    def put(
        self, stream: BinaryIO, max_bytes: int, inspect: Callable[[BinaryIO], T]
    ) -> tuple[Stored, T]:
        """Keeps the stream's bytes (at most `max_bytes`, else TooLarge) once `inspect`, given
        the complete file opened for reading, returns; whatever `inspect` raises keeps nothing."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """The stored file for reading (Missing when it is not there)."""
        ...

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The stored file's bytes, a chunk at a time (for a streamed download); Missing is
        raised by this call, not by the first chunk."""
        ...


class DirectoryStore:
    """Files in a local directory, by hash."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        if len(sha256) != 64 or not SHA256_HEX.issuperset(sha256):
            raise Missing(f"not a SHA-256: {sha256[:80]!r}")
        return self.root / sha256[:2] / sha256

    def put(
        self, stream: BinaryIO, max_bytes: int, inspect: Callable[[BinaryIO], T]
    ) -> tuple[Stored, T]:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        temporary = Path(name)
        try:
            with os.fdopen(fd, "w+b") as out:
                stored = _copy(stream, out, max_bytes)
                out.seek(0)
                result = inspect(out)
            self._keep(temporary, stored.sha256)
        finally:
            temporary.unlink(missing_ok=True)
        return stored, result

    def _keep(self, temporary: Path, sha256: str) -> None:
        final = self.path_of(sha256)
        if final.exists():  # the same content is already kept
            return
        final.parent.mkdir(exist_ok=True)
        os.chmod(temporary, 0o640)
        os.replace(temporary, final)  # atomic: readers see the whole file or none

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path_of(sha256).open("rb")
        except FileNotFoundError:
            raise Missing(f"no stored file {sha256}") from None

    def chunks(self, sha256: str) -> Iterator[bytes]:
        return _chunks(self.open(sha256))  # opened now: Missing before any byte is sent


def _chunks(file: BinaryIO) -> Iterator[bytes]:
    with file:
        while chunk := file.read(CHUNK):
            yield chunk


def _copy(stream: BinaryIO, out: BinaryIO, max_bytes: int) -> Stored:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(max_bytes)
        digest.update(chunk)
        out.write(chunk)
    out.flush()
    os.fsync(out.fileno())
    return Stored(digest.hexdigest(), size)
