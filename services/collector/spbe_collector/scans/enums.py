"""Closed vocabularies of scanning."""

from enum import StrEnum


class ProfileName(StrEnum):
    DISCOVERY = "discovery"
    COMMON_PORTS = "common-ports"
    SERVICE_VERSION = "service-version"


class Stage(StrEnum):
    """Scans run in stages: find live hosts, then their open ports, then what serves them."""

    DISCOVERY = "discovery"
    PORTS = "ports"
    VERSIONS = "versions"


class ChunkOutcome(StrEnum):
    OK = "ok"
    TIMED_OUT = "timed_out"
    FAILED = "failed"
