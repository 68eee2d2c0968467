from pathlib import Path
from xml.parsers.expat import ExpatError

import pytest

from spbe_collector.scans.transform import NmapXmlStream, merge, parse_xml
from spbe_common.events.enums import Protocol

NMAP = Path(__file__).resolve().parents[2] / "data" / "nmap"


def _blocks(name: str, size: int = 97) -> list[bytes]:
    raw = (NMAP / name).read_bytes()
    return [raw[i : i + size] for i in range(0, len(raw), size)]


def test_discovery_lists_every_live_host_without_services() -> None:
    assets = list(parse_xml(_blocks("discovery.xml")))
    assert [str(a.addresses[0]) for a in assets] == [f"127.0.0.{i}" for i in range(8)]
    assert all(a.services == [] and a.mac is None for a in assets)


def test_port_scan_keeps_only_open_ports() -> None:
    by_ip = {str(a.addresses[0]): a for a in parse_xml(_blocks("ports.xml"))}
    assert [(s.port, s.protocol) for s in by_ip["127.0.0.2"].services] == [(18080, Protocol.TCP)]
    assert [s.port for s in by_ip["127.0.0.3"].services] == [10022]


def test_version_scan_reports_product_and_version() -> None:
    by_ip = {str(a.addresses[0]): a for a in parse_xml(_blocks("versions.xml"))}
    http = by_ip["127.0.0.2"].services[0]
    ssh = by_ip["127.0.0.3"].services[0]
    assert (http.name, http.product, http.version) == ("http", "SimpleHTTPServer", "0.6")
    assert (ssh.name, ssh.product, ssh.version) == ("ssh", "OpenSSH", "9.2p1 Debian 2+deb12u3")


def test_os_guess_is_the_most_accurate_match() -> None:
    (asset,) = parse_xml(_blocks("os.xml"))
    assert asset.os_guess == "Linux 5.0 - 5.2"


def test_truncated_output_yields_finished_hosts_and_is_flagged() -> None:
    stream = NmapXmlStream()
    assets = [a for block in _blocks("truncated.xml") for a in stream.feed(block)]
    assets += stream.close()
    assert [str(a.addresses[0]) for a in assets] == ["127.0.0.2"]
    assert stream.stats.truncated is True


def test_run_stats_are_read_from_the_trailer() -> None:
    stream = NmapXmlStream()
    for block in _blocks("versions.xml"):
        stream.feed(block)
    stream.close()
    assert (stream.stats.exit, stream.stats.hosts_up, stream.stats.truncated) == (
        "success",
        2,
        False,
    )


def test_down_hosts_and_mac_vendor() -> None:
    xml = (
        b'<nmaprun><host><status state="down"/><address addr="10.0.0.9" addrtype="ipv4"/></host>'
        b'<host><status state="up"/><address addr="10.0.0.7" addrtype="ipv4"/>'
        b'<address addr="aa:bb:cc:00:11:22" addrtype="mac" vendor="Cisco"/>'
        b'<hostnames><hostname name="sw-ciruas" type="PTR"/></hostnames></host></nmaprun>'
    )
    (asset,) = parse_xml([xml])
    assert (asset.mac, asset.vendor, asset.hostname) == ("AA:BB:CC:00:11:22", "Cisco", "sw-ciruas")


def test_malformed_xml_raises() -> None:
    stream = NmapXmlStream()
    with pytest.raises(ExpatError, match=r"mismatched tag"):
        stream.feed(b"<nmaprun><host></nmaprun>")


def test_merge_prefers_the_version_stage_per_port() -> None:
    (ports,) = [a for a in parse_xml(_blocks("ports.xml")) if str(a.addresses[0]) == "127.0.0.2"]
    (versions,) = [a for a in parse_xml(_blocks("versions.xml")) if a.addresses == ports.addresses]
    merged = merge(ports, versions)
    assert [(s.port, s.product) for s in merged.services] == [(18080, "SimpleHTTPServer")]
