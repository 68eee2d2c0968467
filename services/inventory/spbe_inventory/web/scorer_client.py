"""The scorer API as the Penilaian pages read it: httpx on the server, short timeouts, and the
signed-in person's own credential (their bearer token, else their `spbe_session` cookie), never
a service token, so the scorer applies that person's role. Reading only: the scorer takes a
cookie on GET alone (it cannot check the CSRF token)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx
from fastapi import Request

from spbe_inventory.api.security import SESSION_COOKIE

CONNECT_TIMEOUT_S = 2.0  # a scorer that is down is known at once
READ_TIMEOUT_S = 10.0  # a run's detail or workbook is built in well under a second
_lock = threading.Lock()


class ScorerUnavailable(RuntimeError):
    """The scorer did not answer: down, too slow, or an answer that is not one."""


class ScorerRefused(RuntimeError):
    """The scorer answered with an error status the page shows (401, 403, 404, 422)."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(f"scorer answered {status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


@dataclass(frozen=True)
class Workbook:
    filename: str
    media_type: str
    chunks: Iterator[bytes]
    close: Any  # called once the chunks were sent (or the send failed)


def _http(request: Request) -> httpx.Client:
    """One pooled client per app, made on first use (nothing connects at start-up); it keeps
    no cookies, so one person's answer can never reach another's request."""
    state = request.app.state
    with _lock:
        client: httpx.Client | None = getattr(state, "scorer_http", None)
        if client is None:
            client = httpx.Client(
                base_url=state.settings.scorer_url,
                timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
                cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
                follow_redirects=False,
            )
            state.scorer_http = client
    return client


def credential_headers(request: Request) -> dict[str, str]:
    """The caller's own credential, as the inventory accepted it."""
    header = request.headers.get("authorization")
    if header:
        return {"Authorization": header}
    secret = request.cookies.get(SESSION_COOKIE)
    return {"Cookie": f"{SESSION_COOKIE}={secret}"} if secret else {}


class ScorerClient:
    def __init__(self, http: httpx.Client, headers: dict[str, str]) -> None:
        self.http = http
        self.headers = headers

    @classmethod
    def of(cls, request: Request) -> ScorerClient:
        return cls(_http(request), credential_headers(request))

    def get(self, path: str, **params: Any) -> Any:
        """The JSON answer of a GET; ScorerRefused / ScorerUnavailable otherwise."""
        query = {k: v for k, v in params.items() if v is not None}
        response = self._send("GET", path, query, stream=False)
        try:
            return response.json()
        except ValueError:
            raise ScorerUnavailable(f"{path}: the answer is not JSON") from None

    def workbook(self, run_id: str) -> Workbook:
        """The run's XLSX export, streamed through as the scorer sends it."""
        response = self._send("GET", f"/api/v1/runs/{run_id}/export.xlsx", {}, stream=True)
        disposition = response.headers.get("content-disposition", "")
        filename = disposition.partition('filename="')[2].rstrip('"') or f"{run_id}.xlsx"
        media = response.headers.get("content-type", "application/octet-stream")
        return Workbook(filename, media, response.iter_bytes(), response.close)

    def _send(self, method: str, path: str, query: dict[str, Any], stream: bool) -> httpx.Response:
        request = self.http.build_request(method, path, params=query, headers=self.headers)
        try:
            response = self.http.send(request, stream=stream)
        except httpx.HTTPError as exc:
            raise ScorerUnavailable(f"{path}: {type(exc).__name__}") from None
        if response.status_code == 200:
            return response
        response.read()
        response.close()
        if response.status_code in (401, 403, 404, 422):
            raise ScorerRefused(response.status_code, _detail(response))
        raise ScorerUnavailable(f"{path}: the scorer answered {response.status_code}")


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, str) else str(detail)[:200]
