"""The scorer API as the Penilaian and Evaluasi pages call it: httpx on the server, short timeouts,
and the signed-in person's own credential (their bearer token, else their `spbe_session` cookie),
never a service token, so the scorer applies that person's role. A change made with the cookie
also sends the person's CSRF token (`X-CSRF-Token`), which the scorer asks the inventory to
confirm."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import IO, Any
from urllib.parse import unquote

import httpx
from fastapi import Request

from spbe_common.auth import Principal
from spbe_inventory.api.security import SESSION_COOKIE

CONNECT_TIMEOUT_S = 2.0  # a scorer that is down is known at once
READ_TIMEOUT_S = 10.0  # a run's detail or workbook is built in well under a second
_lock = threading.Lock()


class ScorerUnavailable(RuntimeError):
    """The scorer did not answer: down, too slow, or an answer that is not one."""


REFUSALS = frozenset({401, 403, 404, 409, 412, 413, 415, 422})
CSRF_HEADER = "X-CSRF-Token"


class ScorerRefused(RuntimeError):
    """The scorer answered with an error status the page shows (see REFUSALS)."""

    def __init__(self, status_code: int, detail: str, body: Any = None) -> None:
        super().__init__(f"scorer answered {status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail
        self.body = body  # the whole JSON answer (a refused import lists its rows)


@dataclass(frozen=True)
class Download:
    """A file answered by the scorer, passed through chunk by chunk."""

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


def change_headers(request: Request) -> dict[str, str]:
    """The credential of a change: a session cookie goes with the session's CSRF token."""
    headers = credential_headers(request)
    principal: Principal | None = getattr(request.state, "principal", None)
    if "Cookie" in headers and principal is not None and principal.csrf:
        headers[CSRF_HEADER] = principal.csrf
    return headers


class ScorerClient:
    def __init__(
        self, http: httpx.Client, headers: dict[str, str], changes: dict[str, str] | None = None
    ) -> None:
        self.http = http
        self.headers = headers
        self.changes = changes if changes is not None else headers

    @classmethod
    def of(cls, request: Request) -> ScorerClient:
        return cls(_http(request), credential_headers(request), change_headers(request))

    def get(self, path: str, **params: Any) -> Any:
        """The JSON answer of a GET; ScorerRefused / ScorerUnavailable otherwise."""
        query = {k: v for k, v in params.items() if v is not None}
        response = self._send("GET", path, query, stream=False)
        try:
            return response.json()
        except ValueError:
            raise ScorerUnavailable(f"{path}: the answer is not JSON") from None

    def get_versioned(self, path: str) -> tuple[Any, str | None]:
        """The JSON answer of a GET and its ETag (the version a later change names)."""
        response = self._send("GET", path, {}, stream=False)
        try:
            return response.json(), response.headers.get("etag")
        except ValueError:
            raise ScorerUnavailable(f"{path}: the answer is not JSON") from None

    def workbook(self, run_id: str) -> Download:
        """The run's XLSX export, streamed through as the scorer sends it."""
        return self.download(f"/api/v1/runs/{run_id}/export.xlsx", f"{run_id}.xlsx")

    def download(self, path: str, fallback_name: str) -> Download:
        """A file of the scorer (an export, a document), streamed through as it is sent."""
        response = self._send("GET", path, {}, stream=True)
        filename = _filename(response.headers.get("content-disposition", "")) or fallback_name
        media = response.headers.get("content-type", "application/octet-stream")
        return Download(filename, media, response.iter_bytes(), response.close)

    # --- changes: the cookie goes with the CSRF token ------------------------------------------
    def post(self, path: str, body: Any = None, **params: Any) -> Any:
        return self._change("POST", path, body, params)

    def patch(self, path: str, body: Any, if_match: str | None = None) -> Any:
        """`if_match`: the ETag the person's form was made from (412 when it changed since)."""
        extra = {"If-Match": if_match} if if_match else {}
        return self._change("PATCH", path, body, {}, extra)

    def put(self, path: str, body: Any) -> Any:
        return self._change("PUT", path, body, {})

    def delete(self, path: str) -> Any:
        return self._change("DELETE", path, None, {})

    def upload(
        self,
        path: str,
        file: tuple[str, IO[bytes], str],
        fields: dict[str, str | list[str]] | None = None,
        **params: Any,
    ) -> Any:
        """A multipart POST: `file` is (filename, a readable file, media type), read in chunks
        as it is sent (the page's upload is never held whole in memory here)."""
        query = {k: v for k, v in params.items() if v is not None}
        request = self.http.build_request(
            "POST", path, params=query, headers=self.changes, files={"file": file},
            data=fields or {},
        )  # fmt: skip
        return _json_or_none(self._deliver(request, path, stream=False))

    def _change(
        self,
        method: str,
        path: str,
        body: Any,
        params: dict[str, Any],
        extra: dict[str, str] | None = None,
    ) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        headers = {**self.changes, **(extra or {})}
        request = self.http.build_request(method, path, params=query, headers=headers, json=body)
        return _json_or_none(self._deliver(request, path, stream=False))

    def _send(self, method: str, path: str, query: dict[str, Any], stream: bool) -> httpx.Response:
        request = self.http.build_request(method, path, params=query, headers=self.headers)
        return self._deliver(request, path, stream)

    def _deliver(self, request: httpx.Request, path: str, stream: bool) -> httpx.Response:
        try:
            response = self.http.send(request, stream=stream)
        except httpx.HTTPError as exc:
            raise ScorerUnavailable(f"{path}: {type(exc).__name__}") from None
        if 200 <= response.status_code < 300:
            return response
        response.read()
        response.close()
        if response.status_code in REFUSALS:
            raise ScorerRefused(response.status_code, _detail(response), _body(response))
        raise ScorerUnavailable(f"{path}: the scorer answered {response.status_code}")


def _json_or_none(response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise ScorerUnavailable("the answer is not JSON") from None


def _filename(disposition: str) -> str:
    """The file name of a Content-Disposition (its UTF-8 form when given)."""
    encoded = disposition.partition("filename*=UTF-8''")[2].split(";")[0].strip()
    if encoded:
        return unquote(encoded)
    return disposition.partition('filename="')[2].partition('"')[0]


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list):  # a validation error: each item names its field
        return "; ".join(_item(d) for d in detail)[:500]
    return detail if isinstance(detail, str) else str(detail)[:200]


def _item(error: Any) -> str:
    if not isinstance(error, dict):
        return str(error)
    where = ".".join(str(p) for p in error.get("loc", ())[1:])
    return f"{where}: {error.get('msg', '')}" if where else str(error.get("msg", error))
