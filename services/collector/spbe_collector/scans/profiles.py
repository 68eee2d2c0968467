"""The closed registry of scan profiles: fixed nmap option lists, never built from user text."""

from __future__ import annotations

from dataclasses import dataclass

from .enums import ProfileName, Stage

# Shared by every stage: no DNS, aggressive-but-sane timing, bounded per-host time.
_COMMON = ("-n", "-T4", "--max-retries", "2")
_TOP_PORTS = ("--top-ports", "100")


@dataclass(frozen=True, slots=True)
class StageOptions:
    unprivileged: tuple[str, ...]
    privileged: tuple[str, ...]
    host_timeout: str
    max_rate: int

    def options(self, privileged: bool) -> tuple[str, ...]:
        return self.privileged if privileged else self.unprivileged


# -sT needs no raw sockets; with root: SYN scan, ICMP/ARP discovery, OS detection.
# Later stages get hosts known to be up (-Pn); -O needs the open and closed ports of stage 2.
STAGE_OPTIONS: dict[Stage, StageOptions] = {
    Stage.DISCOVERY: StageOptions(
        unprivileged=("-sn",),
        privileged=("-sn", "-PE", "-PS22,80,443", "-PA80"),
        host_timeout="30s",
        max_rate=1000,
    ),
    Stage.PORTS: StageOptions(
        unprivileged=("-Pn", "-sT"),
        privileged=("-Pn", "-sS", "-O", "--osscan-limit"),
        host_timeout="120s",
        max_rate=1000,
    ),
    Stage.VERSIONS: StageOptions(
        unprivileged=("-Pn", "-sT", "-sV", "--version-intensity", "5"),
        privileged=("-Pn", "-sS", "-sV", "--version-intensity", "5"),
        host_timeout="300s",
        max_rate=200,
    ),
}


@dataclass(frozen=True, slots=True)
class Profile:
    name: ProfileName
    stages: tuple[Stage, ...]
    description: str


PROFILES: dict[ProfileName, Profile] = {
    ProfileName.DISCOVERY: Profile(
        ProfileName.DISCOVERY, (Stage.DISCOVERY,), "live hosts only (-sn)"
    ),
    ProfileName.COMMON_PORTS: Profile(
        ProfileName.COMMON_PORTS,
        (Stage.DISCOVERY, Stage.PORTS),
        "live hosts, then the 100 most common TCP ports (or the scope's ports)",
    ),
    ProfileName.SERVICE_VERSION: Profile(
        ProfileName.SERVICE_VERSION,
        (Stage.DISCOVERY, Stage.PORTS, Stage.VERSIONS),
        "live hosts, open ports, then product/version (-sV) on open ports only",
    ),
}


class UnknownProfile(ValueError):
    """A profile name outside the closed registry."""


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[ProfileName(name)]
    except ValueError:
        known = ", ".join(p.value for p in ProfileName)
        raise UnknownProfile(f"unknown scan profile {name!r}; known: {known}") from None


def common_options() -> tuple[str, ...]:
    return _COMMON


def default_ports() -> tuple[str, ...]:
    return _TOP_PORTS
