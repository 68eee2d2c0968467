from ipaddress import ip_address, ip_network

import pytest

from spbe_collector.scans.argv import UnsafeArgument, build_argv, render_ports
from spbe_collector.scans.enums import Stage
from spbe_collector.scans.profiles import PROFILES, UnknownProfile, get_profile

NET = ip_network("127.0.0.0/30")


def test_discovery_argv_is_exact() -> None:
    argv = build_argv("/usr/bin/nmap", Stage.DISCOVERY, [NET], privileged=False)
    assert argv == [
        "/usr/bin/nmap", "-sn", "-n", "-T4", "--max-retries", "2", "--host-timeout", "30s",
        "--max-rate", "1000", "--noninteractive", "-oX", "-", "127.0.0.0/30",
    ]  # fmt: skip


def test_privileged_port_stage_uses_syn_scan_and_os_detection() -> None:
    argv = build_argv(
        "nmap",
        Stage.PORTS,
        [ip_address("127.0.0.2")],
        privileged=True,
        ports=[(80, 80), (8000, 8100)],
    )
    assert argv == [
        "nmap", "-Pn", "-sS", "-O", "--osscan-limit", "-n", "-T4", "--max-retries", "2",
        "--host-timeout", "120s", "--max-rate", "1000", "-p", "80,8000-8100",
        "--noninteractive", "-oX", "-", "127.0.0.2",
    ]  # fmt: skip


def test_unprivileged_version_stage_uses_connect_scan_and_top_ports_by_default() -> None:
    argv = build_argv("nmap", Stage.VERSIONS, [ip_address("127.0.0.3")], privileged=False)
    assert argv[1:6] == ["-Pn", "-sT", "-sV", "--version-intensity", "5"]
    assert argv[argv.index("--top-ports") + 1] == "100"
    assert "-sS" not in argv and "-O" not in argv


def test_ipv6_targets_add_the_family_flag() -> None:
    argv = build_argv("nmap", Stage.DISCOVERY, [ip_network("::1/128")], privileged=False)
    assert argv[-5:] == ["-6", "--noninteractive", "-oX", "-", "::1/128"]


@pytest.mark.parametrize(
    "target", ["127.0.0.1", "127.0.0.1 -oN /tmp/x", "--script=vuln", "127.0.0.1;id", "a\nb"]
)
def test_text_targets_never_reach_argv(target: str) -> None:
    with pytest.raises(UnsafeArgument, match="not an ipaddress object"):
        build_argv("nmap", Stage.DISCOVERY, [target], privileged=False)


@pytest.mark.parametrize("ports", [[("80", "80")], [(0, 80)], [(80, 70000)], [(True, 1)]])
def test_ports_must_be_int_ranges(ports: list[tuple[object, object]]) -> None:
    with pytest.raises(UnsafeArgument, match="port range"):
        render_ports(ports)


def test_every_argv_item_comes_from_the_fixed_registry_or_ipaddress() -> None:
    allowed_words = {"nmap", "-", "-oX", "--noninteractive", "-p", "80", "127.0.0.0/30"}
    for stage in Stage:
        for privileged in (False, True):
            argv = build_argv("nmap", stage, [NET], privileged=privileged, ports=[(80, 80)])
            assert not any(";" in a or "\n" in a or a in ("-oN", "--script") for a in argv)
            assert argv[-3:] == ["-oX", "-", "127.0.0.0/30"]
            assert allowed_words & set(argv) >= {"nmap", "-oX", "-", "127.0.0.0/30"}


@pytest.mark.parametrize("name", ["--script=vuln", "-oN", "discovery;id", "DISCOVERY", ""])
def test_profile_registry_is_closed(name: str) -> None:
    with pytest.raises(UnknownProfile):
        get_profile(name)


def test_profiles_stage_discovery_first() -> None:
    assert all(p.stages[0] is Stage.DISCOVERY for p in PROFILES.values())
    assert get_profile("service-version").stages == (Stage.DISCOVERY, Stage.PORTS, Stage.VERSIONS)
