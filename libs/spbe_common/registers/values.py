"""What the words and numbers OPD type into registers mean. Pure; ValueError says why not.

Every parser takes the cell (its text, and its value as the workbook holds it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from spbe_common.events.enums import AssetCondition, AssetKind, Lifecycle

_C = TypeVar("_C")
EMPTY = frozenset(
    {"", "-", "--", "\u2013", "\u2014", "n/a", "na", "tidak ada", "belum ada", "nihil"}
)
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d|2100)(?!\d)")
_WORD = re.compile(r"[^0-9a-z]+")
MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "pebruari": 2, "maret": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8,
    "agu": 8, "agt": 8, "agus": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10,
    "november": 11, "nov": 11, "nopember": 11, "desember": 12, "des": 12,
}  # fmt: skip

ASSET_WORDS: dict[str, AssetKind] = {}
_KIND_WORDS = {
    AssetKind.SERVER: "server|server rack|blade server|server fisik",
    AssetKind.VM: "vm|mesin virtual|virtual machine|server virtual",
    AssetKind.NETWORK_DEVICE: "perangkat jaringan|switch|switch hub|router|access point|ap"
    "|wireless bridge|radio link|bridge|hub|modem|load balancer|wifi|ont|olt|network device",
    AssetKind.STORAGE: "penyimpanan|storage|nas|san|hardisk eksternal|harddisk eksternal",
    AssetKind.SECURITY_DEVICE: "perangkat keamanan|firewall|utm|security device",
    AssetKind.PERIPHERAL: "periferal|peripheral|printer|scanner|pemindai|proyektor|projector"
    "|mesin fotokopi|fotokopi",
    AssetKind.END_USER_DEVICE: "perangkat pengguna akhir|end user device|laptop|notebook"
    "|netbook|komputer|pc|desktop|komputer pc|personal computer|all in one|aio|tablet"
    "|thin client",
    AssetKind.POWER: "catu daya|ups|genset|generator|stabilizer|stabiliser|stavolt|pdu|power",
    AssetKind.CCTV: "cctv|nvr|dvr|ip camera|kamera|kamera cctv|camera",
    AssetKind.OTHER: "lainnya|lain lain|other",
}
for _kind, _words in _KIND_WORDS.items():
    ASSET_WORDS[_kind.value.replace("_", " ")] = _kind
    for _phrase in _words.split("|"):
        ASSET_WORDS[_phrase] = _kind
_LONGEST = max(len(phrase.split()) for phrase in ASSET_WORDS)

CONDITIONS = {
    "baik": AssetCondition.GOOD, "b": AssetCondition.GOOD,
    "rusak ringan": AssetCondition.LIGHTLY_DAMAGED, "rr": AssetCondition.LIGHTLY_DAMAGED,
    "kurang baik": AssetCondition.LIGHTLY_DAMAGED, "kb": AssetCondition.LIGHTLY_DAMAGED,
    "rusak berat": AssetCondition.BADLY_DAMAGED, "rb": AssetCondition.BADLY_DAMAGED,
}  # fmt: skip
# an asset's own Status column, as clerks word it; "tidak aktif" is no lifecycle (not written off)
LIFECYCLES = {
    "aktif": Lifecycle.ACTIVE, "ada": Lifecycle.ACTIVE, "digunakan": Lifecycle.ACTIVE,
    "dipakai": Lifecycle.ACTIVE, "aktif digunakan": Lifecycle.ACTIVE,
    "masih digunakan": Lifecycle.ACTIVE, "hilang": Lifecycle.MISSING,
    "tidak ditemukan": Lifecycle.MISSING, "dihapuskan": Lifecycle.RETIRED,
    "dihapus": Lifecycle.RETIRED, "sudah dihapus": Lifecycle.RETIRED,
    "sudah dihapuskan": Lifecycle.RETIRED, "penghapusan": Lifecycle.RETIRED,
    "pensiun": Lifecycle.RETIRED,
}  # fmt: skip
# The remarks of an item written off (penghapusan BMD): "Dihapuskan", "Sudah dihapus", "Dihapus
# (SK Bupati No. 12)", "Penghapusan 2023"; as whole words ("dihapusnya" or "penghapusanku" are not)
_WRITTEN_OFF = re.compile(r"\b(dihapus|dihapuskan|penghapusan)\b")
# ... unless only proposed or pending: "usul penghapusan", "menunggu penghapusan", "belum
# dihapus", "akan dihapuskan", "diajukan untuk dihapuskan"
_NOT_YET = re.compile(
    r"\b(usul|usulan|diusulkan|mengusulkan|diajukan|mengajukan|pengajuan|menunggu|akan|belum"
    r"|proses|diproses|sedang|rencana|direncanakan|calon|perlu|layak|siap|untuk|batal"
    r"|dibatalkan|tidak|bukan)\b(\s+\w+){0,2}\s+$"
)


def written_off(text: str) -> bool:
    """Remarks saying the item was written off (not merely proposed for it)."""
    said = words(text)
    return any(not _NOT_YET.search(said[: m.start()]) for m in _WRITTEN_OFF.finditer(said))


def words(text: str) -> str:
    """'Access-Point (AP) ' -> 'access point ap'."""
    return " ".join(_WORD.sub(" ", text.casefold()).split())


def is_empty(text: str) -> bool:
    return text.casefold().strip() in EMPTY


def _kinds(said: str) -> Iterator[AssetKind]:
    """The kinds of the device words or phrases in `said` (whole words), in order, the longest
    phrase at each place ('server virtual' is a VM, 'kamera cctv' a CCTV)."""
    tokens = said.split()
    for index in range(len(tokens)):
        for length in range(_LONGEST, 0, -1):
            found = ASSET_WORDS.get(" ".join(tokens[index : index + length]))
            if found is not None:
                yield found
                break


def asset_kind(text: str) -> AssetKind:
    """A device word to its kind: the whole text, else its first word (or phrase) that names a
    kind ('Switch 24 port Cisco' -> network_device)."""
    said = words(text)
    found = ASSET_WORDS.get(said) or next(_kinds(said), None)
    if found is not None:
        return found
    raise ValueError(
        f"jenis '{text}' tidak dikenal; pakai misalnya Server, Switch, Router, Access Point,"
        " Firewall, Storage, Printer, UPS, CCTV, Laptop, Komputer atau Lainnya"
    )


def kind_in_name(name: str) -> AssetKind | None:
    """The kind a device word in an item's name says ('PC Unit' -> end_user_device, 'Access
    Point Ubiquiti' -> network_device), for a row without a kind; None when no word names one
    ('Mesin antrean'); the words of "other" ('Lainnya') say nothing of the device."""
    return next((k for k in _kinds(words(name)) if k is not AssetKind.OTHER), None)


# The '/' between manufacturer and model: right after a first word ("Lenovo/ThinkPad E14") or with
# a space beside it ("Lenovo Group / ThinkPad"); not one inside a model ("HP LaserJet P1102/P1106")
_MAKE_SLASH = re.compile(r"^[^/\s]*\s*/|^.*?(\s+/\s*|\s*/\s+)")


def make_and_model(text: str, make: str | None = None) -> tuple[str | None, str | None]:
    """One 'Merk/Type' cell as (manufacturer, model): split at its '/' ('Lenovo / ThinkPad E14'),
    else the first word and the rest ('Lenovo ThinkPad E14'; 'Rakitan' has no model). With the
    row's own `make` (a Merk column), the model is the text without that make at its start."""
    text = " ".join(text.split())
    if make:
        known = re.match(rf"(?i){re.escape(make.strip())}(?=[\s/]|$)\s*/?\s*", text)
        return make, (text[known.end() :] if known else text) or None
    slash = _MAKE_SLASH.match(text)
    if slash is not None:
        found, model = text[: slash.end()].rstrip(" /"), text[slash.end() :]
    else:
        found, _, model = text.partition(" ")
    return found.strip() or None, model.strip() or None


_NOTE = re.compile(r"^(?P<said>[^()]+?)\s*\((?P<note>[^()]*)\)\s*$")


def lookup(text: str, choices: dict[str, _C]) -> _C | None:
    """The choice a cell names: its words ('Aplikasi Khusus' -> 'aplikasi khusus'), or the words
    before a bracket whose content names the same choice or none ('Baik (B)', 'Rusak Ringan
    (RR)', 'Aktif (sejak 2020)'); None when it names none, or two that differ ('Baik (RB)')."""
    found = choices.get(words(text))
    if found is not None:
        return found
    parts = _NOTE.match(text)
    if parts is None:
        return None
    found = choices.get(words(parts["said"]))
    noted = choices.get(words(parts["note"]))
    return found if noted is None or noted == found else None


def condition(text: str) -> AssetCondition:
    found = lookup(text, CONDITIONS)
    if found is None:
        raise ValueError(
            f"kondisi '{text}' tidak dikenal; pilih Baik (B), Rusak Ringan (RR) atau Rusak Berat"
            " (RB)"
        )
    return found


def year(text: str, value: Any) -> int:
    """'th. 2020', '2019 ', 2018.0, a date -> the year."""
    if isinstance(value, (datetime, date)):
        return value.year
    found = _YEAR.findall(text)
    if len(found) != 1:
        raise ValueError(f"'{text}' bukan tahun (contoh 2020)")
    return int(found[0])


def rupiah(text: str, value: Any, scale: int = 1) -> int:
    """'Rp 12.500.000', '12.500.000,00', '12500000', 12500000.0 -> 12500000; `scale` 1000 for
    a value in thousands ('12,5' -> 12500)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        amount = _decimal(text)
    if amount < 0:
        raise ValueError(f"'{text}' negatif")
    return int((amount * scale).quantize(Decimal(1)))


def _decimal(text: str) -> Decimal:
    digits = re.sub(r"(?i)^\s*rp\.?\s*|\s|,-$|\.-$", "", text)
    if "," in digits and "." in digits:  # the last one is the decimal separator
        thousands, decimal = (".", ",") if digits.rfind(",") > digits.rfind(".") else (",", ".")
        digits = digits.replace(thousands, "").replace(decimal, ".")
    elif "," in digits:
        digits = digits.replace(",", ".") if re.search(r",\d{1,2}$", digits) else digits
        digits = digits.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", digits):
        digits = digits.replace(".", "")
    try:
        return Decimal(digits)
    except InvalidOperation:
        raise ValueError(f"'{text}' bukan nilai rupiah (contoh Rp 12.500.000)") from None


def day(text: str, value: Any) -> date:
    """A date cell, '2027-12-31', '31/12/2027', '31-12-2027', 's.d. 31 Desember 2027'."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    said = words(text)
    iso = re.search(r"(\d{4}) (\d{1,2}) (\d{1,2})", said)
    parts = re.search(r"(\d{1,2}) (\d{1,2}|[a-z]+) (\d{4})", said)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if parts:
            month = int(parts[2]) if parts[2].isdigit() else MONTHS[parts[2]]
            return date(int(parts[3]), month, int(parts[1]))
    except (KeyError, ValueError):
        pass
    raise ValueError(f"'{text}' bukan tanggal (contoh 31/12/2027 atau 2027-12-31)")
