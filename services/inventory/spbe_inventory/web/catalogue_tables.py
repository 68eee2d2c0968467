"""What each Katalog table shows: its columns (header, cell, sort key, link), its filters and the
repository page function that reads it (the one the API's list route uses, with its OPD scope).

A cell's value is what a user reads (labels in Bahasa Indonesia, times in WIB); the page and the
CSV / XLSX export both take it from here, so a file holds exactly what the page showed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from spbe_common.auth import Principal
from spbe_common.events.enums import (
    ApplicationKind,
    ApplicationStatus,
    AssetCondition,
    AssetKind,
    HostingKind,
    Lifecycle,
    Platform,
    Protocol,
)
from spbe_inventory.applications import repository as applications
from spbe_inventory.assets import repository as assets
from spbe_inventory.infrastructure import repository as infrastructure
from spbe_inventory.infrastructure.models import LinkMedia
from spbe_inventory.listing_repository import Page, Rows
from spbe_inventory.opd import repository as opd
from spbe_inventory.opd.models import OpdKind

from .export import Value
from .labels import field_label, label
from .render import when
from .timeline import day

Row = dict[str, Any]
Fetch = Callable[[Connection, Principal, Page, dict[str, Any], str | None], tuple[Rows, int]]


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Row], Value]
    sort: str | None = None  # the repository's sort key; None: not sortable
    href: Callable[[Row], str] | None = None
    number: bool = False  # shown with thousands separators (a port is not)


@dataclass(frozen=True)
class Filter:
    name: str  # the query parameter, as the API names it
    text: str
    kind: str  # "enum" (a select of its labels), "opd" (a select of OPD), "port" or "text"
    enum: type[StrEnum] | None = None


@dataclass(frozen=True)
class Listing:
    slug: str  # /katalog/<slug>
    title: str
    table_id: str
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...]
    fetch: Fetch
    search_hint: str
    new_text: str | None = None  # "Tambah ..." links to /katalog/<slug>/baru
    extend: Callable[[Connection, Principal, Rows], Rows] | None = None  # joins after the page


def named(enum: type[StrEnum], key: str) -> Callable[[Row], Value]:
    return lambda row: None if row.get(key) is None else label(enum, row[key])


def text(key: str) -> Callable[[Row], Value]:
    return lambda row: row.get(key)


def time(key: str) -> Callable[[Row], Value]:
    return lambda row: None if row.get(key) is None else when(row[key])


def date_of(key: str) -> Callable[[Row], Value]:
    return lambda row: None if not row.get(key) else day(row[key])


def yes_no(key: str) -> Callable[[Row], Value]:
    return lambda row: "Ya" if row.get(key) else "Tidak"


def field(key: str, sort: bool = False, **kwargs: Any) -> Column:
    """A plain column named as the record field is everywhere on the pages."""
    return Column(field_label(key), text(key), key if sort else None, **kwargs)


OPD_FILTER = Filter("opd_code", "OPD", "opd")

ASSETS = Listing(
    slug="aset",
    title="Aset",
    table_id="tabel-aset",
    columns=(
        Column(
            "Nama",
            lambda row: row["name"] or "(tanpa nama)",
            "name",
            lambda row: f"/katalog/aset/{row['id']}",
        ),
        Column("Alamat IP", text("address"), "address"),
        field("hostname", sort=True),
        field("mac"),
        Column("Jenis", named(AssetKind, "kind"), "kind"),
        field("opd_code", sort=True),
        Column("Status", named(Lifecycle, "lifecycle"), "lifecycle"),
        # The register's facts an evaluation of Manajemen Aset TIK asks for first.
        field("asset_code"),
        field("manufacturer"),
        field("model"),
        field("procurement_year"),
        Column(field_label("condition"), named(AssetCondition, "condition")),
        Column("Terakhir terlihat", time("last_seen"), "last_seen"),
    ),
    filters=(
        OPD_FILTER,
        Filter("kind", "Jenis", "enum", AssetKind),
        Filter("lifecycle", "Status", "enum", Lifecycle),
        Filter("condition", "Kondisi", "enum", AssetCondition),
    ),
    fetch=assets.page_of,
    search_hint="nama, nama host, alamat IP atau MAC",
    new_text="Tambah aset",
)


def _with_assets(conn: Connection, principal: Principal, rows: Rows) -> Rows:
    """Each service with the name, address and OPD of its asset (one query for the page)."""
    ids = [row["asset_id"] for row in rows]
    found = {a["id"]: a for a in assets.in_scope_rows(conn, principal, ids)}
    return [{**row, "asset": found.get(row["asset_id"], {})} for row in rows]


def _of_asset(key: str) -> Callable[[Row], Value]:
    return lambda row: row["asset"].get(key)


SERVICES = Listing(
    slug="layanan",
    title="Layanan",
    table_id="tabel-layanan",
    columns=(
        Column(
            "Aset",
            lambda row: row["asset"].get("name") or f"Aset {row['asset_id']}",
            None,
            lambda row: f"/katalog/aset/{row['asset_id']}",
        ),
        Column("Alamat IP", _of_asset("address")),
        Column("OPD", _of_asset("opd_code")),
        Column("Port", text("port"), "port"),
        Column("Protokol", named(Protocol, "protocol")),
        Column("Layanan", text("name"), "name"),
        Column("Produk", text("product"), "product"),
        Column("Versi", text("version")),
        Column("Terakhir terlihat", time("last_seen"), "last_seen"),
    ),
    filters=(
        Filter("port", "Port", "port"),
        Filter("protocol", "Protokol", "enum", Protocol),
        Filter("name", "Nama layanan", "text"),
    ),
    fetch=assets.services_page,
    search_hint="produk (mis. nginx, OpenSSH)",
    extend=_with_assets,
)

APPLICATIONS = Listing(
    slug="aplikasi",
    title="Aplikasi",
    table_id="tabel-aplikasi",
    columns=(
        Column("Nama", text("name"), "name", lambda row: f"/katalog/aplikasi/{row['id']}"),
        field("opd_code", sort=True),
        Column("Jenis", named(ApplicationKind, "kind"), "kind"),
        Column("Platform", named(Platform, "platform")),
        Column("Hosting", named(HostingKind, "hosting")),
        Column("Status", named(ApplicationStatus, "status"), "status"),
        field("function_level", number=True),
        field("licence"),
        Column(field_label("licence_until"), date_of("licence_until")),
        Column("Terakhir diperiksa", time("last_probed_at"), "last_probed_at"),
    ),
    filters=(
        OPD_FILTER,
        Filter("kind", "Jenis", "enum", ApplicationKind),
        Filter("platform", "Platform", "enum", Platform),
        Filter("hosting", "Hosting", "enum", HostingKind),
        Filter("status", "Status", "enum", ApplicationStatus),
    ),
    fetch=applications.page_of,
    search_hint="nama atau deskripsi",
    new_text="Tambah aplikasi",
)


def _opd_page(
    conn: Connection, principal: Principal, page: Page, filters: dict[str, Any], q: str | None
) -> tuple[Rows, int]:
    return opd.page_of(conn, principal, page, filters["kind"], q)


OPDS = Listing(
    slug="opd",
    title="OPD",
    table_id="tabel-opd",
    columns=(
        Column("Kode", text("code"), "code", lambda row: f"/katalog/opd/{row['code']}"),
        field("name", sort=True),
        field("abbreviation"),
        Column("Jenis", named(OpdKind, "kind"), "kind"),
    ),
    filters=(Filter("kind", "Jenis", "enum", OpdKind),),
    fetch=_opd_page,
    search_hint="kode, nama atau singkatan",
)


def _facilities_page(
    conn: Connection, principal: Principal, page: Page, filters: dict[str, Any], q: str | None
) -> tuple[Rows, int]:
    return infrastructure.facilities_page(conn, principal, page, filters["kind"], q)


FACILITIES = Listing(
    slug="fasilitas",
    title="Fasilitas",
    table_id="tabel-fasilitas",
    columns=(
        Column("Nama", text("name"), "name", lambda row: f"/katalog/fasilitas/{row['id']}"),
        Column("Jenis", named(HostingKind, "kind"), "kind"),
        field("location"),
        field("owner_opd_code"),
        field("operator"),
        field("tier"),
        field("intranet_mbps", number=True),
        field("internet_mbps", number=True),
        Column(field_label("has_sop"), yes_no("has_sop")),
        Column(field_label("pdn_interconnected"), yes_no("pdn_interconnected")),
    ),
    filters=(Filter("kind", "Jenis", "enum", HostingKind),),
    fetch=_facilities_page,
    search_hint="nama, lokasi, pengelola atau OPD pemilik",
    new_text="Tambah fasilitas",
)


def _links_page(
    conn: Connection, principal: Principal, page: Page, filters: dict[str, Any], q: str | None
) -> tuple[Rows, int]:
    return infrastructure.links_page(conn, principal, page, filters["opd_code"], q)


LINKS = Listing(
    slug="jaringan",
    title="Jaringan Intra",
    table_id="tabel-jaringan",
    columns=(
        Column("OPD", text("opd_code"), "opd_code", lambda row: f"/katalog/opd/{row['opd_code']}"),
        field("site", sort=True, href=lambda row: f"/katalog/jaringan/{row['id']}"),
        Column("Media", named(LinkMedia, "media")),
        field("bandwidth_mbps", number=True),
        field("owner"),
        field("operator"),
        Column(field_label("on_intra_network"), yes_no("on_intra_network")),
        Column(field_label("jip_interconnected"), yes_no("jip_interconnected")),
    ),
    filters=(OPD_FILTER,),
    fetch=_links_page,
    search_hint="lokasi kantor, pemilik atau pengelola",
    new_text="Tambah jaringan",
)

LISTINGS = (ASSETS, SERVICES, APPLICATIONS, OPDS, FACILITIES, LINKS)
