"""Register rows to ApplicationDeclared / AssetDeclared, collecting every error per row. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable
from ipaddress import ip_interface
from typing import Any, TypeVar

from pydantic import BaseModel, HttpUrl, TypeAdapter, ValidationError

from spbe_common.events.enums import (
    ApplicationKind,
    ApplicationStatus,
    HostingKind,
    Lifecycle,
    Platform,
)
from spbe_common.events.payloads import MAC_PATTERN, ApplicationDeclared, AssetDeclared

from . import values
from .enums import RegisterKind
from .headers import (
    COST_IN_THOUSANDS,
    MAKE_AND_MODEL,
    NAME_OF_REGISTER,
    QUANTITY,
    REGISTER_NUMBER,
    TICK,
)
from .schemas import Cell, RowError, RowWarning, SheetRow

OPD_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,31}$")
_E = TypeVar("_E")
_M = TypeVar("_M", bound=BaseModel)
_SPLIT = re.compile(r"[;\n,]+|\s+")
_URL = TypeAdapter(HttpUrl)
_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?(/\S*)?$", re.IGNORECASE)
_BRACKETED = re.compile(r"\([^()]*\)")  # a note in a cell of addresses: 'http://x:8080 (lokal)'
_MAC = re.compile(MAC_PATTERN)
LOOKS_LIKE_RUPIAH = 1_000_000  # in a column of thousands: Rp 1 billion, not an ICT item's price
# Fields whose value, merged over several items' rows, belongs to the first only
NOT_SPREAD = frozenset({"acquisition_cost", COST_IN_THOUSANDS, QUANTITY})
ONE_ITEM = frozenset({"1", "1 unit", "1 buah", "1 bh", "1 pcs", "1 pc"})  # `Jumlah` of one item
WRITTEN_OFF = "barang sudah dihapuskan; diimpor sebagai dihapuskan"
NO_ADDRESS = frozenset({"dhcp", "dinamis", "dynamic", "tanpa ip", "tidak ada ip", "otomatis"})

# as the SPBE forms and OPD lists word them ("Aplikasi Khusus", "Berbasis Web", "Aktif digunakan")
KINDS = {
    "umum": ApplicationKind.GENERAL, "khusus": ApplicationKind.SPECIAL,
    "aplikasi umum": ApplicationKind.GENERAL, "aplikasi khusus": ApplicationKind.SPECIAL,
}  # fmt: skip
PLATFORMS = {
    "web": Platform.WEB, "mobile": Platform.MOBILE, "seluler": Platform.MOBILE,
    "android": Platform.MOBILE, "desktop": Platform.DESKTOP, "lainnya": Platform.OTHER,
    "berbasis web": Platform.WEB, "aplikasi web": Platform.WEB, "website": Platform.WEB,
    "berbasis android": Platform.MOBILE, "aplikasi mobile": Platform.MOBILE,
    "berbasis desktop": Platform.DESKTOP,
}  # fmt: skip
HOSTINGS = {
    "pusat data pemda": HostingKind.PUSAT_DATA_PEMDA, "pdn": HostingKind.PDN,
    "cloud": HostingKind.CLOUD, "komputasi awan": HostingKind.CLOUD,
    "ruang server opd": HostingKind.OPD_SERVER_ROOM, "saas nasional": HostingKind.NATIONAL_SAAS,
    "lainnya": HostingKind.OTHER,
}  # fmt: skip
STATUSES = {
    "aktif": ApplicationStatus.ACTIVE, "tidak aktif": ApplicationStatus.INACTIVE,
    "nonaktif": ApplicationStatus.INACTIVE, "pensiun": ApplicationStatus.RETIRED,
    "dihentikan": ApplicationStatus.RETIRED, "aktif digunakan": ApplicationStatus.ACTIVE,
    "masih aktif": ApplicationStatus.ACTIVE, "digunakan": ApplicationStatus.ACTIVE,
    "tidak digunakan": ApplicationStatus.INACTIVE, "tidak aktif digunakan": ApplicationStatus.INACTIVE,
}  # fmt: skip
_PYDANTIC = {
    "string_too_long": "terlalu panjang (maksimal {max_length} karakter)",
    "greater_than_equal": "terlalu kecil (minimal {ge})",
    "less_than_equal": "terlalu besar (maksimal {le})",
    "too_long": "terlalu banyak (maksimal {max_length})",
}


class _Row:
    """Reads one row's cells, remembering every problem instead of stopping at the first."""

    def __init__(self, row: SheetRow, headers: dict[str, str]) -> None:
        self.row = row
        self.headers = headers  # field -> header as in the sheet (for errors of absent cells)
        self.errors: list[RowError] = []
        self.warnings: list[RowWarning] = []
        self.values: dict[str, Any] = {}

    def header(self, name: str) -> str:
        found = self.row.values.get(name)
        return found[0] if found else self.headers.get(name, name)

    def error(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.row.number, self.header(name), message))

    def warn(self, name: str, message: str) -> None:
        self.warnings.append(RowWarning(self.row.number, self.header(name), message))

    def cell(self, name: str) -> Cell | None:
        """The cell of field `name`, None when absent or empty ('-' is empty); a formula is an
        error naming the cell."""
        found = self.row.values.get(name)
        if found is None:
            return None
        cell = found[1]
        if cell.merged and name in NOT_SPREAD:
            return None  # a price merged over three cameras bought as one package is not each's
        if cell.formula:
            self.error(
                name, f"rumus (formula) tidak diizinkan di sel {cell.coordinate}; isi nilainya"
            )
            return None
        return None if values.is_empty(cell.text) else cell

    def text(self, name: str) -> None:
        cell = self.cell(name)
        if cell is not None:
            self.values[name] = cell.text

    def register_number(self) -> None:
        """A KIB's register number completes its class code: "1.3.2.10.02.03.001/0004"; alone it
        is the asset code (two laptops of one class share the code, never the number)."""
        cell = self.cell(REGISTER_NUMBER)
        if cell is None:
            return
        code = self.values.get("asset_code")
        self.values["asset_code"] = f"{code}/{cell.text}" if code else cell.text

    def parse(self, name: str, parse: Callable[[Cell], Any]) -> None:
        cell = self.cell(name)
        if cell is None:
            return
        try:
            self.values[name] = parse(cell)
        except ValueError as exc:
            self.error(name, str(exc))

    def choice(self, name: str, choices: dict[str, _E]) -> None:
        def pick(cell: Cell) -> _E:
            found = values.lookup(cell.text, choices)
            if found is None:
                raise ValueError(
                    f"nilai '{cell.text}' tidak dikenal; pilih salah satu: {_named(choices)}"
                )
            return found

        self.parse(name, pick)

    def status(self) -> None:
        """An asset's own Status column: a word it knows sets the lifecycle; another word
        ("Pinjam pakai", "Milik sendiri": a Status column of another meaning) is a warning and
        leaves the lifecycle as it is, so that such a register still imports."""
        cell = self.cell("lifecycle")
        if cell is None:
            return
        found = values.lookup(cell.text, values.LIFECYCLES)
        if found is None:
            self.warn(
                "lifecycle",
                f"'{cell.text}' bukan status aset yang dikenal ({_named(values.LIFECYCLES)});"
                " status aset tidak diubah",
            )
        else:
            self.values["lifecycle"] = found

    def many(self, name: str, parse: Callable[[str], str], what: str) -> None:
        cell = self.cell(name)
        if cell is None:
            return
        parsed: list[str] = []
        if values.words(cell.text) in NO_ADDRESS:
            self.values[name] = parsed
            return
        for item in _SPLIT.split(_BRACKETED.sub(" ", cell.text)):
            if item and not values.is_empty(item):
                try:
                    parsed.append(parse(item))
                except ValueError:
                    self.error(name, f"'{item}' bukan {what} yang valid")
        self.values[name] = parsed

    def opd(self, chosen: str | None) -> None:
        cell = self.cell("opd")
        code = cell.text.upper() if cell else None
        if code and not OPD_CODE.fullmatch(code):
            self.error("opd", f"'{cell.text if cell else ''}' bukan kode OPD (contoh DINKES)")
        elif code and chosen and code != chosen:
            self.error("opd", f"baris ini untuk OPD {code}, bukan OPD yang dipilih ({chosen})")
        elif not code and not chosen:
            self.error("opd", "wajib diisi (atau pilih satu OPD untuk seluruh berkas: --opd)")
        self.values["opd"] = code or chosen

    def required(self, name: str) -> None:
        if name not in self.values and not self.has_error(name):
            self.error(name, "wajib diisi")

    def thousands(self) -> None:
        """A cost given in thousands of rupiah, as rupiah; a value that already looks like
        rupiah (a million or more: a billion once multiplied) is an error to check, not a guess."""
        cell = self.cell(COST_IN_THOUSANDS)
        if cell is None:
            return
        try:
            given = values.rupiah(cell.text, cell.value)
            amount = values.rupiah(cell.text, cell.value, 1000)
        except ValueError as exc:
            self.error(COST_IN_THOUSANDS, str(exc))
            return
        if given >= LOOKS_LIKE_RUPIAH:
            self.error(
                COST_IN_THOUSANDS,
                f"'{cell.text}' tampak sudah dalam rupiah penuh, padahal kolom ini dibaca dalam"
                f" ribuan rupiah (menjadi Rp {amount:,}); periksa satuannya".replace(",", "."),
            )
            return
        self.values["acquisition_cost"] = amount

    def make_and_model(self) -> None:
        """A 'Merk/Type' column split into manufacturer and model; the row's own Merk or Tipe
        column, when filled, wins for its field."""
        cell = self.cell(MAKE_AND_MODEL)
        if cell is None:
            return
        make, model = values.make_and_model(cell.text, self.values.get("manufacturer"))
        for name, found in (("manufacturer", make), ("model", model)):
            if found is not None:
                self.values.setdefault(name, found)

    def kind_from_name(self) -> None:
        """A row without a kind (no Jenis column, or its cell empty: a KIB's `Nama Barang`
        "PC Unit", a KIR's "Komputer") has the kind a device word of its name says."""
        name = self.values.get("name")
        if name is None or "kind" in self.values or self.has_error("kind"):
            return
        found = values.kind_in_name(name)
        if found is not None:
            self.values["kind"] = found

    def ticked_condition(self) -> None:
        """The condition whose column is ticked ('v', '√', 'x', '1': anything but empty or 0,
        as a KIR counting its items writes '1 | 0 | 0')."""
        ticked = [
            (name.removeprefix(TICK), header)
            for name, (header, cell) in self.row.values.items()
            if name.startswith(TICK) and not values.is_empty(cell.text) and cell.text != "0"
        ]
        if len(ticked) == 1 and "condition" not in self.values:
            self.values["condition"] = ticked[0][0]
        elif len(ticked) > 1:
            headers = ", ".join(header for _, header in ticked)
            self.errors.append(
                RowError(
                    self.row.number, ticked[0][1], f"lebih dari satu kondisi dicentang ({headers})"
                )
            )

    def written_off(self) -> None:
        """Remarks saying the item was written off ("Dihapuskan", "Penghapusan 2023") make it
        retired, unless the row's own Status column says what it is."""
        cell = self.cell("notes")
        if cell is None or not values.written_off(cell.text):
            return
        stated = self.values.get("lifecycle")
        if stated is None and not self.has_error("lifecycle"):
            self.values["lifecycle"] = Lifecycle.RETIRED
            self.warn("notes", f"'{cell.text}': {WRITTEN_OFF}")
        elif stated is not None and stated is not Lifecycle.RETIRED:
            status = self.row.values["lifecycle"][1].text
            self.warn(
                "notes",
                f"'{cell.text}' menyebut penghapusan, tetapi kolom {self.header('lifecycle')}"
                f" '{status}' yang dipakai; periksa apakah barang sudah dihapuskan",
            )

    def has_error(self, name: str) -> bool:
        return any(e.column == self.header(name) for e in self.errors)

    def quantity(self) -> None:
        cell = self.cell(QUANTITY)
        if cell is not None and values.words(cell.text) not in ONE_ITEM:
            self.error(
                QUANTITY,
                f"satu baris untuk {cell.text} barang; tulis satu baris per barang"
                " (dengan nomor seri atau kode barangnya)",
            )

    def build(self, model: type[_M], declared_by: str) -> _M | None:
        if self.errors:
            return None
        try:
            return model.model_validate({**self.values, "declared_by": declared_by})
        except ValidationError as exc:
            for problem in exc.errors():
                name = str(problem["loc"][0]) if problem["loc"] else "name"
                template = _PYDANTIC.get(problem["type"])
                context = problem.get("ctx") or {}
                self.error(name, template.format(**context) if template else problem["msg"])
            return None


def _named(choices: dict[str, Any]) -> str:
    """The first word for each choice ('umum, khusus'), not every synonym."""
    first: dict[Any, str] = {}
    for key, value in choices.items():
        first.setdefault(value, key)
    return ", ".join(first.values())


def _url(text: str) -> str:
    """An address as OPD lists write it: 'https://x.go.id', or 'x.go.id' (https assumed)."""
    if "://" not in text and _HOST.match(text):
        text = f"https://{text}"
    try:
        return str(_URL.validate_python(text))
    except ValidationError:
        raise ValueError(text) from None


def _ip(text: str) -> str:
    return str(ip_interface(text).ip)  # '10.1.2.3/24' is the address 10.1.2.3


def _mac(cell: Cell) -> str:
    normalized = cell.text.upper().replace("-", ":").replace(".", "")
    if re.fullmatch(r"[0-9A-F]{12}", normalized):
        normalized = ":".join(normalized[i : i + 2] for i in range(0, 12, 2))
    if not _MAC.fullmatch(normalized):
        raise ValueError(f"'{cell.text}' bukan alamat MAC (contoh 00:00:5E:00:53:01)")
    return normalized


Read = tuple[_M | None, list[RowError], list[RowWarning]]  # the payload (None: errors), warnings


def to_application(
    row: SheetRow, headers: dict[str, str], chosen_opd: str | None, declared_by: str
) -> Read[ApplicationDeclared]:
    cells = _Row(row, headers)
    cells.text("name")
    cells.opd(chosen_opd)
    cells.many("urls", _url, "URL http(s)")
    cells.choice("kind", KINDS)
    cells.choice("platform", PLATFORMS)
    cells.choice("hosting", HOSTINGS)
    cells.choice("status", STATUSES)
    cells.text("description")
    cells.text("licence")
    cells.parse("licence_until", lambda c: values.day(c.text, c.value))
    cells.required("name")
    return cells.build(ApplicationDeclared, declared_by), cells.errors, cells.warnings


def to_asset(
    row: SheetRow, headers: dict[str, str], chosen_opd: str | None, declared_by: str
) -> Read[AssetDeclared]:
    cells = _Row(row, headers)
    for name in ("name", "manufacturer", "model", "serial", "asset_code", "location"):
        cells.text(name)
    cells.make_and_model()
    cells.parse("kind", lambda c: values.asset_kind(c.text))
    cells.kind_from_name()
    cells.many("addresses", _ip, "alamat IP")
    cells.parse("mac", _mac)
    cells.parse("procurement_year", lambda c: values.year(c.text, c.value))
    cells.parse("condition", lambda c: values.condition(c.text))
    cells.ticked_condition()
    cells.parse("acquisition_cost", lambda c: values.rupiah(c.text, c.value))
    cells.thousands()
    for name in ("funding_source", "notes", "owner", "hostname"):
        cells.text(name)
    cells.status()
    cells.written_off()
    cells.parse("warranty_until", lambda c: values.day(c.text, c.value))
    cells.register_number()
    cells.quantity()
    cells.opd(chosen_opd)
    cells.required("name")
    return cells.build(AssetDeclared, declared_by), cells.errors, cells.warnings


TRANSFORMS = {RegisterKind.APPLICATIONS: to_application, RegisterKind.ASSETS: to_asset}
__all__ = ["NAME_OF_REGISTER", "OPD_CODE", "TRANSFORMS"]
