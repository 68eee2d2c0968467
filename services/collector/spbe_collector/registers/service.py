"""Read a register (dry run), check its OPD codes against the inventory's catalogue, and commit it:
every row valid, or nothing is published.

Reading and validation are the shared register contract (`spbe_common.registers`); this module
adds the collector's limits, the catalogue check (GET /api/v1/opd with the collector's service
token, as the scorer reads the inventory) and the publishing."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import httpx
import yaml
from pydantic import BaseModel, ValidationError

from spbe_common import registers
from spbe_common.bus import Producer, publish
from spbe_common.events import EventType, new_event
from spbe_common.registers import ParsedRegister, RegisterKind, RegisterRejected

from ..settings import SOURCE, CollectorSettings

__all__ = [
    "InventoryUnavailable",
    "RegisterRejected",
    "check_opd",
    "commit_register",
    "make_inventory_client",
    "opd_catalogue",
    "read_register",
    "sample_opd",
]
OPD_PATH = "/api/v1/opd"
PAGE = 500  # the API's largest page
CONNECT_TIMEOUT_S = 5.0


class InventoryUnavailable(RuntimeError):
    """The inventory could not be asked for its OPD catalogue; the message says why and how."""


class _Opd(BaseModel):
    code: str
    name: str


class _Page(BaseModel):
    data: list[_Opd]
    count: int


def read_register(
    path: Path, settings: CollectorSettings, declared_by: str = "", opd: str | None = None
) -> ParsedRegister:
    """Every row parsed; `errors` lists every problem of every row at once (the dry run)."""
    return registers.read_register(
        path, settings.import_max_bytes, settings.import_max_rows, declared_by, opd
    )


def make_inventory_client(
    settings: CollectorSettings, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """A client on SPBE_INVENTORY_URL sending the collector's token; tests pass a transport."""
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


def check_opd(register: ParsedRegister, catalogue: dict[str, str], opd: str | None) -> None:
    """Rows (or the file's `opd`) naming an OPD the catalogue lacks become errors."""
    registers.check_catalogue(register, catalogue.keys(), opd)


def sample_opd() -> list[tuple[str, str]]:
    """The sample catalogue's OPD (for a template written while the inventory is down); empty
    when the inventory's package data is not installed alongside."""
    try:
        text = (
            resources.files("spbe_inventory.sample")
            .joinpath("kabupaten_serang.yaml")
            .read_text(encoding="utf-8")
        )
    except (ModuleNotFoundError, FileNotFoundError):
        return []
    return [(o["code"], o["name"]) for o in yaml.safe_load(text).get("opd", [])]


def commit_register(register: ParsedRegister, producer: Producer) -> int:
    """Publish every row, then flush once; refuses a register with any error."""
    if register.errors:
        raise RegisterRejected(f"{len(register.errors)} kesalahan; tidak ada yang diimpor")
    type_ = (
        EventType.APPLICATION_DECLARED
        if register.kind is RegisterKind.APPLICATIONS
        else EventType.ASSET_DECLARED
    )
    events = [new_event(type_, row, source=SOURCE) for row in register.rows]
    count = publish(producer, events)
    producer.flush()
    return count
