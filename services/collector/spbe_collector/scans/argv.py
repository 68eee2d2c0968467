"""The exact nmap argv: fixed profile options plus targets rendered from ipaddress objects. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from ..scopes.schemas import PortRange
from .chunks import Target
from .enums import Stage
from .profiles import STAGE_OPTIONS, common_options, default_ports

_TARGET_TYPES = (IPv4Network, IPv6Network, IPv4Address, IPv6Address)


class UnsafeArgument(ValueError):
    """Something other than a parsed address, network or port number reached the argv builder."""


def _render_target(target: Target) -> str:
    if not isinstance(target, _TARGET_TYPES):
        raise UnsafeArgument(f"target {target!r} is not an ipaddress object")
    return str(target)


def render_ports(ports: Sequence[PortRange]) -> str:
    parts: list[str] = []
    for low, high in ports:
        if type(low) is not int or type(high) is not int or not 1 <= low <= high <= 65535:
            raise UnsafeArgument(f"port range {(low, high)!r} is invalid")
        parts.append(str(low) if low == high else f"{low}-{high}")
    return ",".join(parts)


def _port_options(stage: Stage, ports: Sequence[PortRange]) -> tuple[str, ...]:
    if stage is Stage.DISCOVERY:
        return ()
    return ("-p", render_ports(ports)) if ports else default_ports()


def build_argv(
    nmap_path: str,
    stage: Stage,
    targets: Sequence[Target],
    *,
    privileged: bool,
    ports: Sequence[PortRange] = (),
) -> list[str]:
    """nmap, the stage's fixed options, XML to stdout, then the targets."""
    if not targets:
        raise UnsafeArgument("no targets")
    rendered = [_render_target(target) for target in targets]
    options = STAGE_OPTIONS[Stage(stage)]
    family = ("-6",) if targets[0].version == 6 else ()
    return [
        nmap_path,
        *options.options(privileged),
        *common_options(),
        "--host-timeout",
        options.host_timeout,
        "--max-rate",
        str(options.max_rate),
        *_port_options(stage, ports),
        *family,
        "--noninteractive",
        "-oX",
        "-",
        *rendered,
    ]
