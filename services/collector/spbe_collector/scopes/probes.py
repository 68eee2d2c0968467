"""Validation of the scopes file's `probes:` list: application URLs probed on a schedule.

A literal address outside the scan allowlist is refused here; a host name is resolved and
checked at each probe (probes.service), since what it resolves to may change."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv6Address, ip_address

from pydantic import HttpUrl, TypeAdapter, ValidationError

from ..schedules.schemas import Cron, Interval, InvalidSchedule, Schedule
from .schemas import Network, ProbeConfig, ValidatedProbe
from .service import SCOPE_KEY, ScopeRefused, address_allowed, describe_allowlist, validate_opd

PROBE_MIN_INTERVAL_S = 5  # one GET per URL: the floor only stops a typo from hammering a server
Address = IPv4Address | IPv6Address
_URL = TypeAdapter(HttpUrl)


def literal_address(host: str | None) -> Address | None:
    """The address a URL's host spells (IPv6 in brackets), None for a host name."""
    try:
        return ip_address((host or "").strip("[]"))
    except ValueError:
        return None


def _parse_url(key: str, text: str, allowlist: Sequence[Network]) -> str:
    try:
        url = _URL.validate_python(text.strip())
    except ValidationError:
        raise ScopeRefused(f"probe {key!r}: url {text!r} is not an http(s) URL") from None
    if url.username or url.password:
        raise ScopeRefused(f"probe {key!r}: url {text!r} must not carry a user or password")
    address = literal_address(url.host)
    if address is not None and not address_allowed(address, allowlist):
        raise ScopeRefused(
            f"probe {key!r}: url {text!r}: {address} is outside the scan allowlist"
            f" ({describe_allowlist(allowlist)}); refused"
        )
    return str(url)


def _parse_schedule(config: ProbeConfig) -> Schedule:
    if config.interval and config.cron:
        raise ScopeRefused(f"probe {config.key!r}: give an interval or a cron, not both")
    try:
        if config.interval:
            return Interval.parse(config.interval, minimum_s=PROBE_MIN_INTERVAL_S)
        if config.cron:
            return Cron.parse(config.cron)
    except InvalidSchedule as exc:
        raise ScopeRefused(f"probe {config.key!r}: {exc}") from None
    raise ScopeRefused(f"probe {config.key!r}: give an interval (e.g. 15m) or a cron")


def validate_probe(config: ProbeConfig, allowlist: Sequence[Network]) -> ValidatedProbe:
    """Parse every value; raise ScopeRefused naming the probe and the reason otherwise."""
    if not SCOPE_KEY.fullmatch(config.key):
        raise ScopeRefused(f"probe key {config.key!r} must match {SCOPE_KEY.pattern}")
    urls = tuple(dict.fromkeys(_parse_url(config.key, text, allowlist) for text in config.urls))
    return ValidatedProbe(
        key=config.key,
        opd=validate_opd(config.opd),
        urls=urls,
        schedule=_parse_schedule(config),
    )
