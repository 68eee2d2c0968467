from ipaddress import ip_address, ip_network

from spbe_collector.scans.chunks import plan_host_chunks, plan_network_chunks, subtract


def test_exclusions_are_subtracted() -> None:
    parts = subtract(ip_network("127.0.0.0/29"), [ip_network("127.0.0.4/31")])
    assert [str(p) for p in parts] == ["127.0.0.0/30", "127.0.0.6/31"]


def test_fully_excluded_range_leaves_nothing() -> None:
    assert subtract(ip_network("127.0.0.0/30"), [ip_network("127.0.0.0/24")]) == []


def test_large_range_is_split_into_power_of_two_chunks() -> None:
    chunks = plan_network_chunks([ip_network("127.0.0.0/16")], [], 4096)
    assert len(chunks) == 16
    assert all(c.size == 4096 and len(c.targets) == 1 for c in chunks)
    assert str(chunks[-1].targets[0]) == "127.0.240.0/20"


def test_small_ranges_are_packed_and_overlaps_scanned_once() -> None:
    networks = [
        ip_network("127.0.0.0/24"),
        ip_network("127.0.0.128/25"),
        ip_network("127.0.1.0/24"),
    ]
    chunks = plan_network_chunks(networks, [], 1000)  # rounds down to 512 addresses
    assert [[str(t) for t in c.targets] for c in chunks] == [["127.0.0.0/24", "127.0.1.0/24"]]
    assert chunks[0].size == 512


def test_address_families_never_share_a_chunk() -> None:
    chunks = plan_network_chunks([ip_network("127.0.0.1/32"), ip_network("::1/128")], [], 256)
    assert [c.version for c in chunks] == [4, 6]


def test_host_chunks_are_sorted_and_deduplicated() -> None:
    hosts = [ip_address("127.0.0.3"), ip_address("127.0.0.2"), ip_address("127.0.0.3")]
    chunks = plan_host_chunks(hosts, 1)
    assert [c.targets for c in chunks] == [(ip_address("127.0.0.2"),), (ip_address("127.0.0.3"),)]
