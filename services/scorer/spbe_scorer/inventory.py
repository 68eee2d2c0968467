"""Reading the catalogue snapshot from the inventory API (httpx, injectable transport)."""

from __future__ import annotations

import hashlib

import httpx
import orjson
from pydantic import ValidationError

from spbe_scorer.catalogue import CatalogueSnapshot
from spbe_scorer.settings import ScorerSettings

SNAPSHOT_PATH = "/api/v1/catalogue/snapshot"


class InventoryError(RuntimeError):
    """The inventory API did not answer with a valid catalogue snapshot."""


def make_inventory_client(
    settings: ScorerSettings, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """A client on `settings.inventory_url`; tests pass a transport (or a TestClient instead)."""
    return httpx.Client(
        base_url=settings.inventory_url, transport=transport, timeout=settings.inventory_timeout_s
    )


def snapshot_hash(snapshot: CatalogueSnapshot) -> str:
    """The same catalogue hashes the same whenever it was taken (taken_at is left out)."""
    content = snapshot.model_dump(mode="json", exclude={"taken_at"})
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def fetch_snapshot(client: httpx.Client) -> CatalogueSnapshot:
    try:
        response = client.get(SNAPSHOT_PATH)
    except httpx.HTTPError as exc:
        raise InventoryError(f"inventory API at {client.base_url} unreachable: {exc}") from exc
    if response.status_code != 200:
        raise InventoryError(
            f"inventory API answered {response.status_code} to {SNAPSHOT_PATH}: "
            f"{response.text[:200]}"
        )
    try:
        return CatalogueSnapshot.model_validate_json(response.content)
    except ValidationError as exc:
        raise InventoryError(f"the catalogue snapshot is not valid: {exc}") from exc
