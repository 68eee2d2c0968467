"""RawProbe to ApplicationObserved. Pure."""

from __future__ import annotations

import html
import re
import ssl
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from spbe_common.events.payloads import ApplicationObserved, TlsCertificate

from .enums import ProbeError, ProbeOutcome
from .schemas import RawProbe

_OUTCOME_OF_ERROR = {
    ProbeError.TIMEOUT: ProbeOutcome.TIMEOUT,
    ProbeError.TLS: ProbeOutcome.TLS_ERROR,
    ProbeError.CONNECT: ProbeOutcome.REFUSED,
    ProbeError.TOO_MANY_REDIRECTS: ProbeOutcome.TOO_MANY_REDIRECTS,
    ProbeError.PROTOCOL: ProbeOutcome.PROTOCOL_ERROR,
}

_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"\s+")


def page_title(body: str) -> str | None:
    match = _TITLE.search(body)
    if not match:
        return None
    title = _SPACES.sub(" ", html.unescape(match.group(1))).strip()
    return title[:500] or None


def _distinguished_name(rdns: Iterable[Iterable[tuple[str, str]]]) -> str:
    short = {"commonName": "CN", "organizationName": "O", "countryName": "C"}
    parts = [f"{short.get(k, k)}={v}" for rdn in rdns for k, v in rdn]
    return ", ".join(parts)


def certificate(cert: dict[str, Any] | None) -> TlsCertificate | None:
    if not cert or "notAfter" not in cert:
        return None
    not_after = datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), UTC)
    return TlsCertificate(
        subject=_distinguished_name(cert.get("subject", ())),
        issuer=_distinguished_name(cert.get("issuer", ())),
        not_after=not_after,
    )


def transform(raw: RawProbe) -> ApplicationObserved:
    reachable = raw.status_code is not None
    server = raw.headers.get("server")
    return ApplicationObserved(
        url=raw.url,  # pydantic parses the URL
        reachable=reachable,
        status_code=raw.status_code,
        response_ms=raw.elapsed_ms,
        final_url=raw.final_url if reachable else None,
        redirects=raw.redirects,
        tls=certificate(raw.cert),
        server=server[:200] if server else None,
        title=page_title(raw.body) if reachable else None,
        error=f"{raw.error_kind}: {raw.error}"[:500] if raw.error_kind else None,
    )


def outcome(raw: RawProbe) -> ProbeOutcome:
    """What the metrics count a probe as."""
    if raw.error_kind is not None:
        return _OUTCOME_OF_ERROR[raw.error_kind]
    if raw.status_code is None:
        return ProbeOutcome.PROTOCOL_ERROR
    return ProbeOutcome.OK if raw.status_code < 400 else ProbeOutcome.HTTP_ERROR


def seconds_left(tls: TlsCertificate | None, now: datetime) -> float | None:
    """Seconds until the certificate's notAfter (negative once expired); None without TLS."""
    return None if tls is None else (tls.not_after - now).total_seconds()
