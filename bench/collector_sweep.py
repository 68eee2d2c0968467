"""Bench: raw `nmap -sn -n 127.0.0.0/16` against the collector's discovery scan of the same range.

The collector runs in a child process publishing to an embedded log in a temp dir; this process
samples the memory of that child plus its nmap children (psutil) every 50 ms. CPU: `cpu_s` is the
collector child's own CPU plus its nmap children's during the scan (getrusage SELF + CHILDREN),
`nmap_cpu_s` raw nmap's (wait4). Afterwards every record of the log is decoded with the
inventory's decoder (`from_binary`, which validates the contract) and the asset.observed
addresses are compared with raw nmap's up hosts (count and sha256 of the sorted list): a
mismatch exits non-zero. Loopback only.
Usage: .venv/bin/python bench/collector_sweep.py [--cidr 127.0.0.0/16] [--profile]
  --profile: cProfile of the collector's scan, every thread (the nmap readers parse the XML),
  top 25 by own time and by cumulative time on stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from ipaddress import IPv4Network, ip_address, ip_network
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import psutil

MB = 1024 * 1024


def _cpu(usage: Any) -> float:
    return float(usage.ru_utime + usage.ru_stime)


def time_raw_nmap(cidr: str, out: Path) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds of plain nmap writing XML to a pipe we drain
    (into `out`, read after the collector's run so this process stays small when it forks)."""
    start = time.perf_counter()
    proc = subprocess.Popen(["nmap", "-sn", "-n", "-oX", "-", cidr], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    with out.open("wb") as sink:
        while block := proc.stdout.read(1 << 16):
            sink.write(block)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"raw nmap failed with status {status}")
    return wall, usage.ru_maxrss / 1024, _cpu(usage)


def raw_up_addresses(xml: Path) -> list[str]:
    """The reference, the slow obvious way: every address of every host nmap reports up."""
    root = ElementTree.parse(xml).getroot()
    found = [
        address.get("addr", "")
        for host in root.iter("host")
        if (status := host.find("status")) is not None and status.get("state") == "up"
        for address in host.iter("address")
        if address.get("addrtype") in ("ipv4", "ipv6")
    ]
    stated = root.find("runstats/hosts")
    if stated is None or int(stated.get("up", "-1")) != len(found):
        raise SystemExit("check=FAILED raw nmap's runstats disagree with its host list")
    return found


def digest(addresses: list[str]) -> str:
    ordered = sorted(addresses, key=lambda a: (ip_address(a).version, int(ip_address(a))))
    return hashlib.sha256("\n".join(ordered).encode()).hexdigest()


def _tree_memory(proc: psutil.Process) -> tuple[int, int]:
    """Summed RSS and summed PSS of the process and its children.

    RSS counts pages shared with a just-forked (not yet exec'd) nmap child twice; PSS does not.
    """
    rss = pss = 0
    for member in [proc, *proc.children(recursive=True)]:
        try:
            info = member.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss, pss


def run_collector_child(
    cidr: str, workdir: str, profile: bool
) -> tuple[dict[str, Any], float, float, float, float]:
    """The child's own figures, its wall time and CPU (with all it waited for), and the sampled
    peaks (MB) of its tree's RSS/PSS."""
    argv = [sys.executable, __file__, "--child", "--cidr", cidr, "--workdir", workdir]
    start = time.perf_counter()
    child = subprocess.Popen([*argv, *(["--profile"] if profile else [])], stdout=subprocess.PIPE)
    watched = psutil.Process(child.pid)
    peak_rss = peak_pss = 0
    while child.poll() is None:
        try:
            rss, pss = _tree_memory(watched)
        except psutil.NoSuchProcess:
            break
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.05)  # smaps reads cost CPU on 2 cores: sample at 20 Hz
    wall = time.perf_counter() - start
    assert child.stdout is not None
    if child.returncode != 0:
        raise SystemExit(f"collector child failed with exit code {child.returncode}")
    figures = json.loads(child.stdout.read())
    return figures, wall, figures["process_cpu_s"], peak_rss / MB, peak_pss / MB


def _scan_cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    waited = resource.getrusage(resource.RUSAGE_CHILDREN)  # the nmap processes, once reaped
    return _cpu(own), _cpu(waited)


def start_profiles() -> list[Any]:
    """cProfile in this thread and in every thread started later (nmap chunks run in a pool)."""
    import cProfile
    import threading

    profiles: list[cProfile.Profile] = []

    def start_profile(*_: object) -> None:
        profile = cProfile.Profile(time.thread_time)  # CPU; enable() replaces this hook
        profiles.append(profile)
        profile.enable()

    threading.setprofile(start_profile)
    start_profile()
    return profiles


def print_profiles(profiles: list[Any]) -> None:
    import pstats

    for profile in profiles:
        profile.disable()
    stats = pstats.Stats(profiles[0], stream=sys.stderr)
    for profile in profiles[1:]:
        stats.add(profile)
    print(f"== collector scan profile ({len(profiles)} threads)", file=sys.stderr)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)


def child_main(cidr: str, workdir: str, profile: bool) -> None:
    from spbe_collector.scans.enums import ProfileName
    from spbe_collector.scans.service import ScanService
    from spbe_collector.scopes.schemas import ValidatedScope
    from spbe_collector.settings import CollectorSettings
    from spbe_common.bus import EmbeddedBus, make_bus

    settings = CollectorSettings(data_dir=Path(workdir))
    bus = make_bus(settings)
    networks = (ip_network(cidr),)
    scope = ValidatedScope(
        "bench-loopback", "DISKOMINFOSATIK", networks, (), ProfileName.DISCOVERY, None, ()
    )
    producer = bus.producer()
    profiles = start_profiles() if profile else []
    own_before, waited_before = _scan_cpu()
    start = time.perf_counter()
    summary = ScanService(settings, producer).scan(scope)
    wall = time.perf_counter() - start
    own_after, waited_after = _scan_cpu()
    if profiles:
        print_profiles(profiles)
    producer.close()
    assert isinstance(bus, EmbeddedBus)
    figures = {
        "collector_wall_s": wall,
        "hosts_up": summary.hosts_up,
        "events_in_log": bus.count("spbe.events"),
        "status": summary.status.value,
        "error": summary.error,
        "rusage_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rusage_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "collector_python_cpu_s": own_after - own_before,
        "collector_nmap_cpu_s": waited_after - waited_before,
        "process_cpu_s": own_after + waited_after,
        "log_path": str(settings.log_path),
    }
    print(json.dumps(figures))


def published(log_path: str) -> tuple[list[str], int]:
    """Addresses of every asset.observed in the log, and the hosts_up of its scan.completed;
    every record decoded and validated by the inventory's decoder (raises on an invalid one)."""
    from spbe_common.bus import EmbeddedBus
    from spbe_common.events import from_binary
    from spbe_common.events.payloads import AssetObserved, ScanCompleted

    consumer = EmbeddedBus(Path(log_path)).consumer("bench-check", ["spbe.events"])
    addresses: list[str] = []
    completed = -1
    while records := consumer.poll(5000, 0):
        for record in records:
            event = from_binary(record.headers, record.value)
            if isinstance(event.data, AssetObserved):
                addresses.extend(event.data.addresses)
            elif isinstance(event.data, ScanCompleted):
                completed = event.data.hosts_up
    consumer.close()
    return addresses, completed


def check(reference: list[str], figures: dict[str, Any], log_path: str) -> str:
    addresses, completed = published(log_path)
    expected = digest(reference)
    problems = [
        f"{name} {value} != raw nmap's {len(reference)} up hosts"
        for name, value in (
            ("hosts_up", figures["hosts_up"]),
            ("asset.observed addresses", len(addresses)),
            ("scan.completed hosts_up", completed),
        )
        if value != len(reference)
    ]
    if digest(addresses) != expected:
        problems.append(f"sha256 of the published addresses {digest(addresses)} != {expected}")
    if problems:
        raise SystemExit("check=FAILED " + "; ".join(problems))
    return expected


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cidr", default="127.0.0.0/16")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--workdir")
    parser.add_argument("--profile", action="store_true", help="cProfile the collector's scan")
    args = parser.parse_args()
    if not IPv4Network(args.cidr).subnet_of(IPv4Network("127.0.0.0/8")):
        raise SystemExit("loopback only")
    if args.child:
        child_main(args.cidr, args.workdir, args.profile)
        return
    with tempfile.TemporaryDirectory(prefix="spbe-bench-") as workdir:
        raw_xml = Path(workdir) / "raw-nmap.xml"
        nmap_wall, nmap_rss, nmap_cpu = time_raw_nmap(args.cidr, raw_xml)
        figures, process_wall, process_cpu, peak_rss, peak_pss = run_collector_child(
            args.cidr, workdir, args.profile
        )
        reference = raw_up_addresses(raw_xml)
        checksum = check(reference, figures, figures["log_path"])
    details = ("hosts_up", "events_in_log", "status", "error", "rusage_self_mb")
    for key in (*details, "rusage_children_mb"):
        print(f"{key}={figures[key]}")
    print(f"nmap_peak_rss_mb={nmap_rss:.1f}")
    print(f"collector_process_wall_s={process_wall:.3f}")
    print(f"nmap_wall_s={nmap_wall:.3f}")
    print(f"collector_wall_s={figures['collector_wall_s']:.3f}")
    print(f"ratio={figures['collector_wall_s'] / nmap_wall:.3f}")
    print(f"peak_rss_sum_mb={peak_rss:.1f}")  # double-counts pages shared with forked children
    print(f"peak_rss_mb={peak_pss:.1f}")  # proportional (PSS) sum over collector + nmap children
    print(f"nmap_cpu_s={nmap_cpu:.3f}")
    scan_cpu = figures["collector_python_cpu_s"] + figures["collector_nmap_cpu_s"]
    print(f"cpu_s={scan_cpu:.3f}")  # the scan: collector child + its nmap children
    print(f"collector_python_cpu_s={figures['collector_python_cpu_s']:.3f}")
    print(f"collector_nmap_cpu_s={figures['collector_nmap_cpu_s']:.3f}")
    print(f"cpu_ratio={scan_cpu / nmap_cpu:.3f}")
    print(f"collector_process_cpu_s={process_cpu:.3f}")  # with interpreter start and imports
    print(f"check=ok sha256={checksum} up_hosts={len(reference)}")


if __name__ == "__main__":
    main()
