"""Run chunk jobs on a bounded thread pool; hand each result to the caller's thread as it comes."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .enums import ChunkOutcome
from .get import RunResult
from .transform import ObservedHost

Emit = Callable[[list[ObservedHost]], None]
Job = Callable[[Emit], RunResult]
_QUEUE_BOUND = 32  # batches of ~400 hosts (one per 64 KiB read): ~3 MiB at most, and
# nmap goes on while the log syncs to disk


@dataclass(frozen=True, slots=True)
class _Done:
    result: RunResult


def _guarded(
    job: Job, out: queue.Queue[list[ObservedHost] | _Done], cancel: threading.Event
) -> None:
    result = RunResult(ChunkOutcome.FAILED, 0, "cancelled")
    try:
        if not cancel.is_set():
            result = job(out.put)
    except Exception as exc:  # a broken chunk is a failed chunk, not a failed scan
        result = RunResult(ChunkOutcome.FAILED, 0, f"{type(exc).__name__}: {exc}"[:300])
    finally:
        out.put(_Done(result))


def run_jobs(
    jobs: Sequence[Job],
    parallel: int,
    on_assets: Emit,
    on_done: Callable[[RunResult], None],
) -> list[RunResult]:
    """Every job's result; `on_assets`/`on_done` run in this thread, in arrival order."""
    out: queue.Queue[list[ObservedHost] | _Done] = queue.Queue(maxsize=_QUEUE_BOUND)
    cancel = threading.Event()
    results: list[RunResult] = []
    failure: BaseException | None = None
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="nmap-chunk") as pool:
        for job in jobs:
            pool.submit(_guarded, job, out, cancel)
        while len(results) < len(jobs):
            try:
                item = out.get()
                if isinstance(item, _Done):
                    results.append(item.result)
                    if failure is None:
                        on_done(item.result)
                elif failure is None:
                    on_assets(item)
            except BaseException as exc:  # stop new chunks, drain the running ones, re-raise
                failure = failure or exc
                cancel.set()
    if failure is not None:
        raise failure
    return results
