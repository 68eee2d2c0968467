"""A scan of one scope: lock, stage the nmap runs over chunks, publish events as hosts arrive."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from ipaddress import ip_address

from prometheus_client import CollectorRegistry

from spbe_common.bus import Producer, publish
from spbe_common.events import Event, EventType, new_event
from spbe_common.events.enums import ScanStatus
from spbe_common.events.payloads import Payload, ScanCompleted, ScanStarted

from ..metrics import CollectorMetrics
from ..scopes.schemas import PortRange, ValidatedScope
from ..settings import SOURCE, CollectorSettings
from .argv import build_argv
from .chunks import Address, Chunk, plan_host_chunks, plan_network_chunks
from .enums import ChunkOutcome, ProfileName, Stage
from .get import NmapBinary, NmapNotFound, RunResult, is_privileged, locate_nmap, run_nmap
from .lock import scan_lock
from .pool import Emit, Job, run_jobs
from .profiles import get_profile
from .records import AssetRecords, event_id
from .schemas import ProgressCallback, ScanProgress, ScanSummary
from .transform import ObservedHost, merge

Runner = Callable[[Sequence[str], float, Emit], RunResult]
_HOSTS_PER_PORT_CHUNK = 256  # port and version scans cost far more per host than discovery


@dataclass(slots=True)
class _Run:
    """Mutable state of one scan run."""

    scan_id: str
    scope: ValidatedScope
    profile: ProfileName
    started_at: datetime
    records: AssetRecords
    hosts: int = 0
    sequence: int = 0
    chunks_total: int = 0
    chunks_failed: int = 0
    errors: list[str] = field(default_factory=list)


def _in_scope(address: Address, scope: ValidatedScope) -> bool:
    def within(networks: Sequence[object]) -> bool:
        return any(address in network for network in networks)  # type: ignore[operator]

    return within(scope.networks) and not within(scope.exclude)


def _status(run: _Run, error: str | None) -> ScanStatus:
    if error or (run.chunks_total and run.chunks_failed == run.chunks_total):
        return ScanStatus.FAILED
    return ScanStatus.PARTIAL if run.chunks_failed else ScanStatus.COMPLETE


class ScanService:
    """Runs scans and publishes scan.started, asset.observed per host, scan.completed."""

    def __init__(
        self,
        settings: CollectorSettings,
        producer: Producer,
        *,
        runner: Runner = run_nmap,
        binary: NmapBinary | None = None,
        metrics: CollectorMetrics | None = None,
    ) -> None:
        self._settings = settings
        self._producer = producer
        self._metrics = metrics or CollectorMetrics(CollectorRegistry())
        self._runner = runner
        self._binary = binary
        self._privileged = is_privileged(settings.scan_privileged)

    def scan(
        self,
        scope: ValidatedScope,
        profile: ProfileName | None = None,
        on_progress: ProgressCallback | None = None,
        *,
        scan_id: str | None = None,
    ) -> ScanSummary:
        """Raises ScanAlreadyRunning if this scope is being scanned; else returns the summary.
        `scan_id`: the id of a scan request, so the one who asked can follow it."""
        with scan_lock(self._settings.lock_dir, scope.key):
            run_id = scan_id or uuid.uuid4().hex
            records = AssetRecords(run_id, scope.key, SOURCE)
            run = _Run(run_id, scope, profile or scope.profile, datetime.now(UTC), records)
            try:
                summary = self._run(run, on_progress or (lambda _p: None))
            except Exception:  # e.g. the bus went away: the scan failed, and says why upstream
                elapsed = (datetime.now(UTC) - run.started_at).total_seconds()
                self._metrics.scan_finished(run.profile, ScanStatus.FAILED, elapsed)
                raise
            self._metrics.scan_finished(run.profile, summary.status, summary.duration_s)
            return summary

    def _run(self, run: _Run, on_progress: ProgressCallback) -> ScanSummary:
        started = ScanStarted(
            scan_id=run.scan_id,
            scope=run.scope.payload(),
            profile=run.profile,
            started_at=run.started_at,
        )
        self._emit(run, started, EventType.SCAN_STARTED)
        self._producer.flush()
        error = self._execute(run, on_progress)
        return self._complete(run, error)

    def _event(self, run: _Run, payload: Payload, type_: EventType) -> Event:
        run.sequence += 1
        return new_event(
            type_,
            payload,
            source=SOURCE,
            scan_id=run.scan_id,
            scope=run.scope.key,
            event_id=event_id(run.scan_id, run.sequence),
        )

    def _emit(self, run: _Run, payload: Payload, type_: EventType) -> None:
        self._publish([self._event(run, payload, type_)])

    def _publish(self, events: Iterable[Event]) -> None:
        try:
            publish(self._producer, events)
        except Exception:
            self._metrics.publish_failed()
            raise

    def _publish_assets(self, run: _Run, assets: list[ObservedHost]) -> None:
        records, first = run.records, run.sequence + 1
        run.sequence += len(assets)
        try:
            for headers, value in records.batch(assets, first, datetime.now(UTC)):
                self._producer.send(records.topic, records.key, value, headers)
        except Exception:
            self._metrics.publish_failed()
            raise
        run.hosts += len(assets)
        open_ports = sum(len(a.services) for a in assets)
        self._metrics.hosts_published(run.profile, len(assets), open_ports)

    def _execute(self, run: _Run, on_progress: ProgressCallback) -> str | None:
        try:
            binary = self._binary or locate_nmap(self._settings.nmap_path)
        except NmapNotFound as exc:
            return str(exc)
        stages = get_profile(run.profile).stages
        chunks = plan_network_chunks(
            run.scope.networks, run.scope.exclude, self._settings.scan_chunk_size
        )
        discover = partial(self._chunk_job, binary, Stage.DISCOVERY, run.scope.ports)
        if stages == (Stage.DISCOVERY,):
            self._run_stage(
                run,
                Stage.DISCOVERY,
                [partial(discover, c) for c in chunks],
                partial(self._publish_assets, run),
                on_progress,
            )
            return None
        live: list[Address] = []
        keep = self._collector(run.scope, live)
        results = self._run_stage(
            run, Stage.DISCOVERY, [partial(discover, c) for c in chunks], keep, on_progress
        )
        if results and all(r.outcome is not ChunkOutcome.OK for r in results):
            return "discovery failed on every chunk: " + (results[0].error or "unknown error")
        size = min(self._settings.scan_chunk_size, _HOSTS_PER_PORT_CHUNK)
        jobs: list[Job] = [
            partial(self._ports_job, binary, run.scope.ports, Stage.VERSIONS in stages, chunk)
            for chunk in plan_host_chunks(live, size)
        ]
        self._run_stage(run, Stage.PORTS, jobs, partial(self._publish_assets, run), on_progress)
        return None

    @staticmethod
    def _collector(scope: ValidatedScope, live: list[Address]) -> Emit:
        def keep(assets: list[ObservedHost]) -> None:
            # only addresses we asked for go on to later stages
            found = (ip_address(a.addresses[0]) for a in assets)
            live.extend(address for address in found if _in_scope(address, scope))

        return keep

    def _run_stage(
        self,
        run: _Run,
        stage: Stage,
        jobs: Sequence[Job],
        on_asset: Emit,
        on_progress: ProgressCallback,
    ) -> list[RunResult]:
        done = 0
        on_progress(ScanProgress(stage, 0, len(jobs), run.hosts))

        def on_done(result: RunResult) -> None:
            nonlocal done
            done += 1
            run.chunks_total += 1
            if result.outcome is not ChunkOutcome.OK:
                run.chunks_failed += 1
                self._metrics.chunk_failed(run.profile)
                run.errors.append(f"{stage}: {result.outcome}: {result.error}")
            on_progress(ScanProgress(stage, done, len(jobs), run.hosts))

        return run_jobs(jobs, self._settings.scan_max_parallel, on_asset, on_done)

    def _chunk_job(
        self, binary: NmapBinary, stage: Stage, ports: Sequence[PortRange], chunk: Chunk, emit: Emit
    ) -> RunResult:
        argv = build_argv(
            binary.path, stage, chunk.targets, privileged=self._privileged, ports=ports
        )
        return self._runner(argv, self._settings.scan_chunk_timeout_s, emit)

    def _ports_job(
        self,
        binary: NmapBinary,
        ports: Sequence[PortRange],
        with_versions: bool,
        chunk: Chunk,
        emit: Emit,
    ) -> RunResult:
        found: list[ObservedHost] = []
        result = self._chunk_job(binary, Stage.PORTS, ports, chunk, found.extend)
        open_hosts = [a for a in found if a.services]
        if not with_versions or not open_hosts or result.outcome is not ChunkOutcome.OK:
            emit(found)
            return result
        emit([a for a in found if not a.services])
        return self._versions(binary, open_hosts, chunk.index, emit)

    def _versions(
        self, binary: NmapBinary, hosts: list[ObservedHost], index: int, emit: Emit
    ) -> RunResult:
        open_ports = sorted({s.port for a in hosts for s in a.services if s.port > 0})
        detail: dict[str, ObservedHost] = {}
        targets = tuple(ip_address(a.addresses[0]) for a in hosts)
        chunk = Chunk(index, targets, len(targets))
        result = self._chunk_job(
            binary,
            Stage.VERSIONS,
            [(p, p) for p in open_ports],
            chunk,
            lambda found: detail.update((d.addresses[0], d) for d in found),
        )
        seen = [(a, detail.get(a.addresses[0])) for a in hosts]
        emit([merge(a, d) if d else a for a, d in seen])  # stage 2 counts even if -sV timed out
        return result

    def _complete(self, run: _Run, error: str | None) -> ScanSummary:
        status = _status(run, error)
        message = error or ("; ".join(run.errors[:3]) if run.errors else None)
        finished = datetime.now(UTC)
        self._emit(
            run,
            ScanCompleted(
                scan_id=run.scan_id,
                scope=run.scope.payload(),
                profile=run.profile,
                status=status,
                started_at=run.started_at,
                finished_at=finished,
                hosts_up=run.hosts,
                chunks_total=run.chunks_total,
                chunks_failed=run.chunks_failed,
                error=message[:500] if message else None,
            ),
            EventType.SCAN_COMPLETED,
        )
        self._producer.flush()
        return ScanSummary(
            scan_id=run.scan_id,
            scope=run.scope.key,
            profile=run.profile,
            status=status,
            hosts_up=run.hosts,
            chunks_total=run.chunks_total,
            chunks_failed=run.chunks_failed,
            started_at=run.started_at,
            finished_at=finished,
            error=message,
        )
