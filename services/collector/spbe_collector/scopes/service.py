"""Scope validation: strict keys and OPD codes, parsed CIDRs, all inside the allowlist."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from difflib import get_close_matches
from ipaddress import IPv4Address, IPv6Address, ip_network
from typing import Protocol

from ..scans.enums import ProfileName
from ..scans.profiles import UnknownProfile, get_profile
from ..schedules.schemas import Cron, Interval, InvalidSchedule, Schedule
from .schemas import Network, PortRange, ScopeConfig, ValidatedScope

SCOPE_KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
OPD_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,31}$")
_PORT_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")


class Owned(Protocol):
    """A scope or a probe: what its OPD check needs."""

    @property
    def key(self) -> str: ...

    @property
    def opd(self) -> str: ...


class ScopeRefused(ValueError):
    """A scope that must not be scanned; the message says why."""


def parse_network(text: str, what: str) -> Network:
    if not isinstance(text, str) or text != text.strip() or not text:
        raise ScopeRefused(f"{what} {text!r} is not a CIDR range")
    try:
        return ip_network(text, strict=False)
    except ValueError:
        raise ScopeRefused(f"{what} {text!r} is not a CIDR range") from None


def parse_allowlist(entries: Sequence[str]) -> tuple[Network, ...]:
    return tuple(parse_network(entry, "allowlist entry") for entry in entries)


def _inside(network: Network, allowlist: Sequence[Network]) -> bool:
    return any(
        network.version == allowed.version and network.subnet_of(allowed)  # type: ignore[arg-type]
        for allowed in allowlist
    )


def address_allowed(address: IPv4Address | IPv6Address, allowlist: Sequence[Network]) -> bool:
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:a.b.c.d is the IPv4 address a.b.c.d
    # `in` across versions compares raw integers: 0.0.0.1 would be "in" ::/0
    return any(address.version == a.version and address in a for a in allowlist)


def describe_allowlist(allowlist: Sequence[Network]) -> str:
    return ", ".join(str(a) for a in allowlist) or "(empty)"


def check_allowed(network: Network, allowlist: Sequence[Network]) -> Network:
    if not _inside(network, allowlist):
        allowed = describe_allowlist(allowlist)
        raise ScopeRefused(f"range {network} is outside the scan allowlist ({allowed}); refused")
    return network


def _parse_port(item: int | str) -> PortRange:
    if isinstance(item, bool):
        raise ScopeRefused(f"port {item!r} is not a number")
    if isinstance(item, int):
        low = high = item
    elif isinstance(item, str) and (match := _PORT_RANGE.match(item)):
        low, high = int(match.group(1)), int(match.group(2))
    elif isinstance(item, str) and item.isdigit() and len(item) <= 5:
        low = high = int(item)
    else:
        raise ScopeRefused(f"port {item!r} is not a number or a range like '8000-8100'")
    if not 1 <= low <= high <= 65535:
        raise ScopeRefused(f"port {item!r} is outside 1-65535")
    return (low, high)


def _parse_schedule(config: ScopeConfig) -> Schedule | None:
    if config.interval and config.cron:
        raise ScopeRefused(f"scope {config.key!r}: give an interval or a cron, not both")
    try:
        if config.interval:
            return Interval.parse(config.interval)
        return Cron.parse(config.cron) if config.cron else None
    except InvalidSchedule as exc:
        raise ScopeRefused(f"scope {config.key!r}: {exc}") from None


def _parse_profile(config: ScopeConfig) -> ProfileName:
    try:
        return get_profile(config.profile).name
    except UnknownProfile as exc:
        raise ScopeRefused(f"scope {config.key!r}: {exc}") from None


def validate_key(key: str) -> str:
    if not isinstance(key, str) or not SCOPE_KEY.fullmatch(key):
        raise ScopeRefused(f"scope key {key!r} must match {SCOPE_KEY.pattern}")
    return key


def validate_opd(code: str) -> str:
    normalized = code.strip().upper() if isinstance(code, str) else ""
    if not OPD_CODE.fullmatch(normalized):
        raise ScopeRefused(f"OPD code {code!r} must match {OPD_CODE.pattern}")
    return normalized


def validate_scope(config: ScopeConfig, allowlist: Sequence[Network]) -> ValidatedScope:
    """Parse every value into a typed object; raise ScopeRefused with a clear reason otherwise."""
    key = validate_key(config.key)
    networks = tuple(
        check_allowed(parse_network(text, f"scope {key!r}: range"), allowlist)
        for text in config.ranges
    )
    exclude = tuple(parse_network(text, f"scope {key!r}: exclusion") for text in config.exclude)
    return ValidatedScope(
        key=key,
        opd=validate_opd(config.opd),
        networks=networks,
        exclude=exclude,
        profile=_parse_profile(config),
        schedule=_parse_schedule(config),
        ports=tuple(_parse_port(item) for item in config.ports),
    )


def unknown_opd(items: Sequence[Owned], known: Collection[str], noun: str) -> list[str]:
    """A reason for every scope (or probe: `noun`) whose OPD code the catalogue lacks."""
    return [
        f"{noun} {s.key!r}: OPD {s.opd!r} is not in the inventory's catalogue{_hint(s.opd, known)}"
        for s in items
        if s.opd not in known
    ]


def refuse_unknown_opd(scopes: list[ValidatedScope], known: Collection[str]) -> None:
    """ScopeRefused naming every scope whose OPD code the catalogue lacks."""
    problems = unknown_opd(scopes, known, "scope")
    if problems:
        raise ScopeRefused("; ".join(problems))


def _hint(code: str, known: Collection[str]) -> str:
    close = get_close_matches(code, list(known), n=2, cutoff=0.75)
    return f" (did you mean {' or '.join(close)}?)" if close else ""
