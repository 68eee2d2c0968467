"""The scan flow with a recorded-output runner in place of nmap (no processes, in-memory bus)."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import ip_address, ip_network
from pathlib import Path

from spbe_collector.scans.enums import ChunkOutcome, ProfileName
from spbe_collector.scans.get import NmapBinary, RunResult
from spbe_collector.scans.pool import Emit
from spbe_collector.scans.service import ScanService
from spbe_collector.scans.transform import parse_xml
from spbe_collector.scopes.schemas import ValidatedScope
from spbe_collector.settings import CollectorSettings
from spbe_common.events import EventType
from spbe_common.events.enums import ScanStatus
from spbe_common.events.payloads import AssetObserved, ScanCompleted

NMAP = Path(__file__).resolve().parents[2] / "data" / "nmap"
BINARY = NmapBinary("/usr/bin/nmap", "7.93")


class RecordedRunner:
    """Answers each stage with a recorded XML file; `fail` names stages that time out."""

    def __init__(self, fail: Sequence[str] = ()) -> None:
        self.calls: list[list[str]] = []
        self.fail = set(fail)

    def __call__(self, argv: Sequence[str], timeout_s: float, emit: Emit) -> RunResult:
        self.calls.append(list(argv))
        stage = "versions" if "-sV" in argv else "discovery" if "-sn" in argv else "ports"
        if stage in self.fail:
            return RunResult(ChunkOutcome.TIMED_OUT, 0, "chunk timed out")
        wanted = set(argv[argv.index("-") + 1 :])
        name = {"discovery": "discovery.xml", "ports": "ports.xml", "versions": "versions.xml"}
        hosts = list(parse_xml([(NMAP / name[stage]).read_bytes()]))
        emit(
            [
                h
                for h in hosts
                if any(ip_address(str(h.addresses[0])) in ip_network(w) for w in wanted)
            ]
        )
        return RunResult(ChunkOutcome.OK, len(hosts))


def _scope(profile: ProfileName) -> ValidatedScope:
    networks = (ip_network("127.0.0.2/31"),)
    return ValidatedScope("uji-lan", "DISKOMINFOSATIK", networks, (), profile, None, ((1, 65535),))


def _service(tmp_path: Path, producer: object, runner: RecordedRunner, **kw: object) -> ScanService:
    settings = CollectorSettings(data_dir=tmp_path, scan_chunk_size=1, **kw)
    return ScanService(settings, producer, runner=runner, binary=BINARY)


def test_discovery_publishes_started_one_asset_per_host_completed(tmp_path, producer) -> None:
    summary = _service(tmp_path, producer, RecordedRunner()).scan(_scope(ProfileName.DISCOVERY))
    events = producer.events()
    assert [e.type for e in events] == [
        EventType.SCAN_STARTED, EventType.ASSET_OBSERVED, EventType.ASSET_OBSERVED,
        EventType.SCAN_COMPLETED,
    ]  # fmt: skip
    assert {e.scanid for e in events} == {summary.scan_id}
    assert {e.scope for e in events} == {"uji-lan"}
    assert len({e.id for e in events}) == 4
    completed = events[-1].data
    assert isinstance(completed, ScanCompleted)
    assert (completed.status, completed.hosts_up, completed.chunks_total) == (
        ScanStatus.COMPLETE, 2, 2,
    )  # fmt: skip
    assert producer.flushes >= 2  # after scan.started and after scan.completed


def test_service_version_stages_and_merges_products(tmp_path, producer) -> None:
    runner = RecordedRunner()
    _service(tmp_path, producer, runner).scan(_scope(ProfileName.SERVICE_VERSION))
    assets = [e.data for e in producer.events() if isinstance(e.data, AssetObserved)]
    products = {str(a.addresses[0]): [(s.port, s.product) for s in a.services] for a in assets}
    assert products == {
        "127.0.0.2": [(18080, "SimpleHTTPServer")],
        "127.0.0.3": [(10022, "OpenSSH")],
    }
    version_calls = [c for c in runner.calls if "-sV" in c]
    # open ports only; the version chunks run in parallel, so in either order
    assert sorted(c[c.index("-p") + 1] for c in version_calls) == ["10022", "18080"]
    assert all(c[-1] in ("127.0.0.2", "127.0.0.3") for c in runner.calls if "-Pn" in c)


def test_timed_out_version_chunks_still_publish_ports_and_end_partial(tmp_path, producer) -> None:
    service = _service(tmp_path, producer, RecordedRunner(fail=["versions"]))
    summary = service.scan(_scope(ProfileName.SERVICE_VERSION))
    assets = [e.data for e in producer.events() if isinstance(e.data, AssetObserved)]
    assert sorted(s.port for a in assets for s in a.services) == [10022, 18080]
    assert summary.status is ScanStatus.PARTIAL
    assert "timed_out" in (summary.error or "")


def test_discovery_failing_everywhere_is_a_failed_scan(tmp_path, producer) -> None:
    service = _service(tmp_path, producer, RecordedRunner(fail=["discovery"]))
    summary = service.scan(_scope(ProfileName.COMMON_PORTS))
    assert summary.status is ScanStatus.FAILED
    assert [e.type for e in producer.events()] == [EventType.SCAN_STARTED, EventType.SCAN_COMPLETED]


def test_missing_nmap_is_a_failed_scan_with_a_reason(tmp_path, producer) -> None:
    settings = CollectorSettings(data_dir=tmp_path, nmap_path="/nonexistent/nmap")
    summary = ScanService(settings, producer).scan(_scope(ProfileName.DISCOVERY))
    assert summary.status is ScanStatus.FAILED
    assert "nmap not found" in (summary.error or "")
