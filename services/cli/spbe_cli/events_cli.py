"""`spbe events`: the published JSON Schemas of the event contract."""

from pathlib import Path
from typing import Annotated

import typer

from spbe_common.events.schemas import render_schemas

app = typer.Typer(help="The event contract.", no_args_is_help=True)


@app.command("schemas")
def schemas(
    out: Annotated[Path, typer.Option(help="Folder of the published schemas")] = Path("schemas"),
    check: Annotated[bool, typer.Option(help="Fail if the folder is out of date")] = False,
) -> None:
    """Write (or check) one JSON Schema per event type."""
    stale = []
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render_schemas().items():
        path = out / name
        if path.exists() and path.read_text() == text:
            continue
        stale.append(name)
        if not check:
            path.write_text(text)
    if check and stale:
        typer.echo(f"out of date: {', '.join(stale)}; run `spbe events schemas`", err=True)
        raise typer.Exit(1)
    typer.echo(f"{len(stale)} schema file(s) {'stale' if check else 'written'} in {out}")
