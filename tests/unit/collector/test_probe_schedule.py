"""The scopes file's `probes:` list: validated at load like the scopes (allowlist, URLs, OPD,
schedule, unknown fields), host names checked against the allowlist at each probe, and the
scheduler that runs a new probe at once. No network: an httpx transport and a resolver stand in."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry

from spbe_collector.metrics import CollectorMetrics
from spbe_collector.probes.service import ProbeService, outside_allowlist
from spbe_collector.schedules.schemas import Cron, Interval, InvalidSchedule
from spbe_collector.schedules.service import Scheduler
from spbe_collector.scopes.repository import ScopeRepository, YamlScopeSource
from spbe_collector.scopes.schemas import ValidatedProbe
from spbe_collector.scopes.service import ScopeRefused, address_allowed, parse_allowlist
from spbe_collector.settings import CollectorSettings
from spbe_common.events import EventType

LOOPBACK = parse_allowlist(["127.0.0.0/8"])
T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
SCOPE = "scopes:\n  - {key: lan, opd: DINKES, ranges: [127.0.0.1/32]}\n"


def _repository(tmp_path: Path, probes: str, known: list[str] | None = None) -> ScopeRepository:
    path = tmp_path / "scopes.yaml"
    path.write_text(SCOPE + "probes:\n" + probes, encoding="utf-8")
    check = (lambda: known) if known is not None else None
    return ScopeRepository(YamlScopeSource(path), LOOPBACK, check)


def _probes(tmp_path: Path, probes: str) -> list[ValidatedProbe]:
    return _repository(tmp_path, probes).probes()


def test_probes_load_with_their_urls_opd_and_schedule(tmp_path: Path) -> None:
    probes = _probes(
        tmp_path,
        "  - {key: dinkes-web, opd: dinkes, interval: 15m,\n"
        "     urls: ['http://127.0.0.2:8080', 'https://app.dinkes.example.go.id/masuk',"
        " 'http://127.0.0.2:8080/']}\n"
        "  - {key: bpkad-web, opd: BPKAD, cron: '*/10 * * * *', urls: ['http://[::ffff:127.0.0.3]/']}\n",
    )
    web, bpkad = probes
    assert (web.key, web.opd, web.schedule) == ("dinkes-web", "DINKES", Interval(900))
    assert web.urls == ("http://127.0.0.2:8080/", "https://app.dinkes.example.go.id/masuk")
    assert isinstance(bpkad.schedule, Cron) and bpkad.urls == ("http://[::ffff:7f00:3]/",)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/",
        "https://192.168.1.1:8443/",
        "http://[::1]/",  # IPv6 loopback is not in 127.0.0.0/8
        "http://0x0a000001/",  # spelled in hexadecimal: 10.0.0.1
        "http://167772161/",  # spelled as one number: 10.0.0.1
    ],
)
def test_a_literal_address_outside_the_allowlist_refuses_the_file(tmp_path: Path, url: str) -> None:
    repository = _repository(
        tmp_path, f"  - {{key: luar, opd: DINKES, interval: 15m, urls: ['{url}']}}\n"
    )
    with pytest.raises(ScopeRefused, match=r"probe 'luar': url .* outside the scan allowlist"):
        repository.probes()
    with pytest.raises(ScopeRefused, match="outside the scan allowlist"):
        repository.all()  # the whole file: the scans stop too, as with a bad scope


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://127.0.0.1/", "is not an http"),
        ("127.0.0.1:8080", "is not an http"),
        ("http://", "is not an http"),
        ("http://admin:rahasia@127.0.0.1/", "must not carry a user or password"),
    ],
)
def test_a_bad_url_is_refused_naming_the_probe(tmp_path: Path, url: str, reason: str) -> None:
    with pytest.raises(ScopeRefused, match=f"probe 'web-rusak': url '{url}' {reason}"):
        _probes(tmp_path, f"  - {{key: web-rusak, opd: DINKES, interval: 1h, urls: ['{url}']}}\n")


def test_unknown_fields_and_a_missing_url_list_name_the_entry(tmp_path: Path) -> None:
    with pytest.raises(ScopeRefused, match=r"probes\.0\.method: Extra inputs are not permitted"):
        _probes(
            tmp_path,
            "  - {key: a, opd: B, interval: 1h, urls: ['http://127.0.0.1/'], method: POST}\n",
        )
    with pytest.raises(ScopeRefused, match=r"probes\.0\.urls: Field required"):
        _probes(tmp_path, "  - {key: a, opd: B, interval: 1h}\n")
    with pytest.raises(ScopeRefused, match=r"probes\.0\.urls\.0: Input should be a valid string"):
        _probes(tmp_path, "  - {key: a, opd: B, interval: 1h, urls: [8080]}\n")


@pytest.mark.parametrize(
    ("schedule", "reason"),
    [
        ("", "give an interval"),
        ("interval: 2s", "shorter than 5s"),
        ("interval: 1h, cron: '0 * * * *'", "not both"),
        ("cron: '61 * * * *'", "outside 0-59"),
    ],
)
def test_a_probe_needs_one_valid_schedule(tmp_path: Path, schedule: str, reason: str) -> None:
    fields = f", {schedule}" if schedule else ""
    with pytest.raises(ScopeRefused, match=f"probe 'web': .*{reason}"):
        _probes(tmp_path, f"  - {{key: web, opd: DINKES, urls: ['http://127.0.0.1/']{fields}}}\n")


def test_probe_intervals_go_down_to_5s_but_scans_keep_their_minute() -> None:
    assert Interval.parse("5s", minimum_s=5) == Interval(5)
    with pytest.raises(InvalidSchedule, match="shorter than 60s"):
        Interval.parse("5s")


def test_keys_opd_codes_and_duplicates_are_refused_like_the_scopes(tmp_path: Path) -> None:
    entry = "  - {{key: {key}, opd: {opd}, interval: 1h, urls: ['http://127.0.0.1/']}}\n"
    with pytest.raises(ScopeRefused, match="probe key 'Web; rm' must match"):
        _probes(tmp_path, entry.format(key="'Web; rm'", opd="DINKES"))
    with pytest.raises(ScopeRefused, match="duplicate probe keys: web"):
        _probes(tmp_path, entry.format(key="web", opd="DINKES") * 2)
    repository = _repository(tmp_path, entry.format(key="web", opd="DINKESS"), ["DINKES", "BPKAD"])
    with pytest.raises(
        ScopeRefused,
        match=r"probe 'web': OPD 'DINKESS' is not in the inventory's catalogue \(did you mean DINKES\?\)",
    ):
        repository.probes()
    same_key = _repository(tmp_path, entry.format(key="lan", opd="DINKES"), ["DINKES"])
    assert [p.key for p in same_key.probes()] == ["lan"]  # scopes and probes: two name spaces


def test_address_allowed_never_mixes_ip_versions() -> None:
    everything6 = parse_allowlist(["::/0"])
    assert not address_allowed(ip_address("0.0.0.1"), everything6)
    assert address_allowed(ip_address("::ffff:127.0.0.9"), LOOPBACK)
    assert not address_allowed(ip_address("::1"), LOOPBACK)


def _resolver(table: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError(f"unknown host {host}")
        return table[host]

    return resolve


def test_a_host_name_must_resolve_only_inside_the_allowlist() -> None:
    resolve = _resolver(
        {"lokal": ["127.0.0.2"], "campur": ["127.0.0.2", "10.1.2.3"], "v6": ["fe80::1%eth0"]}
    )
    assert outside_allowlist(httpx.URL("http://lokal/"), LOOPBACK, resolve) is None
    assert "10.1.2.3, outside the scan allowlist" in str(
        outside_allowlist(httpx.URL("https://campur/"), LOOPBACK, resolve)
    )
    assert "fe80::1" in str(outside_allowlist(httpx.URL("http://v6/"), LOOPBACK, resolve))
    with pytest.raises(OSError):
        outside_allowlist(httpx.URL("http://hilang/"), LOOPBACK, resolve)


def _outcomes(metrics: CollectorMetrics) -> dict[str, float]:
    return {
        s.labels["outcome"]: s.value
        for family in metrics.registry.collect()
        if family.name == "spbe_collector_probes"
        for s in family.samples
        if s.name.endswith("_total")
    }


def test_a_host_resolving_outside_is_skipped_counted_refused_and_not_published(producer) -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, text="<title>Simpus</title>")

    metrics = CollectorMetrics(CollectorRegistry())
    service = ProbeService(
        CollectorSettings(),
        producer,
        transport=httpx.MockTransport(answer),
        metrics=metrics,
        allowlist=LOOPBACK,
        resolve=_resolver({"simpus": ["127.0.0.2"], "luar": ["10.9.9.9"]}),
    )
    seen = list(service.probe(["http://simpus/", "http://luar/"]))

    assert [str(o.url) for o in seen] == ["http://simpus/"] and asked == ["http://simpus/"]
    assert [e.type for e in producer.events()] == [EventType.APPLICATION_OBSERVED]
    outcomes = _outcomes(metrics)
    assert (outcomes["ok"], outcomes["refused"]) == (1, 1)


def test_a_redirect_outside_the_allowlist_is_not_followed(producer) -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(302, headers={"location": "http://10.0.0.1/admin"})

    service = ProbeService(
        CollectorSettings(), producer, transport=httpx.MockTransport(answer), allowlist=LOOPBACK
    )
    (observed,) = service.probe(["http://127.0.0.2/"])
    assert asked == ["http://127.0.0.2/"]
    assert not observed.reachable and "outside the scan allowlist" in str(observed.error)


def test_without_an_allowlist_the_one_shot_probe_is_unchanged(producer) -> None:
    service = ProbeService(
        CollectorSettings(), producer, transport=httpx.MockTransport(lambda r: httpx.Response(204))
    )
    (observed,) = service.probe(["http://10.0.0.1/"])  # MockTransport: nothing leaves the test
    assert observed.reachable and observed.status_code == 204


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_a_new_probe_runs_at_once_then_on_its_interval_and_a_removed_one_is_forgotten() -> None:
    clock, ran = FakeClock(), []
    web = ValidatedProbe("web", "DINKES", ("http://127.0.0.2/",), Interval(300))
    loaded = [web]
    scheduler: Scheduler[ValidatedProbe] = Scheduler(
        lambda: loaded, lambda p: ran.append(p.key), clock, what="probe"
    )
    assert scheduler.run_pending() == 1 and ran == ["web"]
    clock.now += timedelta(seconds=299)
    assert scheduler.run_pending() == 0
    clock.now += timedelta(seconds=1)
    assert scheduler.run_pending() == 1 and ran == ["web", "web"]
    loaded.clear()
    assert scheduler.run_pending() == 0
    assert scheduler.seconds_until_next() == 60.0  # nothing left to wait for: the longest nap


class CountingStop(threading.Event):
    """A stop event that records each nap instead of sleeping, and stops after `naps` of them."""

    def __init__(self, naps: int) -> None:
        super().__init__()
        self.naps: list[float | None] = []
        self._limit = naps

    def wait(self, timeout: float | None = None) -> bool:
        self.naps.append(timeout)
        if len(self.naps) >= self._limit:
            self.set()
        return self.is_set()


def test_a_broken_file_is_read_again_in_a_minute_not_once_a_second() -> None:
    clock, loads = FakeClock(), []
    web = ValidatedProbe("web", "DINKES", ("http://127.0.0.2/",), Interval(5))

    def load() -> list[ValidatedProbe]:
        loads.append(clock.now)
        if len(loads) > 1:
            raise ScopeRefused("probe 'web': url 'ftp://x' is not an http(s) URL")
        return [web]

    def run(probe: ValidatedProbe) -> None:
        clock.now += timedelta(hours=1)  # the next round is overdue when the file breaks

    scheduler: Scheduler[ValidatedProbe] = Scheduler(load, run, clock, what="probe")
    stop = CountingStop(naps=2)
    scheduler.run_forever(stop)
    assert stop.naps == [1.0, 60.0] and len(loads) == 2
