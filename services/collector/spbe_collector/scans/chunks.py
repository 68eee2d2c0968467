"""Split scope ranges (minus exclusions) into bounded chunks of targets. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address

from ..scopes.schemas import Network

Address = IPv4Address | IPv6Address
Target = Network | Address


@dataclass(frozen=True, slots=True)
class Chunk:
    index: int
    targets: tuple[Target, ...]
    size: int

    @property
    def version(self) -> int:
        return self.targets[0].version


def subtract(network: Network, exclude: Sequence[Network]) -> list[Network]:
    """`network` without every excluded range, as disjoint networks."""
    parts = [network]
    for excluded in exclude:
        remaining: list[Network] = []
        for part in parts:
            if part.version != excluded.version or not part.overlaps(excluded):
                remaining.append(part)
            elif not part.subnet_of(excluded):  # type: ignore[arg-type]
                remaining.extend(part.address_exclude(excluded))  # type: ignore[arg-type]
        parts = remaining
    return sorted(parts, key=lambda n: (n.version, n.network_address))


def _split(network: Network, chunk_size: int) -> Iterator[Network]:
    if network.num_addresses <= chunk_size:
        yield network
        return
    new_prefix = network.max_prefixlen - (chunk_size.bit_length() - 1)
    yield from network.subnets(new_prefix=new_prefix)


def _pack(targets: Iterable[Target], chunk_size: int) -> Iterator[tuple[tuple[Target, ...], int]]:
    batch: list[Target] = []
    size = 0
    for target in targets:
        count = getattr(target, "num_addresses", 1)
        same_family = not batch or batch[0].version == target.version
        if batch and (size + count > chunk_size or not same_family):
            yield tuple(batch), size
            batch, size = [], 0
        batch.append(target)
        size += count
    if batch:
        yield tuple(batch), size


def plan_network_chunks(
    networks: Sequence[Network], exclude: Sequence[Network], chunk_size: int
) -> list[Chunk]:
    """Chunks of at most `chunk_size` addresses (rounded down to a power of two)."""
    parts = [part for network in networks for part in subtract(network, exclude)]
    pieces = (piece for part in _dedupe(parts) for piece in _split(part, chunk_size))
    return [Chunk(i, targets, size) for i, (targets, size) in enumerate(_pack(pieces, chunk_size))]


def plan_host_chunks(hosts: Sequence[Address], chunk_size: int) -> list[Chunk]:
    ordered = sorted(set(hosts), key=lambda a: (a.version, int(a)))
    return [Chunk(i, targets, size) for i, (targets, size) in enumerate(_pack(ordered, chunk_size))]


def _dedupe(parts: list[Network]) -> list[Network]:
    """Drop networks contained in another one so no address is scanned twice."""
    kept: list[Network] = []
    for part in sorted(parts, key=lambda n: (n.version, n.prefixlen)):
        if not any(p.version == part.version and part.subnet_of(p) for p in kept):  # type: ignore[arg-type]
            kept.append(part)
    return sorted(kept, key=lambda n: (n.version, n.network_address))
