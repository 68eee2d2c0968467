"""Scopes as written in the config file, and as validated for scanning."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from spbe_common.events.payloads import ScanScope

from ..scans.enums import ProfileName
from ..schedules.schemas import Schedule

Network = IPv4Network | IPv6Network
PortRange = tuple[int, int]


class ScopeConfig(BaseModel):
    """One entry of the scopes file, not yet trusted: see scopes.service.validate_scope."""

    model_config = ConfigDict(extra="forbid")

    key: str
    opd: str
    ranges: list[str] = Field(min_length=1)
    exclude: list[str] = Field(default_factory=list)
    profile: str = ProfileName.DISCOVERY.value
    interval: str | None = None
    cron: str | None = None
    ports: list[StrictInt | StrictStr] = Field(default_factory=list)


class ProbeConfig(BaseModel):
    """One entry of the file's `probes:` list, not yet trusted: see scopes.probes.validate_probe."""

    model_config = ConfigDict(extra="forbid")

    key: str
    opd: str
    urls: list[StrictStr] = Field(min_length=1)
    interval: str | None = None
    cron: str | None = None


class ScopesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scopes: list[ScopeConfig] = Field(default_factory=list)
    probes: list[ProbeConfig] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ValidatedScope:
    """A scope whose every value was parsed into a typed object inside the allowlist."""

    key: str
    opd: str
    networks: tuple[Network, ...]
    exclude: tuple[Network, ...]
    profile: ProfileName
    schedule: Schedule | None
    ports: tuple[PortRange, ...]

    def payload(self) -> ScanScope:
        return ScanScope(
            key=self.key,
            opd=self.opd,
            ranges=[str(n) for n in self.networks],
            exclude=[str(n) for n in self.exclude],
        )


@dataclass(frozen=True, slots=True)
class ValidatedProbe:
    """Application URLs of one OPD to probe on a schedule; literal hosts inside the allowlist
    (host names are resolved and checked at each probe)."""

    key: str
    opd: str
    urls: tuple[str, ...]
    schedule: Schedule


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """Everything of one scopes file, validated as a whole."""

    scopes: list[ValidatedScope]
    probes: list[ValidatedProbe]
