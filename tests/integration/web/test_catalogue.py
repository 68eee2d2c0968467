"""Katalog tables on the sample catalogue of Kabupaten Serang: search, filters, sort, pages,
htmx partial updates, the OPD scope (pages and exports alike) and CSV / XLSX exports that hold
exactly the rows and columns shown, with nothing a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, insert, select, update

from spbe_common.auth import Role
from spbe_common.db import begin_write
from spbe_inventory.assets.repository import ASSET, SERVICE

Browser = Callable[..., TestClient]
Cells = list[list[str]]


class TableReader(HTMLParser):
    """The header and body cell texts (and the row links) of one table of a page."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside = table_id, False
        self.cell: str | None = None
        self.headers: list[str] = []
        self.rows: Cells = []
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and found.get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell, self.text = tag, []
        elif self.inside and tag == "a" and self.cell == "td" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th"):
            value = " ".join("".join(self.text).split())
            (self.headers if tag == "th" else self.rows[-1]).append(value)
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell:
            self.text.append(data)


def table(html: str, table_id: str) -> TableReader:
    reader = TableReader(table_id)
    reader.feed(html)
    assert reader.headers, f"no table {table_id}"
    reader.rows = [row for row in reader.rows if row and row != ["Tidak ada data yang cocok."]]
    return reader


def column(reader: TableReader, header: str) -> list[str]:
    index = reader.headers.index(header)
    return [row[index] for row in reader.rows]


def shown(page: TestClient, url: str, table_id: str = "tabel-aset") -> TableReader:
    response = page.get(url)
    assert response.status_code == 200, response.text
    return table(response.text, table_id)


def xlsx_rows(content: bytes) -> tuple[list[str], Cells]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)  # never a formula
    values = [["-" if c.value is None else str(c.value) for c in row] for row in sheet.iter_rows()]
    return values[0], values[1:]


def csv_rows(content: bytes) -> Cells:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _rename(engine: Engine, name: str, new_name: str) -> int:
    with begin_write(engine) as conn:
        asset_id = conn.execute(select(ASSET.c.id).where(ASSET.c.name == name)).scalar_one()
        conn.execute(update(ASSET).where(ASSET.c.id == asset_id).values(name=new_name))
    return int(asset_id)


def _services(engine: Engine) -> None:
    """Open ports on a server of DISKOMINFOSATIK and on the RSDP's (the sample has none)."""
    now = datetime.now(UTC)
    with begin_write(engine) as conn:
        ids = {name: id_ for name, id_ in conn.execute(select(ASSET.c.name, ASSET.c.id))}
        rows = [
            (ids["srv-web-01 (contoh)"], 443, "https", "nginx"),
            (ids["srv-web-01 (contoh)"], 22, "ssh", "OpenSSH"),
            (ids["srv-simrs (contoh)"], 8080, "http-proxy", "Apache Tomcat"),
        ]
        for asset_id, port, name, product in rows:
            values = {"asset_id": asset_id, "port": port, "protocol": "tcp", "name": name}
            values.update(product=product, version="1.0", first_seen=now, last_seen=now)
            conn.execute(insert(SERVICE).values(**values))


def test_searching_an_address_finds_its_asset(browser: Browser, engine: Engine) -> None:
    admin = browser(Role.ADMIN)
    response = admin.get("/katalog/aset?q=127.10.0.21")
    assert response.status_code == 200
    assert '<input id="cari" name="q" type="search"' in response.text
    assert '<label for="cari">Cari</label>' in response.text
    found = table(response.text, "tabel-aset")
    # then Kode barang, Merk, Tipe/Model, Tahun pengadaan, Kondisi (not declared) and last seen
    assert found.rows == [
        ["vm-jdih (contoh)", "127.10.0.21", "vm-jdih", "-", "Mesin virtual", "SETDA", "Aktif"]
        + ["-"] * 6
    ]
    with engine.connect() as conn:
        asset_id = conn.execute(select(ASSET.c.id).where(ASSET.c.hostname == "vm-jdih")).scalar()
    assert found.links == [f"/katalog/aset/{asset_id}"]
    assert column(shown(admin, "/katalog/aset?q=02:00:5e:10:00:01"), "Nama") == [
        "core-switch-01 (contoh)"  # MAC, case-insensitive
    ]
    assert shown(admin, "/katalog/aset?q=10.99.99.99").rows == []
    # a whole address is that host (127.10.0.11 and .12 only begin alike); a prefix finds all
    assert column(shown(admin, "/katalog/aset?q=127.10.0.1"), "Nama") == ["core-switch-01 (contoh)"]
    assert len(shown(admin, "/katalog/aset?q=127.10.0.").rows) == 5
    past = admin.get("/katalog/aset?q=127.10.0.&page=99").text  # an old link, a shorter list
    assert "halaman 99 tidak ada: hanya 1 halaman" in past
    assert 'id="halaman-terakhir">Ke halaman terakhir (1)</a>' in past and "Sebelumnya" not in past
    # a MAC as Windows writes it (ipconfig /all)
    assert column(shown(admin, "/katalog/aset?q=02-00-5e-10-00-11"), "Nama") == [
        "srv-web-01 (contoh)"
    ]


def test_filters_and_sort(browser: Browser, engine: Engine) -> None:
    admin = browser(Role.ADMIN)
    servers = shown(admin, "/katalog/aset?kind=server&sort=-name")
    assert set(column(servers, "Jenis")) == {"Server"}
    names = column(servers, "Nama")
    assert names == sorted(names, reverse=True) and len(names) == 3
    assert column(shown(admin, "/katalog/aset?kind=network_device"), "Jenis") == [
        "Perangkat jaringan"
    ]
    with begin_write(engine) as conn:
        conn.execute(
            update(ASSET).where(ASSET.c.hostname == "vm-sipkerja").values(lifecycle="missing")
        )
    missing = shown(admin, "/katalog/aset?lifecycle=missing&opd_code=&q=")  # empty: not filtered
    assert column(missing, "Nama") == ["vm-sipkerja (contoh)"]
    assert column(missing, "Status") == ["Hilang"]
    by_opd = shown(admin, "/katalog/aset?opd_code=DISKOMINFOSATIK&sort=address")
    addresses = column(by_opd, "Alamat IP")
    assert addresses == sorted(addresses) and set(column(by_opd, "OPD")) == {"DISKOMINFOSATIK"}
    apps = shown(admin, "/katalog/aplikasi?hosting=national_saas&sort=name", "tabel-aplikasi")
    assert set(column(apps, "Hosting")) == {"Layanan nasional (SaaS)"}
    assert column(apps, "Nama") == sorted(column(apps, "Nama")) and "SIPD" in column(apps, "Nama")
    for wrong, said in (
        ("kind=printer", "Nilai saringan Jenis tidak dikenal."),
        ("sort=observed", "Urutan yang diminta tidak dikenal."),
        ("page=0", "Nomor halaman tidak valid."),
        ("page=x", "Nomor halaman tidak valid."),
        ("page=%C2%B2", "Nomor halaman tidak valid."),  # '²': str.isdigit() says yes, int() no
    ):
        refused = admin.get(f"/katalog/aset?{wrong}")
        assert refused.status_code == 400 and said in refused.text, wrong
        assert "Alamat halaman ini mungkin sudah lama atau diubah." in refused.text
        assert 'href="/katalog/aset" id="kembali">Kembali ke daftar Aset tanpa saringan' in (
            refused.text
        )


def test_a_superscript_digit_is_no_number_of_a_filter_or_page(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    for address in ("/katalog/layanan?port=%C2%B2", "/katalog/layanan?page=%C2%B9"):
        refused = admin.get(address)
        assert refused.status_code == 400, address
        assert "Alamat halaman ini mungkin sudah lama atau diubah." in refused.text
    assert admin.get("/katalog/layanan?port=%2022%20").status_code == 200  # spaces around: read


def test_every_table_in_bahasa_indonesia(browser: Browser, engine: Engine) -> None:
    _services(engine)
    admin = browser(Role.ADMIN)
    facilities = shown(admin, "/katalog/fasilitas", "tabel-fasilitas")
    assert "Pusat Data Pemda" in column(facilities, "Jenis")
    assert column(facilities, "Intranet (Mbps)")[0] == "1.000"  # thousands with a dot
    assert "Ruang server OPD" in column(
        shown(admin, "/katalog/fasilitas?q=rsdp", "tabel-fasilitas"), "Jenis"
    )
    links = shown(admin, "/katalog/jaringan?opd_code=DINKES", "tabel-jaringan")
    assert column(links, "Media") == ["Serat optik"]
    assert links.links[0] == "/katalog/opd/DINKES"
    assert links.links[1].startswith("/katalog/jaringan/")  # each site opens its link's page
    opds = shown(admin, "/katalog/opd?kind=hospital", "tabel-opd")
    assert opds.rows == [["RSDP", "RSUD dr. Dradjat Prawiranegara", "RSDP", "Rumah sakit daerah"]]
    assert opds.links == ["/katalog/opd/RSDP"]
    services = shown(admin, "/katalog/layanan?protocol=tcp&sort=port", "tabel-layanan")
    assert column(services, "Port") == ["22", "443", "8080"]
    assert column(services, "Aset")[:2] == ["srv-web-01 (contoh)"] * 2
    assert column(services, "OPD") == ["DISKOMINFOSATIK", "DISKOMINFOSATIK", "RSDP"]
    assert column(shown(admin, "/katalog/layanan?q=tomcat", "tabel-layanan"), "Port") == ["8080"]


def test_pages_of_fifty_rows(browser: Browser) -> None:
    admin = browser(Role.VIEWER)
    first = admin.get("/katalog/opd?sort=code")
    assert len(table(first.text, "tabel-opd").rows) == 50
    assert "58 data · halaman 1 dari 2" in first.text and 'rel="next"' in first.text
    second = table(admin.get("/katalog/opd?sort=code&page=2").text, "tabel-opd")
    assert len(second.rows) == 8 and second.rows[-1][0] == "SETWAN"
    assert table(admin.get("/katalog/opd?page=3").text, "tabel-opd").rows == []


def test_htmx_gets_only_the_results_region(browser: Browser) -> None:
    admin = browser(Role.ADMIN)
    whole = admin.get("/katalog/aset?kind=vm")
    assert "<html" in whole.text and 'hx-get="/katalog/aset"' in whole.text
    assert 'hx-target="#hasil"' in whole.text and 'hx-push-url="true"' in whole.text
    headers = {"HX-Request": "true", "HX-Target": "hasil"}
    part = admin.get("/katalog/aset?kind=vm", headers=headers)
    assert part.status_code == 200 and "<html" not in part.text
    assert part.text.lstrip().startswith('<section id="hasil"')
    assert column(table(part.text, "tabel-aset"), "Jenis") == ["Mesin virtual"] * 2
    restore = admin.get("/katalog/aset", headers={**headers, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text  # a history restore needs the whole page


def test_add_buttons_only_for_writers(browser: Browser) -> None:
    operator, viewer = browser(Role.OPD_OPERATOR, ["RSDP"]), browser(Role.VIEWER)
    for slug, text in [
        ("aset", "Tambah aset"),
        ("aplikasi", "Tambah aplikasi"),
        ("fasilitas", "Tambah fasilitas"),
        ("jaringan", "Tambah jaringan"),
    ]:
        assert f'href="/katalog/{slug}/baru">{text}</a>' in operator.get(f"/katalog/{slug}").text
        assert "/baru" not in viewer.get(f"/katalog/{slug}").text
    assert "Tambah" not in operator.get("/katalog/layanan").text


def test_an_operator_never_sees_another_opd(browser: Browser, engine: Engine) -> None:
    _services(engine)
    operator = browser(Role.OPD_OPERATOR, ["RSDP"])
    page = operator.get("/katalog/aset")
    assert column(table(page.text, "tabel-aset"), "Nama") == ["srv-simrs (contoh)"]
    assert "srv-web-01" not in page.text and '<option value="DISKOMINFOSATIK"' not in page.text
    assert shown(operator, "/katalog/aset?opd_code=DISKOMINFOSATIK&q=127.10.0").rows == []
    services = shown(operator, "/katalog/layanan", "tabel-layanan")
    assert column(services, "Port") == ["8080"]
    apps = operator.get("/katalog/aplikasi")
    assert table(apps.text, "tabel-aplikasi").rows == [] and "Portal serangkab" not in apps.text
    assert shown(operator, "/katalog/jaringan", "tabel-jaringan").rows == []  # RSDP has no link
    for url in (
        "/katalog/aset/ekspor?format=csv",
        "/katalog/aset/ekspor?format=csv&opd_code=DISKOMINFOSATIK",
        "/katalog/layanan/ekspor?format=csv",
        "/katalog/aplikasi/ekspor?format=csv",
        "/katalog/jaringan/ekspor?format=csv",
    ):
        text = operator.get(url).content.decode("utf-8-sig")
        assert "DISKOMINFOSATIK" not in text and "SETDA" not in text and "BKPSDM" not in text
    _, rows = xlsx_rows(operator.get("/katalog/aset/ekspor?format=xlsx").content)
    assert [row[0] for row in rows] == ["srv-simrs (contoh)"]


@pytest.mark.parametrize("url", ["/katalog/aset?sort=-name", "/katalog/aset?kind=server&page=1"])
def test_the_xlsx_export_holds_exactly_the_rows_shown(browser: Browser, url: str) -> None:
    admin = browser(Role.ADMIN)
    page = admin.get(url)
    assert page.status_code == 200
    shown_table = table(page.text, "tabel-aset")
    query = url.partition("?")[2]
    assert f"/katalog/aset/ekspor?{query.replace('&', '&amp;')}&amp;format=xlsx" in page.text
    response = admin.get(f"/katalog/aset/ekspor?{query}&format=xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    today = datetime.now(ZoneInfo("Asia/Jakarta")).strftime("%Y%m%d")
    assert response.headers["content-disposition"] == f'attachment; filename="aset-{today}.xlsx"'
    headers, rows = xlsx_rows(response.content)
    assert headers == shown_table.headers and rows == shown_table.rows
    csv_export = csv_rows(admin.get(f"/katalog/aset/ekspor?{query}&format=csv").content)
    assert csv_export[0] == shown_table.headers
    assert [[c or "-" for c in row] for row in csv_export[1:]] == shown_table.rows


def test_exports_neutralise_formulas(browser: Browser, engine: Engine) -> None:
    _rename(engine, "srv-web-01 (contoh)", '=HYPERLINK("http://x.example","klik")')
    _rename(engine, "srv-app-01 (contoh)", "@SUM(1+1)")
    admin = browser(Role.ADMIN)
    page = table(admin.get("/katalog/aset?kind=server&sort=name").text, "tabel-aset")
    assert column(page, "Nama")[:2] == ['=HYPERLINK("http://x.example","klik")', "@SUM(1+1)"]
    _, rows = xlsx_rows(admin.get("/katalog/aset/ekspor?kind=server&sort=name").content)
    assert [row[0] for row in rows[:2]] == column(page, "Nama")[:2]  # text cells, not formulas
    lines = csv_rows(admin.get("/katalog/aset/ekspor?kind=server&sort=name&format=csv").content)
    assert [row[0] for row in lines[1:3]] == [
        '\'=HYPERLINK("http://x.example","klik")',
        "'@SUM(1+1)",
    ]
    assert admin.get("/katalog/aset/ekspor?format=pdf").status_code == 400


def test_pages_need_a_sign_in_and_the_right_permission(browser: Browser) -> None:
    visitor = browser(None)
    assert visitor.get("/katalog/aset/ekspor?format=csv").status_code == 303
    assert browser(Role.COLLECTOR).get("/katalog/aplikasi").status_code == 403
