"""The raw result of one HTTP probe: everything transform() needs, serialisable for recordings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .enums import ProbeError


@dataclass(frozen=True, slots=True)
class RawProbe:
    url: str
    status_code: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    elapsed_ms: float | None = None
    redirects: int = 0
    final_url: str | None = None
    cert: dict[str, Any] | None = None  # ssl.SSLSocket.getpeercert() of the final connection
    error_kind: ProbeError | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RawProbe:
        kind = data.get("error_kind")
        return cls(**{**data, "error_kind": ProbeError(kind) if kind else None})
