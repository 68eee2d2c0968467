"""The schedule: a round over the frameworks, failures reported, the stop event ends it."""

import threading
from typing import Any

from spbe_scorer.runs.enums import Trigger
from spbe_scorer.schedule import run_forever


class RecordingScorer:
    """Stands in for Scorer.run: records calls, fails for one framework, stops after N rounds."""

    def __init__(self, stop: threading.Event, rounds: int) -> None:
        self.calls: list[tuple[str, Trigger]] = []
        self.stop, self.rounds = stop, rounds

    def run(self, framework: str, trigger: Trigger) -> str:
        self.calls.append((framework, trigger))
        if len(self.calls) >= 2 * self.rounds:
            self.stop.set()
        if framework == "pemdi-2026":
            raise RuntimeError("inventory API unreachable")
        return f"run-{len(self.calls)}"


def test_rounds_repeat_until_stopped_and_a_failure_does_not_end_them() -> None:
    stop = threading.Event()
    scorer = RecordingScorer(stop, rounds=2)
    lines: list[str] = []
    scorer_any: Any = scorer
    rounds = run_forever(scorer_any, ["spbe-2020", "pemdi-2026"], 0.001, stop, lines.append)
    assert rounds == 2
    assert [c[0] for c in scorer.calls] == ["spbe-2020", "pemdi-2026"] * 2
    assert {c[1] for c in scorer.calls} == {Trigger.SCHEDULE}
    assert lines[0] == "spbe-2020: run run-1 stored"
    assert lines[1] == "pemdi-2026: run failed: inventory API unreachable"


def test_a_stop_before_the_start_runs_nothing() -> None:
    stop = threading.Event()
    stop.set()
    scorer: Any = RecordingScorer(stop, rounds=1)
    assert run_forever(scorer, ["spbe-2020"], 60, stop, print) == 0
