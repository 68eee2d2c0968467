"""The scorer as a client of the inventory API (httpx, injectable transport): the catalogue
snapshot, read with the scorer's own service token (SPBE_INVENTORY_TOKEN), and who a caller's
bearer token or web session belongs to (`GET /api/v1/auth/me`, asked with the caller's own
credential: a GET; for a change made with a web session the scorer also sends the session's
CSRF token, which the inventory checks)."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

import httpx
import orjson
from pydantic import BaseModel, TypeAdapter, ValidationError

from spbe_common.auth import GRANTS, WORKSHEET_GRANTS, Principal, Role
from spbe_scorer.catalogue import CatalogueSnapshot
from spbe_scorer.settings import ScorerSettings

SNAPSHOT_PATH = "/api/v1/catalogue/snapshot"
SUMMARY = {"applications": "summary"}  # applications counted by the inventory, not listed
ME_PATH = "/api/v1/auth/me"
ACCOUNTS_PATH = "/api/v1/accounts"
OPD_PATH = "/api/v1/opd"
SESSION_COOKIE = "spbe_session"  # the inventory's sign-in cookie of the web pages
CONNECT_TIMEOUT_S = 5.0  # an inventory that is down is known soon; a big snapshot may take long


class InventoryError(RuntimeError):
    """The inventory API did not answer with a valid catalogue snapshot."""


class InventoryUnavailable(RuntimeError):
    """The inventory could not say who a token belongs to (unreachable, or not a valid answer)."""


class CallerRefused(RuntimeError):
    """The inventory refused the caller's own credential for what the scorer asked for them."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


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


def _send_as_caller(
    client: httpx.Client,
    path: str,
    headers: dict[str, str],
    *,
    drop_bearer: bool = False,
    params: dict[str, Any] | None = None,
) -> httpx.Response:
    """A GET with the caller's credential in `headers` instead of the service token."""
    request = client.build_request("GET", path, headers=headers, params=params)
    if drop_bearer:
        request.headers.pop("Authorization", None)
    try:
        return client.send(request)
    except httpx.HTTPError as exc:
        raise InventoryUnavailable(f"inventory API unreachable: {type(exc).__name__}") from None


def _principal_of(
    client: httpx.Client, headers: dict[str, str], *, drop_bearer: bool = False
) -> Principal | None:
    response = _send_as_caller(client, ME_PATH, headers, drop_bearer=drop_bearer)
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


class _Account(_Me):
    disabled: bool


_ACCOUNTS = TypeAdapter(list[_Account])


def assignment_problems(
    client: httpx.Client,
    caller: dict[str, str],
    opd: str | None,
    accounts: list[str],
    *,
    drop_bearer: bool = False,
) -> list[tuple[str, str]]:
    """(field, why) a worksheet may not be assigned to `opd` and `accounts`, asked of the inventory with
    the caller's credential (`caller`: its headers): the OPD must be in the directory, each
    account must exist, be enabled and be one that fills in worksheets (an evaluator or admin)."""
    problems = []
    if opd is not None:
        path = f"{OPD_PATH}/{quote(opd, safe='')}"
        found = _checked(_send_as_caller(client, path, caller, drop_bearer=drop_bearer), (404,))
        if found.status_code == 404:
            problems.append(("opd", f"no OPD {opd} in the inventory's OPD directory"))
    if accounts:
        answer = _checked(
            _send_as_caller(
                client, ACCOUNTS_PATH, caller, drop_bearer=drop_bearer, params={"name": accounts}
            )
        )
        try:
            known = {a.name: a for a in _ACCOUNTS.validate_json(answer.content)}
        except ValidationError:
            raise InventoryUnavailable(
                f"inventory API: no valid answer to {ACCOUNTS_PATH}"
            ) from None
        for name in accounts:
            account = known.get(name)
            if account is None:
                problems.append(("accounts", f"no account {name}"))
            elif account.disabled:
                problems.append(("accounts", f"account {name} is disabled"))
            elif not GRANTS[account.role] >= WORKSHEET_GRANTS:
                why = f"account {name} ({account.role.value}) cannot fill in worksheets"
                problems.append(("accounts", f"{why}; assign an evaluator"))
    return problems


def _checked(response: httpx.Response, also: tuple[int, ...] = ()) -> httpx.Response:
    """The answer, unless the inventory refused the caller or failed."""
    if response.status_code == 200 or response.status_code in also:
        return response
    if response.status_code in (401, 403):
        raise CallerRefused(response.status_code, response.json().get("detail", ""))
    raise InventoryUnavailable(f"inventory API answered {response.status_code}")


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
