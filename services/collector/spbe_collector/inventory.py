"""The inventory API as the collector asks it: its OPD catalogue (GET /api/v1/opd, page by page,
with the collector's service token SPBE_INVENTORY_TOKEN), for registers and scopes alike."""

from __future__ import annotations

import httpx
from pydantic import BaseModel, ValidationError

from .settings import CollectorSettings

__all__ = ["InventoryUnavailable", "make_inventory_client", "opd_catalogue"]
OPD_PATH = "/api/v1/opd"
PAGE = 500  # the API's largest page
CONNECT_TIMEOUT_S = 5.0
# A connection refused is tried again this many times (after 0, 0.5 and 1 s: httpcore's backoff):
# an inventory that has just reported healthy may not accept connections on every network yet.
CONNECT_RETRIES = 3


class InventoryUnavailable(RuntimeError):
    """The inventory could not be asked for its OPD catalogue; the message says why and how."""


class _Opd(BaseModel):
    code: str
    name: str


class _Page(BaseModel):
    data: list[_Opd]
    count: int


def make_inventory_client(
    settings: CollectorSettings, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """A client on SPBE_INVENTORY_URL sending the collector's token; tests pass a transport.
    Connecting is retried (CONNECT_RETRIES); a request that reached the inventory is not."""
    token = settings.inventory_token.get_secret_value() if settings.inventory_token else None
    return httpx.Client(
        base_url=settings.inventory_url,
        transport=transport or httpx.HTTPTransport(retries=CONNECT_RETRIES),
        timeout=httpx.Timeout(
            settings.inventory_timeout_s,
            connect=min(CONNECT_TIMEOUT_S, settings.inventory_timeout_s),
        ),
        headers={"Authorization": f"Bearer {token}"} if token else None,
    )


def opd_catalogue(client: httpx.Client) -> dict[str, str]:
    """Every OPD of the inventory's catalogue: code -> name. InventoryUnavailable otherwise."""
    found: dict[str, str] = {}
    while True:
        page = _page(client, len(found))
        found.update({o.code: o.name for o in page.data})
        if not page.data or len(found) >= page.count:
            return found


def _page(client: httpx.Client, offset: int) -> _Page:
    where = f"{client.base_url}{OPD_PATH}"
    try:
        response = client.get(OPD_PATH, params={"limit": PAGE, "offset": offset})
    except httpx.HTTPError as exc:
        raise InventoryUnavailable(
            f"inventaris di {client.base_url} tidak dapat dihubungi ({type(exc).__name__});"
            " kode OPD tidak dapat diperiksa: jalankan inventaris atau atur SPBE_INVENTORY_URL"
        ) from None
    if response.status_code in (401, 403):
        raise InventoryUnavailable(
            f"inventaris menjawab {response.status_code} untuk {where}: atur SPBE_INVENTORY_TOKEN"
            " ke token akun layanan collector (`spbe tokens create <akun>`)"
        )
    if response.status_code != 200:
        raise InventoryUnavailable(f"inventaris menjawab {response.status_code} untuk {where}")
    try:
        return _Page.model_validate_json(response.content)
    except ValidationError:
        raise InventoryUnavailable(f"jawaban {where} bukan daftar OPD yang valid") from None
