"""The scorer as a client of the inventory API (httpx, injectable transport): the catalogue
snapshot, read with the scorer's own service token (SPBE_INVENTORY_TOKEN), and who a caller's
bearer token or web session belongs to (`GET /api/v1/auth/me`, asked with the caller's own
credential: a GET; for a change made with a web session the scorer also sends the session's
CSRF token, which the inventory checks)."""

from __future__ import annotations

import hashlib

import httpx
import orjson
from pydantic import BaseModel, ValidationError

from spbe_common.auth import Principal, Role
from spbe_scorer.catalogue import CatalogueSnapshot
from spbe_scorer.settings import ScorerSettings

SNAPSHOT_PATH = "/api/v1/catalogue/snapshot"
SUMMARY = {"applications": "summary"}  # applications counted by the inventory, not listed
ME_PATH = "/api/v1/auth/me"
SESSION_COOKIE = "spbe_session"  # the inventory's sign-in cookie of the web pages
CONNECT_TIMEOUT_S = 5.0  # an inventory that is down is known soon; a big snapshot may take long


class InventoryError(RuntimeError):
    """The inventory API did not answer with a valid catalogue snapshot."""


class InventoryUnavailable(RuntimeError):
    """The inventory could not say who a token belongs to (unreachable, or not a valid answer)."""


class CsrfRefused(RuntimeError):
    """The inventory says the CSRF token sent with a web session is not that session's."""


class _Me(BaseModel):
    name: str
    role: Role
    opd_codes: list[str] | None
    member_of: list[str] = []


def make_inventory_client(
    settings: ScorerSettings, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """A client on `settings.inventory_url` that sends the scorer's service token; tests pass a
    transport (or a TestClient instead)."""
    token = settings.inventory_token.get_secret_value() if settings.inventory_token else None
    return httpx.Client(
        base_url=settings.inventory_url,
        transport=transport,
        timeout=httpx.Timeout(
            settings.inventory_timeout_s,
            connect=min(CONNECT_TIMEOUT_S, settings.inventory_timeout_s),
        ),
        headers={"Authorization": f"Bearer {token}"} if token else None,
    )


def principal_of_token(client: httpx.Client, token: str) -> Principal | None:
    """Who `token` belongs to, as the inventory says; None when it does not (or no longer) hold.
    The caller's token replaces the service token for this one request."""
    return _principal_of(client, {"Authorization": f"Bearer {token}"})


def principal_of_session(
    client: httpx.Client, secret: str, csrf: str | None = None
) -> Principal | None:
    """Who the web session `secret` (the `spbe_session` cookie) belongs to; None when it has
    ended. Sent without the service token: a bearer token would win over the cookie. With
    `csrf` (a change), the inventory also checks it is the session's CSRF token (CsrfRefused)."""
    headers = {"Cookie": f"{SESSION_COOKIE}={secret}"}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    return _principal_of(client, headers, drop_bearer=True)


def _principal_of(
    client: httpx.Client, headers: dict[str, str], *, drop_bearer: bool = False
) -> Principal | None:
    request = client.build_request("GET", ME_PATH, headers=headers)
    if drop_bearer:
        request.headers.pop("Authorization", None)
    try:
        response = client.send(request)
    except httpx.HTTPError as exc:
        raise InventoryUnavailable(f"inventory API unreachable: {type(exc).__name__}") from None
    if response.status_code == 401:
        return None
    if response.status_code == 403 and "X-CSRF-Token" in headers:
        raise CsrfRefused("the CSRF token is not this session's")
    if response.status_code != 200:
        raise InventoryUnavailable(f"inventory API answered {response.status_code} to {ME_PATH}")
    try:
        me = _Me.model_validate_json(response.content)
    except ValidationError:
        raise InventoryUnavailable(f"inventory API: no valid answer to {ME_PATH}") from None
    codes = None if me.opd_codes is None else frozenset(me.opd_codes)
    return Principal(me.name, me.role, codes, member_of=frozenset(me.member_of))


def snapshot_hash(snapshot: CatalogueSnapshot) -> str:
    """The same catalogue hashes the same whenever it was taken (taken_at is left out)."""
    content = snapshot.model_dump(mode="json", exclude={"taken_at"})
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def fetch_snapshot(client: httpx.Client) -> CatalogueSnapshot:
    try:
        response = client.get(SNAPSHOT_PATH, params=SUMMARY)
    except httpx.HTTPError as exc:
        raise InventoryError(f"inventory API at {client.base_url} unreachable: {exc}") from exc
    if response.status_code in (401, 403):
        raise InventoryError(
            f"inventory API answered {response.status_code} to {SNAPSHOT_PATH}: set"
            " SPBE_INVENTORY_TOKEN to a valid token of a service account with the scorer role"
        )
    if response.status_code != 200:
        raise InventoryError(
            f"inventory API answered {response.status_code} to {SNAPSHOT_PATH}: "
            f"{response.text[:200]}"
        )
    try:
        return CatalogueSnapshot.model_validate_json(response.content)
    except ValidationError as exc:
        raise InventoryError(f"the catalogue snapshot is not valid: {exc}") from exc
