"""Who is calling and may they call this route: authentication and the central route policy.

Every route is listed in `POLICY` with the permission it needs; a route missing from it is
refused to everyone (fail closed) and the authorisation matrix test names it. Which records
within a permitted route a caller sees (its OPD scope) is applied by the repositories.

Credentials: `Authorization: Bearer <token>` (scripts, services) or the `spbe_session` cookie of
a sign-in (web pages); a change made with the cookie needs `X-CSRF-Token` (double submit of
the token the sign-in returned), so another site cannot make a signed-in browser change things.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TypeAlias

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from spbe_common.auth import Permission, Principal, digest, same
from spbe_common.db import begin_write
from spbe_inventory.accounts import repository as accounts_repo
from spbe_inventory.accounts import service as accounts
from spbe_inventory.db import commit_watch, utcnow

log = logging.getLogger(__name__)
SESSION_COOKIE = "spbe_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"  # the same token in a web form
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOUCH_EVERY = timedelta(minutes=1)  # last use of a token is written at most this often
# A verified token is remembered (by its SHA-256, never itself) until anything is committed to
# the database (a revocation, an expiry changed, an account disabled: at once) and at most this
# long (a token that reaches its expiry date in a database nobody writes to: within it).
TOKEN_MEMO_S = 5.0

P = Permission
PUBLIC: None = None  # no credentials needed
SIGNED_IN = "signed-in"  # any account
Need: TypeAlias = Permission | str | None
POLICY: dict[tuple[str, str], Need] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/openapi.json"): SIGNED_IN,  # outside development only; public in development
    ("GET", "/docs"): SIGNED_IN,
    ("GET", "/redoc"): SIGNED_IN,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("GET", "/api/v1/auth/me"): SIGNED_IN,
    ("GET", "/api/v1/accounts"): P.ACCOUNTS,
    ("GET", "/api/v1/opd"): P.OPD_READ,
    ("POST", "/api/v1/opd"): P.OPD_MANAGE,
    ("GET", "/api/v1/opd/{code}"): P.OPD_READ,
    ("PATCH", "/api/v1/opd/{code}"): P.OPD_MANAGE,
    ("GET", "/api/v1/opd/{code}/history"): P.CATALOGUE_READ,
    ("GET", "/api/v1/assets"): P.CATALOGUE_READ,
    ("POST", "/api/v1/assets"): P.CATALOGUE_WRITE,
    ("GET", "/api/v1/assets/{asset_id}"): P.CATALOGUE_READ,
    ("PATCH", "/api/v1/assets/{asset_id}"): P.CATALOGUE_WRITE,
    ("GET", "/api/v1/assets/{asset_id}/history"): P.CATALOGUE_READ,
    ("GET", "/api/v1/services"): P.CATALOGUE_READ,
    ("GET", "/api/v1/applications"): P.CATALOGUE_READ,
    ("POST", "/api/v1/applications"): P.CATALOGUE_WRITE,
    ("GET", "/api/v1/applications/{app_id}"): P.CATALOGUE_READ,
    ("PATCH", "/api/v1/applications/{app_id}"): P.CATALOGUE_WRITE,
    ("GET", "/api/v1/applications/{app_id}/history"): P.CATALOGUE_READ,
    ("GET", "/api/v1/facilities"): P.CATALOGUE_READ,
    ("POST", "/api/v1/facilities"): P.CATALOGUE_WRITE,
    ("GET", "/api/v1/facilities/{facility_id}"): P.CATALOGUE_READ,
    ("PATCH", "/api/v1/facilities/{facility_id}"): P.CATALOGUE_WRITE,
    ("GET", "/api/v1/facilities/{facility_id}/history"): P.CATALOGUE_READ,
    ("GET", "/api/v1/network-links"): P.CATALOGUE_READ,
    ("POST", "/api/v1/network-links"): P.CATALOGUE_WRITE,
    ("GET", "/api/v1/network-links/{link_id}"): P.CATALOGUE_READ,
    ("PATCH", "/api/v1/network-links/{link_id}"): P.CATALOGUE_WRITE,
    ("GET", "/api/v1/network-links/{link_id}/history"): P.CATALOGUE_READ,
    ("GET", "/api/v1/scans"): P.CATALOGUE_READ,
    ("GET", "/api/v1/rejected-events"): P.REJECTED_READ,
    ("GET", "/api/v1/catalogue/snapshot"): P.SNAPSHOT_READ,
    ("GET", "/api/v1/review"): P.CATALOGUE_READ,
    ("GET", "/api/v1/review/counts"): P.CATALOGUE_READ,
    ("POST", "/api/v1/review/{discovery_id}/accept"): P.CATALOGUE_WRITE,
    ("POST", "/api/v1/review/{discovery_id}/merge"): P.CATALOGUE_WRITE,
    ("POST", "/api/v1/review/{discovery_id}/ignore"): P.CATALOGUE_WRITE,
    ("POST", "/api/v1/review/{merged_id}/unmerge"): P.CATALOGUE_WRITE,
    ("GET", "/api/v1/evaluation/profile/history"): P.EVALUATION_READ,
    ("GET", "/api/v1/evaluation/profile"): P.EVALUATION_READ,
    ("PUT", "/api/v1/evaluation/profile"): P.EVALUATION_WRITE,
}
# Web pages (Bahasa Indonesia). A page a role may not open is also left out of its menu.
POLICY.update(
    {
        ("GET", "/"): PUBLIC,  # a redirect: to /beranda or /masuk
        ("GET", "/login"): PUBLIC,
        ("GET", "/dashboard"): PUBLIC,
        ("GET", "/masuk"): PUBLIC,
        ("POST", "/masuk"): PUBLIC,
        ("POST", "/keluar"): SIGNED_IN,
        ("GET", "/beranda"): SIGNED_IN,  # each panel shows what the role may read
        ("GET", "/katalog/aset"): P.CATALOGUE_READ,
        ("GET", "/katalog/aset/ekspor"): P.CATALOGUE_READ,
        ("GET", "/katalog/aset/baru"): P.CATALOGUE_WRITE,
        ("POST", "/katalog/aset/baru"): P.CATALOGUE_WRITE,
        ("GET", "/katalog/aset/{asset_id}"): P.CATALOGUE_READ,
        ("GET", "/katalog/aset/{asset_id}/ubah"): P.CATALOGUE_WRITE,
        ("POST", "/katalog/aset/{asset_id}/ubah"): P.CATALOGUE_WRITE,
        ("GET", "/katalog/layanan"): P.CATALOGUE_READ,
        ("GET", "/katalog/layanan/ekspor"): P.CATALOGUE_READ,
        ("GET", "/katalog/aplikasi"): P.CATALOGUE_READ,
        ("GET", "/katalog/aplikasi/ekspor"): P.CATALOGUE_READ,
        ("GET", "/katalog/aplikasi/baru"): P.CATALOGUE_WRITE,
        ("POST", "/katalog/aplikasi/baru"): P.CATALOGUE_WRITE,
        ("GET", "/katalog/aplikasi/{app_id}"): P.CATALOGUE_READ,
        ("GET", "/katalog/aplikasi/{app_id}/ubah"): P.CATALOGUE_WRITE,
        ("POST", "/katalog/aplikasi/{app_id}/ubah"): P.CATALOGUE_WRITE,
        ("GET", "/katalog/opd"): P.OPD_READ,
        ("GET", "/katalog/opd/ekspor"): P.OPD_READ,
        ("GET", "/katalog/opd/{code}"): P.OPD_READ,
        ("GET", "/katalog/fasilitas"): P.CATALOGUE_READ,
        ("GET", "/katalog/fasilitas/ekspor"): P.CATALOGUE_READ,
        ("GET", "/katalog/fasilitas/baru"): P.CATALOGUE_WRITE,
        ("POST", "/katalog/fasilitas/baru"): P.CATALOGUE_WRITE,
        ("GET", "/katalog/fasilitas/{facility_id}"): P.CATALOGUE_READ,
        ("GET", "/katalog/fasilitas/{facility_id}/ubah"): P.CATALOGUE_WRITE,
        ("POST", "/katalog/fasilitas/{facility_id}/ubah"): P.CATALOGUE_WRITE,
        ("GET", "/katalog/jaringan"): P.CATALOGUE_READ,
        ("GET", "/katalog/jaringan/ekspor"): P.CATALOGUE_READ,
        ("GET", "/katalog/jaringan/baru"): P.CATALOGUE_WRITE,
        ("POST", "/katalog/jaringan/baru"): P.CATALOGUE_WRITE,
        ("GET", "/katalog/jaringan/{link_id}"): P.CATALOGUE_READ,
        ("GET", "/katalog/jaringan/{link_id}/ubah"): P.CATALOGUE_WRITE,
        ("POST", "/katalog/jaringan/{link_id}/ubah"): P.CATALOGUE_WRITE,
        ("GET", "/impor"): P.CATALOGUE_WRITE,
        ("POST", "/impor"): P.CATALOGUE_WRITE,
        ("GET", "/impor/{import_id}"): P.CATALOGUE_WRITE,
        ("POST", "/impor/{import_id}/simpan"): P.CATALOGUE_WRITE,
        ("GET", "/pemindaian"): P.CATALOGUE_READ,
        ("POST", "/pemindaian/mulai"): P.CATALOGUE_WRITE,
        ("GET", "/pemindaian/{scan_id}"): P.CATALOGUE_READ,
        ("GET", "/penilaian"): P.SCORES_READ,
        ("GET", "/penilaian/ringkasan"): P.SCORES_READ,  # the dashboard panel (htmx fragment)
        ("GET", "/penilaian/banding"): P.SCORES_READ,
        ("GET", "/penilaian/{run_id}"): P.SCORES_READ,
        ("GET", "/penilaian/{run_id}/unduh"): P.SCORES_READ,
        ("GET", "/kejadian-ditolak"): P.REJECTED_READ,
        ("GET", "/pengaturan/akun"): P.ACCOUNTS,
        ("GET", "/pengaturan/akun/baru"): P.ACCOUNTS,
        ("POST", "/pengaturan/akun/baru"): P.ACCOUNTS,
        ("GET", "/pengaturan/akun/{name}"): P.ACCOUNTS,
        ("POST", "/pengaturan/akun/{name}/nonaktifkan"): P.ACCOUNTS,
        ("POST", "/pengaturan/akun/{name}/aktifkan"): P.ACCOUNTS,
        ("POST", "/pengaturan/akun/{name}/reset-sandi"): P.ACCOUNTS,
        ("POST", "/pengaturan/akun/{name}/token"): P.ACCOUNTS,
        ("POST", "/pengaturan/akun/{name}/token/{token_id}/cabut"): P.ACCOUNTS,
        ("GET", "/tinjauan"): P.CATALOGUE_READ,
        ("POST", "/tinjauan/{discovery_id}/terima"): P.CATALOGUE_WRITE,
        ("POST", "/tinjauan/{discovery_id}/gabungkan"): P.CATALOGUE_WRITE,
        ("POST", "/tinjauan/{discovery_id}/abaikan"): P.CATALOGUE_WRITE,
        ("POST", "/tinjauan/{merged_id}/batalkan-penggabungan"): P.CATALOGUE_WRITE,
        # The evaluation workspace (pages over the scorer's API, which checks again per
        # worksheet whether it is the caller's to fill in or to review).
        ("GET", "/evaluasi"): P.WORKSHEETS_READ,
        ("POST", "/evaluasi"): P.PERIODS_MANAGE,
        ("GET", "/evaluasi/banding"): P.WORKSHEETS_READ,
        ("GET", "/evaluasi/dokumen/{document_id}"): P.EVIDENCE_READ,
        ("POST", "/evaluasi/dokumen/{document_id}/hapus"): P.SCORES_WRITE,
        ("GET", "/evaluasi/{period_id}"): P.WORKSHEETS_READ,
        ("POST", "/evaluasi/{period_id}/usulan"): P.SCORES_WRITE,
        ("POST", "/evaluasi/{period_id}/kelola"): P.PERIODS_MANAGE,
        ("GET", "/evaluasi/{period_id}/opd/{code}"): P.WORKSHEETS_READ,
        ("GET", "/evaluasi/{period_id}/tinjauan"): P.WORKSHEETS_READ,
        ("GET", "/evaluasi/{period_id}/unduh"): P.WORKSHEETS_READ,
        ("GET", "/evaluasi/{period_id}/asesor"): P.PERIODS_MANAGE,
        ("POST", "/evaluasi/{period_id}/asesor"): P.PERIODS_MANAGE,
        ("GET", "/evaluasi/{period_id}/indikator/{indicator}"): P.WORKSHEETS_READ,
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}"): P.SCORES_WRITE,
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/terima"): P.SCORES_WRITE,
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/ajukan"): P.SCORES_WRITE,
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/verifikasi"): P.SCORES_WRITE,
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/kembalikan"): P.SCORES_WRITE,
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/penugasan"): P.PERIODS_MANAGE,
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/asesor"): P.PERIODS_MANAGE,
        ("POST", "/evaluasi/{period_id}/indikator/{indicator}/dokumen"): P.SCORES_WRITE,
    }
)
# The evaluation records all follow one pattern: readers read, evaluators change.
for _path in (
    "/api/v1/evaluation/audits",
    "/api/v1/evaluation/reviews",
    "/api/v1/evaluation/service-buses",
    "/api/v1/evaluation/facility-uses",
    "/api/v1/evaluation/application-practices",
):
    POLICY[("GET", _path)] = P.EVALUATION_READ
    POLICY[("POST", _path)] = P.EVALUATION_WRITE
    for _key in ("{audit_id}", "{review_id}", "{bus_id}", "{use_id}", "{app_id}"):
        _item = f"{_path}/{_key}"
        POLICY[("GET", _item)] = P.EVALUATION_READ
        POLICY[("GET", f"{_item}/history")] = P.EVALUATION_READ
        for _method in ("PATCH", "PUT", "DELETE"):
            POLICY[(_method, _item)] = P.EVALUATION_WRITE


def route_need(request: Request) -> Need | bool:
    """The permission the matched route needs; False when the route has no policy."""
    path = getattr(request.scope.get("route"), "path", None)
    if path is None:  # no route matched: the URL is built only then
        path = request.url.path
    return POLICY.get((request.method, path), False)


async def authenticate(request: Request) -> Principal | None:
    """The caller from a bearer token or a session cookie (None: no credentials given).
    401 for credentials that do not (or no longer) hold; 403 for a cookie change without CSRF."""
    engine: Engine = request.app.state.engine
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorised("use Authorization: Bearer <token>")
        return await _from_token(engine, token.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is None:
        return None
    with engine.connect() as conn:
        principal = accounts.principal_of_session(conn, cookie)
    if principal is None:
        raise _unauthorised("the session has ended; sign in again")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER) or await _form_csrf(request)
        if not (principal.csrf and same(sent, principal.csrf)):
            raise HTTPException(403, "missing or wrong X-CSRF-Token for a change made by cookie")
    return principal


async def _form_csrf(request: Request) -> str:
    """A web page's form sends the CSRF token as its `csrf_token` field (a plain HTML form cannot
    set a header); Starlette keeps the parsed form for the handler."""
    kind = request.headers.get("content-type", "")
    if not kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return ""
    value = (await request.form()).get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


async def _from_token(engine: Engine, token: str) -> Principal:
    watch = commit_watch(engine)  # None on PostgreSQL: every request checks the token
    key = ("token", digest(token))
    mark = watch.mark() if watch is not None else 0
    found = watch.recall(key, mark, TOKEN_MEMO_S) if watch is not None else None
    if found is None:
        with engine.connect() as conn:
            found = accounts.principal_of_token(conn, token)
        if found is None:
            raise _unauthorised("the token is unknown, expired or revoked")
        if watch is not None and watch.mark() == mark:
            watch.remember(key, mark, found)  # nothing was committed while it was checked
    principal, token_id, last_used = found
    now = utcnow()
    if last_used is None or now - last_used > TOUCH_EVERY:
        await run_in_threadpool(_touch, engine, token_id)
    return principal


def _touch(engine: Engine, token_id: str) -> None:
    try:
        with begin_write(engine) as conn:
            accounts_repo.touch_token(conn, token_id, utcnow())
    except Exception:  # bookkeeping only: never fail a request for it
        log.warning("could not record the last use of token %s", token_id, exc_info=True)


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(401, message, {"WWW-Authenticate": "Bearer"})


async def authorize(request: Request) -> None:
    """Router dependency of every route: authenticate, then check the route's permission."""
    need = route_need(request)
    principal = await authenticate(request)
    request.state.principal = principal
    if need is PUBLIC:
        return
    if principal is None:
        raise _unauthorised("sign in first")
    if need is False:
        raise HTTPException(403, "this route has no access policy")
    if isinstance(need, Permission) and not principal.can(need):
        raise HTTPException(403, f"the {principal.role.value} role may not do this")
