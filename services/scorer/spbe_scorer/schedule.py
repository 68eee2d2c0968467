"""Score on a fixed interval until told to stop (SIGTERM / SIGINT set the stop event)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from types import FrameType

from spbe_scorer.runs.enums import Trigger
from spbe_scorer.runs.service import Scorer

log = logging.getLogger(__name__)


def run_once(scorer: Scorer, frameworks: Sequence[str], report: Callable[[str], None]) -> int:
    """One round over the frameworks; a failing framework is reported and the rest still run."""
    done = 0
    for framework in frameworks:
        try:
            run_id = scorer.run(framework, Trigger.SCHEDULE)
        except Exception as exc:  # keep scheduling: the next round may find the inventory up
            report(f"{framework}: run failed: {exc}")
            continue
        report(f"{framework}: run {run_id} stored")
        done += 1
    return done


def run_forever(
    scorer: Scorer,
    frameworks: Sequence[str],
    every_s: float,
    stop: threading.Event,
    report: Callable[[str], None] = log.info,
) -> int:
    """Run a round now, then every `every_s` seconds until `stop` is set; returns the rounds."""
    rounds = 0
    while not stop.is_set():
        run_once(scorer, frameworks, report)
        rounds += 1
        stop.wait(every_s)
    return rounds


def stop_on_signals(stop: threading.Event) -> None:
    def _handler(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _handler)
