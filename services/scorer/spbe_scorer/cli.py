"""`spbe score ...`: compute an index from a file of indicator levels; list the frameworks.

The lead mounts `app` into the `spbe` CLI. Bad input exits with code 2 and a message on stderr.
"""

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from spbe_scorer.frameworks import Framework, FrameworkError, list_frameworks, load_framework
from spbe_scorer.index import GroupScore, IndexResult, LevelsError, compute_index, pairs_to_levels
from spbe_scorer.index.files import InputFileError, read_levels_file
from spbe_scorer.numbers import display
from spbe_scorer.settings import ScorerSettings

BAD_INPUT = 2

app = typer.Typer(help="SPBE / Pemdi index computation.", no_args_is_help=True)


def _fail(message: str) -> NoReturn:
    Console(stderr=True, soft_wrap=True).print(
        f"[bold red]error:[/] {escape(message)}", highlight=False
    )
    raise typer.Exit(code=BAD_INPUT)


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
