"""`spbe score ...`: index from a file of levels, frameworks, scoring runs, assessments, the API
and the schedule.

The lead mounts `app` into the `spbe` CLI. Bad input exits with code 2 and a message on stderr;
an unreachable inventory exits with code 1.
"""

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from spbe_common import heap
from spbe_common.db import begin_write
from spbe_scorer.api.app import create_app
from spbe_scorer.assessments import repository as assessment_repo
from spbe_scorer.assessments import service as assessment_service
from spbe_scorer.assessments.schemas import AssessmentIn, AssessmentUpdate
from spbe_scorer.frameworks import Framework, FrameworkError, list_frameworks, load_framework
from spbe_scorer.index import GroupScore, IndexResult, LevelsError, compute_index, pairs_to_levels
from spbe_scorer.index.files import InputFileError, read_levels_file
from spbe_scorer.inventory import InventoryError
from spbe_scorer.numbers import display
from spbe_scorer.runs import repository as runs_repo
from spbe_scorer.runs import views
from spbe_scorer.runs.compare import CompareError
from spbe_scorer.runs.enums import Trigger
from spbe_scorer.runs.export import workbook_bytes
from spbe_scorer.runtime import build_runtime, open_database
from spbe_scorer.schedule import run_forever, stop_on_signals
from spbe_scorer.settings import ScorerSettings

BAD_INPUT = 2
FAILED = 1

app = typer.Typer(help="SPBE / Pemdi index computation.", no_args_is_help=True)


def _fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    Console(stderr=True, soft_wrap=True).print(
        f"[bold red]error:[/] {escape(message)}", highlight=False
    )
    raise typer.Exit(code=code)


def _groups_json(groups: tuple[GroupScore, ...]) -> dict[str, dict[str, Any]]:
    return {
        g.id: {"name": g.name, "index": float(g.index), "weight": float(g.weight)} for g in groups
    }


def result_json(result: IndexResult) -> dict[str, Any]:
    """The --json document: full-precision numbers as JSON floats."""
    return {
        "index": float(result.index),
        "predicate": result.predicate,
        "domains": _groups_json(result.domains),
        "aspects": _groups_json(result.aspects),
    }


def _table(title: str, groups: tuple[GroupScore, ...]) -> Table:
    table = Table(title=title)
    for column in ("id", "name"):
        table.add_column(column)
    for column in ("weight", "index"):
        table.add_column(column, justify="right")
    for g in groups:
        table.add_row(g.id, g.name, display(g.weight), display(g.index))
    return table


def _print_result(framework: Framework, result: IndexResult) -> None:
    console = Console()
    console.print(_table(f"{framework.title}: domains", result.domains))
    console.print(_table(f"{framework.title}: aspects", result.aspects))
    if result.defaulted:
        console.print(
            f"External-index indicators taken as their default: {', '.join(result.defaulted)}",
            soft_wrap=True,
        )
    console.print(
        f"[bold]{framework.id}[/] index [bold]{display(result.index)}[/] ({result.predicate})",
        soft_wrap=True,
    )


def _load(framework_id: str, settings: ScorerSettings) -> Framework:
    try:
        return load_framework(framework_id, settings.frameworks_dir)
    except FrameworkError as exc:
        _fail(str(exc))


@app.command()
def levels(
    file: Annotated[
        Path, typer.Argument(help="JSON object, or CSV/XLSX with indicator,value rows")
    ],
    framework: Annotated[str, typer.Option("--framework", "-f", help="e.g. spbe-2020")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Compute the index of FILE's indicator levels under a framework."""
    settings = ScorerSettings()
    loaded = _load(framework, settings)
    try:
        result = compute_index(loaded, pairs_to_levels(read_levels_file(file)))
    except InputFileError as exc:
        _fail(str(exc))
    except LevelsError as exc:
        _fail("\n".join([f"{file}:", *(f"  - {p}" for p in exc.problems)]))
    if as_json:
        typer.echo(json.dumps(result_json(result), ensure_ascii=False))
    else:
        _print_result(loaded, result)


@app.command()
def frameworks() -> None:
    """List the frameworks: built-in ones and those in SPBE_FRAMEWORKS_DIR."""
    settings = ScorerSettings()
    try:
        found = list_frameworks(settings.frameworks_dir)
    except FrameworkError as exc:
        _fail(str(exc))
    table = Table(title="Frameworks")
    for column in ("id", "title", "regulation", "version", "levels", "indicators"):
        table.add_column(column)
    for f in found:
        kind = "whole" if f.levels.integer else "fractional"
        span = f"{f.levels.min}..{f.levels.max} {kind}"
        table.add_row(f.id, f.title, f.regulation, f.version, span, str(len(f.indicators)))
    Console().print(table)


# --- scoring runs ----------------------------------------------------------------------------


def _print_run(detail: dict[str, Any]) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in detail["counts"].items() if v)
    Console().print(
        f"run [bold]{detail['id']}[/] {detail['framework']}: index "
        f"[bold]{detail['index_display']}[/] ({detail['predicate']}); {counts}",
        soft_wrap=True,
    )


@app.command()
def run(
    framework: Annotated[str, typer.Option("--framework", "-f", help="e.g. spbe-2020")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON")] = False,
) -> None:
    """Score a framework now from the inventory's catalogue and the manual assessments."""
    runtime = build_runtime(ScorerSettings())
    try:
        run_id = runtime.scorer.run(framework, Trigger.CLI)
        with runtime.scorer.engine.connect() as conn:
            detail = views.detail(*views.load(conn, run_id))
    except FrameworkError as exc:
        _fail(str(exc))
    except InventoryError as exc:
        _fail(str(exc), FAILED)
    finally:
        runtime.close()
    if as_json:
        typer.echo(orjson.dumps(detail, default=str, option=orjson.OPT_NON_STR_KEYS).decode())
    else:
        _print_run(detail)


@app.command()
def runs(
    framework: Annotated[str | None, typer.Option("--framework", "-f")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
) -> None:
    """List stored runs, newest first."""
    engine = open_database(ScorerSettings())
    with engine.connect() as conn:
        rows, count = runs_repo.list_runs(conn, framework, limit, 0)
    engine.dispose()
    table = Table(title=f"Runs ({len(rows)} of {count})")
    table.add_column("id", no_wrap=True)  # whole: it is what compare and export take
    for column in ("framework", "started", "trigger", "index", "predicate", "not assessed"):
        table.add_column(column)
    for r in map(views.summary, rows):
        started = r["started_at"].strftime("%Y-%m-%d %H:%M")
        table.add_row(
            r["id"], r["framework"], started, r["trigger"], r["index_display"], r["predicate"],
            str(r["counts"].get("not_assessed", 0)),
        )  # fmt: skip
    Console().print(table)


@app.command()
def compare(
    run_a: Annotated[str, typer.Argument(help="The earlier run id")],
    run_b: Annotated[str, typer.Argument(help="The later run id")],
    show_all: Annotated[bool, typer.Option("--all", help="Every indicator, not only changes")] = (
        False
    ),
) -> None:
    """Compare two runs of one framework indicator by indicator."""
    engine = open_database(ScorerSettings())
    try:
        with engine.connect() as conn:
            result = views.comparison(conn, run_a, run_b)
    except (views.RunNotFound, CompareError) as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    table = Table(title=f"{result.framework}: {run_a[:8]} -> {run_b[:8]}")
    for column in ("indicator", "name", "before", "after", "delta", "source"):
        table.add_column(column)
    for c in result.indicators if show_all else result.changed:
        sources = (
            c.source_before
            if c.source_before == c.source_after
            else (f"{c.source_before} -> {c.source_after}")
        )
        table.add_row(
            c.indicator, c.name, display(c.before), display(c.after), display(c.delta), sources
        )
    console = Console()
    console.print(table)
    console.print(
        f"index {display(result.index_a)} ({result.predicate_a}) -> {display(result.index_b)} "
        f"({result.predicate_b}), delta {display(result.index_delta)}",
        soft_wrap=True,
    )


@app.command()
def export(
    run_id: Annotated[str, typer.Argument(help="Run id")],
    out: Annotated[Path, typer.Argument(help="The .xlsx file to write")],
) -> None:
    """Write a run as an XLSX workbook: a summary sheet and one sheet per domain."""
    engine = open_database(ScorerSettings())
    try:
        with engine.connect() as conn:
            run_row, rows = views.load(conn, run_id)
    except views.RunNotFound as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    out.write_bytes(workbook_bytes(run_row, rows))
    Console().print(f"wrote {out}", soft_wrap=True)


# --- manual assessments ----------------------------------------------------------------------


@app.command()
def assess(
    indicator: Annotated[str, typer.Argument(help="Indicator id, e.g. 1 or I5")],
    level: Annotated[str, typer.Argument(help="Level on the framework's scale, e.g. 3 or 1,26")],
    framework: Annotated[str, typer.Option("--framework", "-f")],
    justification: Annotated[str, typer.Option("--justification", "-j")],
    evaluator: Annotated[str, typer.Option("--evaluator", "-e")],
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help="Evidence link; repeatable")
    ] = None,
    assessed_on: Annotated[
        datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="Default: today")
    ] = None,
) -> None:
    """Enter (or replace) an evaluator's level for one indicator; overrides a derived level."""
    settings = ScorerSettings()
    engine = open_database(settings)
    day = assessed_on.date() if assessed_on else None
    try:
        with begin_write(engine) as conn:
            found = assessment_repo.by_indicator(conn, framework, indicator)
            if found is None:
                body = AssessmentIn(
                    framework=framework, indicator=indicator, level=level,
                    justification=justification, evidence_links=evidence or [],
                    assessed_on=day,
                )  # fmt: skip
                row = assessment_service.create(conn, body, evaluator, settings.frameworks_dir)
            else:
                change = AssessmentUpdate(
                    level=level, justification=justification, evidence_links=evidence or [],
                    **({"assessed_on": day} if day else {}),
                )  # fmt: skip
                row = assessment_service.update(
                    conn, found["id"], change, evaluator, settings.frameworks_dir
                )
    except (assessment_service.AssessmentError, ValidationError) as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    verb = "entered" if found is None else "replaced"
    Console().print(
        f"assessment {row['id']} {verb}: {framework} indicator {indicator} = {row['level_exact']}",
        soft_wrap=True,
    )


# --- serving -----------------------------------------------------------------------------------


@app.command()
def api(
    with_schedule: Annotated[
        bool,
        typer.Option(
            "--schedule",
            help="Also score on the schedule (SPBE_SCORER_FRAMEWORKS every"
            " SPBE_SCORER_EVERY_MINUTES) in this process, so its /metrics shows the runs too",
        ),
    ] = False,
) -> None:
    """Serve the scorer API (runs, compare, export, assessments, the evaluation workspace) on
    SPBE_SCORER_API_PORT; its /metrics is the scorer's."""
    import uvicorn

    settings = ScorerSettings()
    if with_schedule:
        for framework_id in settings.scorer_frameworks:
            _load(framework_id, settings)
    runtime = build_runtime(settings)
    stop = threading.Event()
    rounds: threading.Thread | None = None
    try:
        if with_schedule:
            rounds = threading.Thread(
                target=run_forever,
                args=(runtime.scorer, settings.scorer_frameworks,
                      settings.scorer_every_minutes * 60, stop),
                name="scorer-schedule",
                daemon=True,
            )  # fmt: skip
            rounds.start()
        web = create_app(settings, runtime.scorer, runtime.registry)
        heap.settle()
        uvicorn.run(web, host=settings.scorer_api_host, port=settings.scorer_api_port)
    finally:
        # Ctrl-C returns here; on SIGTERM uvicorn shuts down gracefully, then re-raises the
        # signal, which ends the process and a round in progress with it: a run is stored in
        # one transaction (nothing half-written) and its score.computed, if not yet published,
        # goes out with the next run (the outbox).
        stop.set()
        if rounds is not None:
            rounds.join(timeout=60)
        runtime.close()


@app.command()
def schedule(
    every: Annotated[
        float | None,
        typer.Option("--every", help="Minutes between rounds (SPBE_SCORER_EVERY_MINUTES)"),
    ] = None,
    framework: Annotated[
        list[str] | None,
        typer.Option("--framework", "-f", help="Repeatable; default from settings"),
    ] = None,
) -> None:
    """Score every N minutes, forever; SIGTERM or Ctrl-C stops after the current round."""
    settings = ScorerSettings()
    frameworks = framework or settings.scorer_frameworks
    for framework_id in frameworks:
        _load(framework_id, settings)
    runtime = build_runtime(settings)
    stop = threading.Event()
    stop_on_signals(stop)
    console = Console(stderr=True, soft_wrap=True)
    minutes = every if every is not None else settings.scorer_every_minutes
    console.print(f"scoring {', '.join(frameworks)} every {minutes:g} min")
    try:
        run_forever(runtime.scorer, frameworks, minutes * 60, stop, console.print)
    finally:
        runtime.close()
