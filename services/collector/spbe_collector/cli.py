"""`spbe collect`: scan, probe, import, template, schedule, scopes. Exit 2 on refusal/bad input."""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from prometheus_client import CollectorRegistry
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from spbe_common import heap
from spbe_common.bus import Producer, make_bus
from spbe_common.registers import (
    ParsedRegister,
    RegisterKind,
    RegisterRejected,
    RowError,
    api_field,
    importable,
    to_json,
)
from spbe_common.registers.schemas import Mapping
from spbe_common.registers.template import write_template

from .metrics import CollectorMetrics
from .probes.service import InvalidProbeUrl, ProbeService, validate_urls
from .registers.service import (
    InventoryUnavailable,
    check_opd,
    commit_register,
    make_inventory_client,
    opd_catalogue,
    read_register,
    sample_opd,
)
from .scans.enums import ProfileName
from .scans.lock import ScanAlreadyRunning
from .scans.profiles import UnknownProfile, get_profile
from .scans.schemas import ScanProgress, ScanSummary
from .scans.service import ScanService
from .scopes.catalogue import OpdCatalogue, scopes_file
from .scopes.service import ScopeRefused
from .service import build_request_consumer, build_scheduler, scope_repository, serve_metrics
from .settings import CollectorSettings

_PROFILES_HELP = "One of: " + ", ".join(p.value for p in ProfileName)
_DRY_RUN_HELP = "Check every row and report all errors; publish nothing"
app = typer.Typer(help="Discover assets and applications and publish what was found.")
console = Console()
err = Console(stderr=True)


def _refuse(message: str) -> NoReturn:
    err.print(f"[bold red]refused:[/] {message}")
    raise typer.Exit(2)


@contextmanager
def _producer(settings: CollectorSettings) -> Iterator[Producer]:
    producer = make_bus(settings).producer()
    try:
        yield producer
    finally:
        producer.close()


def _summary_table(summary: ScanSummary) -> Table:
    table = Table(title=f"scan {summary.scan_id}", show_header=False)
    rows = [
        ("scope", summary.scope), ("profile", summary.profile.value),
        ("status", summary.status.value), ("hosts up", str(summary.hosts_up)),
        ("chunks", f"{summary.chunks_total} ({summary.chunks_failed} failed)"),
        ("duration", f"{summary.duration_s:.1f}s"), ("error", summary.error or "-"),
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(name, value)
    return table


@app.command()
def scan(
    scope_key: Annotated[str, typer.Argument(help="Key of a scope in the scopes file")],
    profile: Annotated[
        str | None, typer.Option(help="discovery, common-ports, service-version")
    ] = None,
) -> None:
    """Scan one scope now, publishing scan.started, asset.observed per host, scan.completed."""
    settings = CollectorSettings()
    try:
        chosen = get_profile(profile).name if profile else None
        scope = scope_repository(settings).get(scope_key)
    except (ScopeRefused, UnknownProfile) as exc:
        _refuse(str(exc))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with (
        _producer(settings) as producer,
        Progress(*columns, TimeElapsedColumn(), console=err) as bar,
    ):
        tasks: dict[str, TaskID] = {}

        def on_progress(p: ScanProgress) -> None:
            if p.stage not in tasks:
                tasks[p.stage] = bar.add_task(f"{p.stage}", total=max(p.chunks_total, 1))
            bar.update(
                tasks[p.stage], completed=p.chunks_done, description=f"{p.stage} ({p.hosts} hosts)"
            )

        try:
            summary = ScanService(settings, producer).scan(scope, chosen, on_progress)
        except ScanAlreadyRunning as exc:
            _refuse(str(exc))
    console.print(_summary_table(summary))
    if summary.status.value == "failed":
        raise typer.Exit(1)


@app.command()
def probe(
    urls: Annotated[list[str] | None, typer.Argument(help="URLs to probe")] = None,
    from_file: Annotated[Path | None, typer.Option("--file", help="One URL per line")] = None,
) -> None:
    """Probe application URLs (reachability, status, TLS, title); publish application.observed."""
    settings = CollectorSettings()
    listed = list(urls or [])
    if from_file is not None:
        lines = from_file.read_text(encoding="utf-8").splitlines()
        listed += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    try:
        checked = validate_urls(listed)
    except InvalidProbeUrl as exc:
        _refuse(str(exc))
    if not checked:
        _refuse("no URLs given")
    table = Table("URL", "status", "ms", "TLS until", "title / error")
    with _producer(settings) as producer:
        for seen in ProbeService(settings, producer).probe(checked):
            table.add_row(
                str(seen.url), str(seen.status_code or "-"),
                f"{seen.response_ms:.0f}" if seen.response_ms is not None else "-",
                seen.tls.not_after.date().isoformat() if seen.tls else "-",
                seen.title or seen.error or "",
            )  # fmt: skip
    console.print(table)


@app.command("import")
def import_register(
    file: Annotated[Path, typer.Argument(help="XLSX or CSV register (Bahasa Indonesia headers)")],
    opd: Annotated[
        str | None, typer.Option("--opd", help="The one OPD of the whole file (its code)")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as one JSON object")
    ] = False,
) -> None:
    """Import an application or asset register; all rows or nothing. Exit 2 when not importable.

    The OPD codes are checked against the inventory's catalogue (SPBE_INVENTORY_URL, with the
    collector's token SPBE_INVENTORY_TOKEN) before anything is reported importable."""
    settings = CollectorSettings()
    register, refused = _read_checked(file, settings, opd)
    ok = importable(register) and not refused
    if as_json:
        typer.echo(json.dumps(to_json(register, refused), ensure_ascii=False))
    else:
        _print_report(register, refused)
    if not ok:
        if not as_json:
            count = len(refused) + (len(register.errors) if register else 0)
            _refuse(f"{count} kesalahan; tidak ada yang diimpor")
        raise typer.Exit(2)
    assert register is not None
    if dry_run:
        if not as_json:
            console.print(f"dry run: {len(register.rows)} baris {register.kind.value} valid")
        return
    with _producer(settings) as producer:
        count = commit_register(register, producer)
    if not as_json:
        console.print(f"{count} baris {register.kind.value} diimpor")


def _read_checked(
    file: Path, settings: CollectorSettings, opd: str | None
) -> tuple[ParsedRegister | None, list[RowError]]:
    """The register read and its OPD codes checked; whole-file problems apart (row None)."""
    try:
        register = read_register(file, settings, opd=opd)
    except RegisterRejected as exc:
        return None, [RowError(None, "", str(exc))]
    try:
        with make_inventory_client(settings) as client:
            check_opd(register, opd_catalogue(client), opd)
    except InventoryUnavailable as exc:
        return register, [RowError(None, "Kode OPD", str(exc))]
    return register, []


def _column_line(mapping: Mapping) -> str:
    """A column's line of the report ("kolom 'Harga (Rp. 000)' -> acquisition_cost, dibaca dalam
    ribuan rupiah (x 1.000)")."""
    target = api_field(mapping.field)
    if target is None:
        return f"kolom '{mapping.header}' -> diabaikan ({mapping.note or 'tidak dipetakan'})"
    return f"kolom '{mapping.header}' -> {target}" + (f", {mapping.note}" if mapping.note else "")


def _print_report(register: ParsedRegister | None, refused: list[RowError]) -> None:
    if register is not None:
        console.print(
            f"lembar '{register.sheet}', baris judul kolom {register.header_row}",
            markup=False,
        )
        for mapping in register.columns:
            console.print(_column_line(mapping), markup=False, highlight=False)
        for skipped in register.skipped:
            console.print(f"baris {skipped.row} dilewati: {skipped.reason}", markup=False)
        for warning in register.warnings:
            column = f"kolom '{warning.column}': " if warning.column else ""
            line = f"baris {warning.row}, {column}perhatian: {warning.message}"
            console.print(line, markup=False, highlight=False)
    for error in [*refused, *(register.errors if register else [])]:
        where = f"baris {error.row}, " if error.row is not None else ""
        column = f"kolom '{error.column}': " if error.column else ""
        err.print(f"{where}{column}{error.message}", markup=False, highlight=False)


@app.command()
def template(
    kind: Annotated[RegisterKind, typer.Argument(help="applications or assets")],
    out: Annotated[Path, typer.Argument(help="Where to write the .xlsx or .csv template")],
) -> None:
    """Write an empty register: headers, an example row, and (XLSX) a Petunjuk sheet with the
    OPD codes (from the inventory when it answers, else the sample's) and drop-down lists."""
    settings = CollectorSettings()
    try:
        with make_inventory_client(settings) as client:
            opd, source = sorted(opd_catalogue(client).items()), "katalog inventaris"
    except InventoryUnavailable as exc:
        opd, source = sample_opd(), "data contoh (inventaris tidak menjawab)"
        err.print(str(exc), markup=False)
    try:
        write_template(kind, out, opd)
    except RegisterRejected as exc:
        _refuse(str(exc))
    console.print(f"template {kind.value} ditulis ke {out} (kode OPD: {source})", markup=False)


@app.command()
def schedule() -> None:
    """Run the scan scheduler and answer scan requests (spbe.scan-requests) until interrupted."""
    settings = CollectorSettings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    registry = CollectorRegistry()
    metrics = CollectorMetrics(registry)
    served = serve_metrics(settings, registry)  # a taken port stops the service: it says so
    requests = threading.Thread(
        target=build_request_consumer(settings, metrics=metrics).run,
        args=(stop,),
        name="scan-requests",
    )
    scheduler = build_scheduler(settings, metrics)
    heap.settle()
    requests.start()
    try:
        scheduler.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()
    finally:
        stop.set()
        requests.join(timeout=30)
        if served is not None:
            served.close()


@app.command()
def scopes() -> None:
    """List the scopes that `spbe collect schedule` and `spbe up` scan, and the application URLs
    they probe: the file read and why, each validated against the allowlist and its OPD against
    the inventory's catalogue."""
    settings = CollectorSettings()
    chosen, catalogue = scopes_file(settings), OpdCatalogue(settings)
    console.print(f"scopes file: {chosen.path} ({chosen.why})", markup=False, highlight=False)
    try:
        repository = scope_repository(settings, catalogue)
        found, probes = repository.all(), repository.probes()
    except ScopeRefused as exc:
        _refuse(str(exc))
    if catalogue.unchecked:
        err.print(f"OPD codes not checked: {catalogue.unchecked}", markup=False, highlight=False)
    table = Table("key", "OPD", "ranges", "exclude", "profile", "schedule")
    for s in found:
        table.add_row(
            s.key, s.opd, ", ".join(map(str, s.networks)), ", ".join(map(str, s.exclude)) or "-",
            s.profile.value, _describe_schedule(s.schedule),
        )  # fmt: skip
    console.print(table)
    if probes:
        probed = Table("probe", "OPD", "URLs", "schedule")
        for p in probes:
            probed.add_row(p.key, p.opd, "\n".join(p.urls), _describe_schedule(p.schedule))
        console.print(probed)


def _describe_schedule(schedule: object) -> str:
    from .schedules.schemas import Cron, Interval

    if isinstance(schedule, Interval):
        return f"every {schedule.seconds}s"
    return "cron" if isinstance(schedule, Cron) else "-"


__all__ = ["ProfileName", "app"]
