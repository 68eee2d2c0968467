from pathlib import Path
from xml.parsers.expat import ExpatError

import pytest

from spbe_collector.scans.transform import _SIMPLE_HOST, NmapXmlStream, RunStats, merge, parse_xml
from spbe_common.events.enums import Protocol
from spbe_common.events.limits import MAX_ADDRESSES, MAX_SERVICES
from spbe_common.events.payloads import AssetObserved

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


@pytest.mark.parametrize("name", ["discovery.xml", "ports.xml", "versions.xml", "os.xml"])
def test_hosts_are_already_what_the_contract_would_make_of_them(name: str) -> None:
    hosts = list(parse_xml(_blocks(name)))
    assert hosts
    for host in hosts:
        checked = AssetObserved.model_validate(host.data())
        assert checked.model_dump(mode="json", exclude_none=True) == host.data()


def test_values_outside_the_contract_are_dropped_or_clipped() -> None:
    long_name = "h" * 300
    xml = (
        b'<nmaprun><host><status state="up"/>'
        b'<address addr="0:0:0:0:0:0:0:1" addrtype="ipv6"/>'
        b'<address addr="not-an-address" addrtype="ipv4"/>'
        b'<address addr="999.1.1.1" addrtype="ipv4"/>'
        b'<address addr="aa-bb-cc-00-11-22" addrtype="mac" vendor="' + b"v" * 250 + b'"/>'
        b'<hostnames><hostname name="' + long_name.encode() + b'" type="PTR"/></hostnames>'
        b'<ports><port protocol="tcp" portid="99999"><state state="open"/></port>'
        b'<port protocol="tcp" portid="\xd9\xa3"><state state="open"/></port>'
        b'<port protocol="icmp" portid="1"><state state="open"/></port>'
        b'<port protocol="udp" portid="53"><state state="open"/>'
        b'<service name="' + b"n" * 80 + b'"/></port></ports></host>'
        b'<host><status state="up"/><address addr="10.0.0.1" addrtype="ipv4"/>'
        b'<address addr="zz:bb:cc:00:11:22" addrtype="mac"/></host></nmaprun>'
    )
    first, second = parse_xml([xml])
    assert first.addresses == ["::1"]
    assert (first.mac, first.vendor, first.hostname) == ("AA:BB:CC:00:11:22", "v" * 200, "h" * 253)
    assert [(s.port, s.protocol, s.name) for s in first.services] == [(53, Protocol.UDP, "n" * 64)]
    assert (second.addresses, second.mac) == (["10.0.0.1"], None)
    for host in (first, second):
        assert host.payload().model_dump(mode="json", exclude_none=True) == host.data()


def test_a_host_with_no_valid_address_is_left_out() -> None:
    xml = b'<nmaprun><host><status state="up"/><address addr="x" addrtype="ipv4"/></host></nmaprun>'
    assert list(parse_xml([xml])) == []


def test_addresses_and_services_stay_within_the_contract_limits() -> None:
    addresses = b"".join(
        b'<address addr="10.0.%d.%d" addrtype="ipv4"/>' % divmod(i, 256) for i in range(70)
    )
    ports = b"".join(
        b'<port protocol="tcp" portid="%d"><state state="open"/></port>' % p for p in range(1, 1100)
    )
    xml = b"<nmaprun><host>" + addresses + b"<ports>" + ports + b"</ports></host></nmaprun>"
    (host,) = parse_xml([xml])
    assert (len(host.addresses), len(host.services)) == (MAX_ADDRESSES, MAX_SERVICES)
    assert host.payload().model_dump(mode="json", exclude_none=True) == host.data()


SWEEP = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -sn -n -oX - 10.0.0.0/28" version="7.93">
<host><status state="up" reason="localhost-response" reason_ttl="0"/>
<address addr="10.0.0.1" addrtype="ipv4"/>
<hostnames>
</hostnames>
</host>
<host><status state="down" reason="no-response" reason_ttl="0"/>
<address addr="10.0.0.2" addrtype="ipv4"/>
<hostnames>
</hostnames>
</host>
<host><status state="up" reason="arp-response" reason_ttl="0"/>
<address addr="10.0.0.3" addrtype="ipv4"/>
<address addr="aa:bb:cc:00:11:22" addrtype="mac" vendor="Cisco Systems"/>
<hostnames>
</hostnames>
<times srtt="120" rttvar="5000" to="100000"/>
</host>
<host><status state="up" reason="arp-response" reason_ttl="0"/>
<address addr="10.0.0.4" addrtype="ipv4"/>
<address addr="aa:bb:cc:00:11:23" addrtype="mac" vendor="AT&amp;T"/>
<hostnames>
</hostnames>
</host>
<host starttime="1" endtime="2"><status state="up" reason="echo-reply" reason_ttl="64"/>
<address addr="0:0:0:0:0:0:0:1" addrtype="ipv6"/>
<hostnames>
</hostnames>
</host>
<host><status state="up" reason="syn-ack" reason_ttl="64"/>
<address addr="10.0.0.6" addrtype="ipv4"/>
<hostnames><hostname name="sw-ciruas" type="PTR"/></hostnames>
<ports><port protocol="tcp" portid="22"><state state="open"/><service name="ssh"/></port></ports>
</host>
<host><status state="up" reason="user-set" reason_ttl="0"/>
<address addr="999.0.0.7" addrtype="ipv4"/>
<hostnames>
</hostnames>
</host>
<host><status state="up" reason="arp-response" reason_ttl="0"/>
<address addr="10.0.0.8" addrtype="ipv4"/>
<address addr="zz:bb:cc:00:11:24" addrtype="mac"/>
<hostnames>
</hostnames>
</host>
<runstats><finished time="2" exit="success"/><hosts up="6" down="1" total="8"/>
</runstats>
</nmaprun>
"""


def _read(raw: bytes, size: int, *, simple_hosts: bool) -> tuple[list[dict[str, object]], RunStats]:
    stream = NmapXmlStream(simple_hosts=simple_hosts)
    hosts = [h for i in range(0, len(raw), size) for h in stream.feed(raw[i : i + size])]
    hosts += stream.close()
    return [h.data() for h in hosts], stream.stats


@pytest.mark.parametrize("size", [1, 7, 64, 97, 250, 1 << 20])
@pytest.mark.parametrize(
    "name", ["discovery.xml", "ports.xml", "versions.xml", "os.xml", "truncated.xml", "sweep"]
)
def test_the_fast_path_reads_what_expat_alone_reads(name: str, size: int) -> None:
    raw = SWEEP if name == "sweep" else (NMAP / name).read_bytes()
    fast = _read(raw, size, simple_hosts=True)
    assert fast == _read(raw, size, simple_hosts=False)
    assert fast[0]  # hosts were found
    cut = _read(raw[: len(raw) * 2 // 3], size, simple_hosts=True)  # nmap killed mid-document
    assert cut == _read(raw[: len(raw) * 2 // 3], size, simple_hosts=False)
    assert cut[1].truncated is True


def test_the_sweep_reads_mac_vendor_ipv6_and_drops_what_the_contract_refuses() -> None:
    assert len(_SIMPLE_HOST.findall(SWEEP)) == 5  # not the escaped vendor, ports, odd MAC
    found = _read(SWEEP, 97, simple_hosts=True)[0]
    hosts = {h["addresses"][0]: h for h in found}  # type: ignore[index]
    assert sorted(hosts) == ["10.0.0.1", "10.0.0.3", "10.0.0.4", "10.0.0.6", "10.0.0.8", "::1"]
    assert (hosts["10.0.0.3"]["mac"], hosts["10.0.0.3"]["vendor"]) == (
        "AA:BB:CC:00:11:22",
        "Cisco Systems",
    )
    assert hosts["10.0.0.4"]["vendor"] == "AT&T"
    assert "mac" not in hosts["10.0.0.8"]
    assert hosts["10.0.0.6"]["services"] == [{"port": 22, "protocol": "tcp", "name": "ssh"}]


def test_malformed_xml_after_fast_hosts_raises() -> None:
    stream = NmapXmlStream()
    head = SWEEP.split(b"<runstats>")[0]
    with pytest.raises(ExpatError):
        stream.feed(head + b"<runstats></nmaprun>")
