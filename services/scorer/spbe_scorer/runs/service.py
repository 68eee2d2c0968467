"""A scoring run: fetch the snapshot -> derive -> merge with assessments -> index -> store ->
commit -> publish `score.computed` (outbox: a run is marked published only once the bus confirmed).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

import httpx
from sqlalchemy import Connection, Engine

from spbe_common.bus import Producer, publish
from spbe_common.events import Event, EventType, new_event
from spbe_common.events.payloads import ScoreComputed
from spbe_scorer.assessments import repository as assessment_repo
from spbe_scorer.catalogue import CatalogueSnapshot
from spbe_scorer.db import utcnow
from spbe_scorer.derivation import derive
from spbe_scorer.frameworks import Framework, load_framework
from spbe_scorer.index import GroupScore, IndexResult, compute_index
from spbe_scorer.inventory import fetch_snapshot, snapshot_hash
from spbe_scorer.metrics import ScorerMetrics
from spbe_scorer.settings import ScorerSettings
from spbe_scorer.workspace import repository as workspace_repo
from spbe_scorer.workspace.enums import WorksheetSource

from . import repository as repo
from .enums import Trigger
from .merge import Assessment, Outcome, levels_of, merge, source_counts

SOURCE = "spbe-scorer"
log = logging.getLogger(__name__)


def to_assessment(row: dict[str, Any]) -> Assessment:
    return Assessment(
        row["id"], row["indicator"], Fraction(row["level_exact"]), row["justification"],
        row["evaluator"], row["assessed_on"], tuple(row["evidence_links"]),
        row.get("accepts_derived", False),
    )  # fmt: skip


def worksheet_assessment(ws: dict[str, Any]) -> dict[str, Any]:
    """A worksheet with a level, as the assessment a period run merges."""
    return {
        "id": ws["id"], "indicator": ws["indicator"], "level_exact": ws["level_exact"],
        "justification": ws["justification"] or ws["explanation"], "evaluator": ws["updated_by"],
        "assessed_on": ws["updated_at"].date(), "updated_at": ws["updated_at"],
        "evidence_links": [], "accepts_derived": ws["level_source"] == WorksheetSource.ACCEPTED,
    }  # fmt: skip


def _assessments(conn: Connection, framework: str, period_id: int | None) -> list[dict[str, Any]]:
    """Period-less runs: the framework's manual assessments. A period's run: its worksheets
    that have a level (the self-assessment), nothing else."""
    if period_id is None:
        return assessment_repo.for_framework(conn, framework)
    rows = workspace_repo.worksheets(conn, period_id)
    return [worksheet_assessment(ws) for ws in rows if ws["level_exact"] is not None]


def _exact(level: Fraction | None) -> str | None:
    return None if level is None else str(level)


def indicator_row(run_id: str, position: int, o: Outcome) -> dict[str, Any]:
    derived, manual = o.derived, o.assessment
    return {
        "run_id": run_id,
        "indicator": o.indicator.id,
        "position": position,
        "name": o.indicator.name,
        "domain": o.domain,
        "aspect": o.aspect,
        "level_exact": str(o.level),
        "level": float(o.level),
        "source": o.source.value,
        "derived_level_exact": _exact(derived.level if derived else None),
        "manual_level_exact": _exact(manual.level if manual else None),
        "assessment_id": manual.id if manual else None,
        "criterion": o.criterion,
        "evidence": [{"kind": e.kind, "id": e.id, "detail": e.detail} for e in o.evidence],
        "evidence_links": list(manual.evidence_links) if manual else [],
        "missing": list(derived.missing) if derived else [],
        "missing_opds": list(derived.missing_opds) if derived else [],
        "justification": o.justification,
        "evaluator": manual.evaluator if manual else None,
        "unconfirmed": derived.unconfirmed if derived else o.indicator.unconfirmed,
    }


def _groups(groups: Sequence[GroupScore]) -> list[dict[str, str]]:
    return [
        {"id": g.id, "name": g.name, "weight": str(g.weight), "index": str(g.index)} for g in groups
    ]


@dataclass(frozen=True)
class RunInputs:
    framework: Framework
    snapshot: CatalogueSnapshot
    trigger: Trigger
    started_at: datetime
    inventory_url: str
    period_id: int | None = None


def run_row(
    run_id: str, inputs: RunInputs, result: IndexResult, outcomes: list[Outcome],
    assessments: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    used = [
        {k: a[k] for k in ("id", "indicator", "level_exact", "evaluator", "assessed_on")}
        | {"updated_at": a["updated_at"].isoformat(), "assessed_on": a["assessed_on"].isoformat()}
        for a in assessments
    ]
    return {
        "id": run_id,
        "framework": inputs.framework.id,
        "framework_version": inputs.framework.version,
        "trigger": inputs.trigger.value,
        "started_at": inputs.started_at,
        "finished_at": utcnow(),
        "inventory_url": inputs.inventory_url,
        "snapshot_hash": snapshot_hash(inputs.snapshot),
        "snapshot_taken_at": inputs.snapshot.taken_at,
        "assessments": used,
        "index_exact": str(result.index),
        "index": float(result.index),
        "predicate": result.predicate,
        "domains": _groups(result.domains),
        "aspects": _groups(result.aspects),
        "counts": source_counts(outcomes),
        "period_id": inputs.period_id,
    }


def score_computed(run: dict[str, Any]) -> Event:
    """The event of a stored run; its id is the run id, so a re-publish is a duplicate."""
    data = ScoreComputed(
        run_id=run["id"], framework=run["framework"], index=run["index"],
        predicate=run["predicate"],
    )  # fmt: skip
    return new_event(
        EventType.SCORE_COMPUTED, data, source=SOURCE, time=run["finished_at"], event_id=run["id"]
    )


@dataclass
class Scorer:
    """Everything a run needs, built once at start-up and passed down."""

    settings: ScorerSettings
    engine: Engine
    inventory: httpx.Client
    metrics: ScorerMetrics
    producer: Producer | None = None

    def run(self, framework_id: str, trigger: Trigger, period_id: int | None = None) -> str:
        """Score one framework now; returns the stored run's id. With `period_id`, a run of that
        evaluation period: the worksheets' levels count, a derived one only once accepted."""
        clock = time.perf_counter()
        try:
            run_id = self._run(framework_id, trigger, period_id)
        except Exception:
            self.metrics.runs.labels(framework_id, "failed").inc()
            raise
        self.metrics.runs.labels(framework_id, "ok").inc()
        self.metrics.run_seconds.labels(framework_id).observe(time.perf_counter() - clock)
        try:
            self.publish_pending()
        except Exception:  # the run is stored; its event stays pending for the next attempt
            log.warning("score.computed of run %s not published yet", run_id, exc_info=True)
        return run_id

    def _run(self, framework_id: str, trigger: Trigger, period_id: int | None = None) -> str:
        started = utcnow()
        framework = load_framework(framework_id, self.settings.frameworks_dir)
        snapshot = fetch_snapshot(self.inventory)
        proposals = derive(framework.id, snapshot)
        url = str(self.inventory.base_url)
        inputs = RunInputs(framework, snapshot, trigger, started, url, period_id)
        run_id = str(uuid.uuid4())
        with self.engine.begin() as conn:  # the edge owns the transaction
            assessments = _assessments(conn, framework.id, period_id)
            used = [to_assessment(a) for a in assessments]
            outcomes = merge(framework, proposals, used, count_derived=period_id is None)
            result = compute_index(framework, levels_of(outcomes))
            rows = [indicator_row(run_id, i, o) for i, o in enumerate(outcomes)]
            repo.insert_run(conn, run_row(run_id, inputs, result, outcomes, assessments), rows)
        return run_id

    def publish_pending(self) -> int:
        """Publish score.computed for every committed run not yet confirmed by the bus."""
        if self.producer is None:
            return 0
        with self.engine.connect() as conn:
            pending = repo.unpublished(conn)
        if not pending:
            return 0
        publish(self.producer, [score_computed(run) for run in pending])
        self.producer.flush()
        with self.engine.begin() as conn:
            repo.mark_published(conn, [run["id"] for run in pending], utcnow())
        self.metrics.events_published.inc(len(pending))
        return len(pending)
