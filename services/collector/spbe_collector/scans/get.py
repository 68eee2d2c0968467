"""Run nmap (I/O): locate the binary, stream its XML from stdout, kill it at the chunk deadline."""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BufferedReader
from typing import IO, cast

import nmap  # python-nmap: used to find and identify the binary, not to parse large sweeps

from .enums import ChunkOutcome
from .transform import NmapXmlStream, ObservedHost

_READ_BLOCK = 64 * 1024
# A pipe that holds a whole discovery chunk's XML (~150 bytes a host): nmap never waits for the
# parser, which shares two cores with it. Linux's default limit for an unprivileged process.
_PIPE_BYTES = 1024 * 1024
_DEFAULT_SEARCH_PATH = ("nmap", "/usr/bin/nmap", "/usr/local/bin/nmap", "/opt/local/bin/nmap")


class NmapNotFound(RuntimeError):
    """No usable nmap binary."""


@dataclass(frozen=True, slots=True)
class NmapBinary:
    path: str
    version: str


@dataclass(frozen=True, slots=True)
class RunResult:
    outcome: ChunkOutcome
    hosts: int
    error: str | None = None


def locate_nmap(configured: str | None) -> NmapBinary:
    """python-nmap's own search (it runs `nmap -V`), restricted to the configured path if any."""
    search = (configured,) if configured else _DEFAULT_SEARCH_PATH
    try:
        scanner = nmap.PortScanner(nmap_search_path=search)
    except nmap.PortScannerError as exc:
        raise NmapNotFound(f"nmap not found in {', '.join(search)}: {exc}") from None
    major, minor = scanner.nmap_version()
    return NmapBinary(path=scanner._nmap_path, version=f"{major}.{minor}")


def is_privileged(configured: bool | None) -> bool:
    return configured if configured is not None else os.geteuid() == 0


def _error_text(stderr: IO[bytes], fallback: str) -> str:
    stderr.seek(0)
    text = stderr.read(2000).decode("utf-8", "replace").strip()
    return (text.splitlines()[-1] if text else fallback)[:300]


def _deliver(hosts: list[ObservedHost], on_hosts: Callable[[list[ObservedHost]], None]) -> int:
    if hosts:
        on_hosts(hosts)
    return len(hosts)


def _widen(pipe: BufferedReader) -> None:
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if set_size is not None:
        with contextlib.suppress(OSError):  # over the system's limit: keep the default
            fcntl.fcntl(pipe.fileno(), set_size, _PIPE_BYTES)


def _kill(proc: subprocess.Popen[bytes], timed_out: threading.Event) -> None:
    timed_out.set()
    proc.kill()


def run_nmap(
    argv: Sequence[str], timeout_s: float, on_hosts: Callable[[list[ObservedHost]], None]
) -> RunResult:
    """Run one nmap process; `on_hosts` gets the hosts of each block read, as soon as complete."""
    stream = NmapXmlStream()
    count = 0
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr
        )
        timed_out = threading.Event()
        timer = threading.Timer(timeout_s, _kill, (proc, timed_out))
        timer.start()
        try:
            stdout = cast(BufferedReader, proc.stdout)
            _widen(stdout)
            while block := stdout.read1(_READ_BLOCK):
                count += _deliver(stream.feed(block), on_hosts)
            count += _deliver(stream.close(), on_hosts)
            returncode = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            timer.cancel()
        return _result(returncode, timed_out.is_set(), stream, count, stderr)


def _result(
    returncode: int,
    timed_out: bool,
    stream: NmapXmlStream,
    count: int,
    stderr: IO[bytes],
) -> RunResult:
    if timed_out:
        return RunResult(ChunkOutcome.TIMED_OUT, count, "chunk timed out")
    if returncode != 0 or stream.stats.truncated or stream.stats.exit == "error":
        message = stream.stats.error or _error_text(stderr, f"nmap exited {returncode}")
        return RunResult(ChunkOutcome.FAILED, count, message)
    return RunResult(ChunkOutcome.OK, count)
