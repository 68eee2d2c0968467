"""Bench: raw `nmap -sn -n 127.0.0.0/16` against the collector's discovery scan of the same range.

The collector runs in a child process publishing to an embedded log in a temp dir; this process
samples the memory of that child plus its nmap children (psutil) every 50 ms.
Usage: .venv/bin/python bench/collector_sweep.py [--cidr 127.0.0.0/16]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from ipaddress import IPv4Network, ip_network
from pathlib import Path

import psutil

MB = 1024 * 1024


def time_raw_nmap(cidr: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of plain nmap writing XML to a pipe we drain."""
    start = time.perf_counter()
    proc = subprocess.Popen(["nmap", "-sn", "-n", "-oX", "-", cidr], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    while proc.stdout.read(1 << 16):
        pass
    _pid, _status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024


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


def run_collector_child(cidr: str, workdir: str) -> tuple[dict[str, float], float, float, float]:
    """The child's own figures, its wall time, and the sampled peaks (MB) of its tree's RSS/PSS."""
    argv = [sys.executable, __file__, "--child", "--cidr", cidr, "--workdir", workdir]
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE)
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
    return json.loads(child.stdout.read()), wall, peak_rss / MB, peak_pss / MB


def child_main(cidr: str, workdir: str) -> None:
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
    start = time.perf_counter()
    summary = ScanService(settings, producer).scan(scope)
    wall = time.perf_counter() - start
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
    }
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cidr", default="127.0.0.0/16")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--workdir")
    args = parser.parse_args()
    if not IPv4Network(args.cidr).subnet_of(IPv4Network("127.0.0.0/8")):
        raise SystemExit("loopback only")
    if args.child:
        child_main(args.cidr, args.workdir)
        return
    nmap_wall, nmap_rss = time_raw_nmap(args.cidr)
    with tempfile.TemporaryDirectory(prefix="spbe-bench-") as workdir:
        figures, process_wall, peak_rss, peak_pss = run_collector_child(args.cidr, workdir)
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


if __name__ == "__main__":
    main()
