"""Fetch one URL with an injectable httpx client (I/O). Failures come back as RawProbe errors."""

from __future__ import annotations

import ssl
import time
from typing import Any

import httpx

from .enums import ProbeError
from .schemas import RawProbe

BODY_LIMIT = 64 * 1024  # enough for <title>; never hold a whole download
MAX_REDIRECTS = 10
_KEPT_HEADERS = ("server", "content-type", "location")


def make_client(
    timeout_s: float,
    transport: httpx.BaseTransport | None = None,
    verify: ssl.SSLContext | bool = True,
) -> httpx.Client:
    return httpx.Client(
        timeout=timeout_s,
        verify=verify,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        transport=transport,
        headers={"User-Agent": "spbe-inventory-probe/0.1"},
    )


def _peer_cert(response: httpx.Response) -> dict[str, Any] | None:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    getpeercert = getattr(ssl_object, "getpeercert", None)  # SSLObject or the C-level socket
    if getpeercert is None:
        return None
    cert = getpeercert()
    return dict(cert) if cert else None


def _read_body(response: httpx.Response) -> str:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= BODY_LIMIT:
            break
    return b"".join(chunks)[:BODY_LIMIT].decode(response.encoding or "utf-8", "replace")


def _error(url: str, exc: Exception) -> RawProbe:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        kind = ProbeError.TIMEOUT
    elif isinstance(exc, httpx.TooManyRedirects):
        kind = ProbeError.TOO_MANY_REDIRECTS
    elif "CERTIFICATE_VERIFY_FAILED" in text or isinstance(exc.__context__, ssl.SSLError):
        kind = ProbeError.TLS
    elif isinstance(exc, httpx.ConnectError):
        kind = ProbeError.CONNECT
    else:
        kind = ProbeError.PROTOCOL
    return RawProbe(url=url, error_kind=kind, error=text[:500])


def fetch(client: httpx.Client, url: str) -> RawProbe:
    """GET `url` following redirects; the certificate is the one of the final connection."""
    start = time.perf_counter()
    try:
        with client.stream("GET", url) as response:
            cert = _peer_cert(response)
            body = _read_body(response)
            elapsed = (time.perf_counter() - start) * 1000
    except (httpx.HTTPError, httpx.InvalidURL, ssl.SSLError, OSError) as exc:
        return _error(url, exc)
    headers = {k: response.headers[k] for k in _KEPT_HEADERS if k in response.headers}
    return RawProbe(
        url=url,
        status_code=response.status_code,
        headers=headers,
        body=body,
        elapsed_ms=round(elapsed, 3),
        redirects=len(response.history),
        final_url=str(response.url),
        cert=cert,
    )
