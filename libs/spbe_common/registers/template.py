"""Write an empty register (XLSX or CSV): the headers and one example row; in XLSX also a
`Petunjuk` sheet (columns, allowed values, one example per kind, the OPD codes) and drop-down
lists for kind and condition."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from spbe_common.events.enums import (
    ApplicationKind,
    ApplicationStatus,
    AssetCondition,
    AssetKind,
    Platform,
)

from .enums import RegisterKind
from .get import RegisterRejected
from .schemas import COLUMNS, Column

GUIDE = "Petunjuk"
LAST_ROW = 1000  # drop-downs reach this row
KIND_LABELS = {
    AssetKind.SERVER: ("Server", "Server, Server Rack", "Server aplikasi SIMPUS"),
    AssetKind.VM: ("Mesin virtual", "VM, Mesin Virtual", "VM basis data"),
    AssetKind.NETWORK_DEVICE: (
        "Perangkat jaringan",
        "Switch, Router, Access Point, Wireless Bridge, Radio Link, Hub, Modem",
        "Switch 24 port lantai 2",
    ),
    AssetKind.STORAGE: ("Penyimpanan", "Storage, NAS, SAN", "NAS arsip"),
    AssetKind.SECURITY_DEVICE: ("Perangkat keamanan", "Firewall, UTM", "Firewall kantor"),
    AssetKind.PERIPHERAL: ("Periferal", "Printer, Scanner, Proyektor", "Printer ruang TU"),
    AssetKind.END_USER_DEVICE: (
        "Perangkat pengguna akhir",
        "Laptop, Notebook, Komputer, PC, All-in-one",
        "Laptop Kepala Seksi",
    ),
    AssetKind.POWER: ("Catu daya (UPS)", "UPS, Genset, Stabilizer", "UPS ruang server"),
    AssetKind.CCTV: ("CCTV", "CCTV, NVR, DVR, IP Camera", "NVR CCTV lobi"),
    AssetKind.OTHER: ("Lainnya", "Lainnya", "Mesin antrean"),
}
CONDITION_LABELS = {
    AssetCondition.GOOD: "Baik",
    AssetCondition.LIGHTLY_DAMAGED: "Rusak Ringan",
    AssetCondition.BADLY_DAMAGED: "Rusak Berat",
}
# The words of each drop-down list and the value each stands for: the template offers them, the
# register export writes them (never the API's codes, which the lists refuse), the import reads
# them back as the same values.
CHOICES: dict[RegisterKind, dict[str, Mapping[str, str]]] = {
    RegisterKind.ASSETS: {
        "kind": {kind: label for kind, (label, _words, _example) in KIND_LABELS.items()},
        "condition": CONDITION_LABELS,
    },
    RegisterKind.APPLICATIONS: {
        "kind": {ApplicationKind.GENERAL: "umum", ApplicationKind.SPECIAL: "khusus"},
        "status": {
            ApplicationStatus.ACTIVE: "aktif",
            ApplicationStatus.INACTIVE: "tidak aktif",
            ApplicationStatus.RETIRED: "pensiun",
        },
        "platform": {
            Platform.WEB: "web",
            Platform.MOBILE: "mobile",
            Platform.DESKTOP: "desktop",
            Platform.OTHER: "lainnya",
        },
    },
}
HELP = {
    "name": "Nama perangkat atau aplikasi (wajib)",
    "kind": "Pilih dari daftar (lihat 'Jenis' di bawah)",
    "manufacturer": "Merk pabrikan; 'Merk/Type' dalam satu kolom juga diterima",
    "model": "Tipe atau model",
    "addresses": "Alamat IP; boleh kosong (UPS, laptop, switch unmanaged); pisahkan dengan ;",
    "mac": "Alamat MAC (boleh kosong)",
    "serial": "Nomor seri pabrik (boleh kosong)",
    "asset_code": "Kode barang / nomor register dari KIB/KIR (boleh kosong)",
    "location": "Ruangan atau gedung",
    "procurement_year": "Tahun pengadaan, 4 angka (mis. 2020)",
    "condition": "Baik, Rusak Ringan atau Rusak Berat",
    "acquisition_cost": "Nilai perolehan dalam rupiah penuh (mis. 12500000)",
    "funding_source": "APBD, APBN, DAK, Hibah ...",
    "warranty_until": "Tanggal akhir garansi (mis. 31/12/2027)",
    "notes": "Keterangan bebas",
    "opd": "Kode OPD (lihat daftar di bawah); boleh kosong bila OPD dipilih saat impor",
    "urls": "Alamat http(s) aplikasi; pisahkan dengan ;",
    "platform": "web, mobile, desktop atau lainnya",
    "hosting": "pusat data pemda, pdn, cloud, ruang server opd, saas nasional, lainnya",
    "status": "aktif, tidak aktif atau pensiun",
    "description": "Uraian singkat",
    "licence": "Lisensi perangkat lunak (mis. Open source, berlangganan)",
    "licence_until": "Tanggal akhir lisensi",
}


def write_template(kind: RegisterKind, out: Path, opd: Sequence[tuple[str, str]] = ()) -> None:
    """`opd`: (code, name) of the catalogue's OPD, listed in the guidance sheet."""
    columns = COLUMNS[kind]
    headers = [c.header for c in columns]
    example = [c.example for c in columns]
    if out.suffix.lower() == ".csv":
        with out.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([headers, example])
        return
    if out.suffix.lower() != ".xlsx":
        raise RegisterRejected("template harus .xlsx atau .csv")
    _workbook(kind, [example], opd).save(out)


def register_workbook(
    kind: RegisterKind,
    records: Iterable[Mapping[str, Any]],
    opd: Sequence[tuple[str, str]] = (),
) -> bytes:
    """A filled-in register: the template with one row per record (values under the template's
    field names; a list is joined with ';'), read back by the import as it was written. Cells
    are written as values, never formulas."""
    choices = CHOICES[kind]
    rows = [
        [_register_value(record.get(c.field), choices.get(c.field, {})) for c in COLUMNS[kind]]
        for record in records
    ]
    out = io.BytesIO()
    _workbook(kind, rows, opd).save(out)
    return out.getvalue()


def _register_value(value: Any, labels: Mapping[str, str]) -> Any:
    """A record's value as the register writes it: a list joined with ';', a value of a
    drop-down list as its word ('rusak_ringan' -> 'Rusak Ringan')."""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value) or None
    if isinstance(value, str) and value in labels:
        return labels[value]
    return value


def _workbook(
    kind: RegisterKind, rows: Sequence[Sequence[Any]], opd: Sequence[tuple[str, str]]
) -> openpyxl.Workbook:
    columns = COLUMNS[kind]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Aset TIK" if kind is RegisterKind.ASSETS else "Aplikasi"
    sheet.append([c.header for c in columns])
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even "=..." (a spreadsheet would run a formula)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        width = max(len(column.header), len(column.example)) + 4
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    _drop_downs(sheet, kind, columns)
    _guide(workbook.create_sheet(GUIDE), kind, columns, opd)
    return workbook


def _drop_downs(sheet: Worksheet, kind: RegisterKind, columns: Sequence[Column]) -> None:
    lists = CHOICES[kind]
    for index, column in enumerate(columns, start=1):
        if column.field not in lists:
            continue
        choices = list(lists[column.field].values())
        # an asset's kind may be written as a device word ("Switch"): warned, not refused
        style = "warning" if kind is RegisterKind.ASSETS and column.field == "kind" else "stop"
        letter = get_column_letter(index)
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(choices) + '"',
            allow_blank=True,
            errorStyle=style,
            error="Pilih dari daftar" + (" atau tulis jenis perangkat" if style != "stop" else ""),
            errorTitle=column.header,
            prompt=HELP.get(column.field, ""),
        )
        validation.add(f"{letter}2:{letter}{LAST_ROW}")
        sheet.add_data_validation(validation)


def _guide(
    sheet: Worksheet,
    kind: RegisterKind,
    columns: Sequence[Column],
    opd: Sequence[tuple[str, str]],
) -> None:
    what = "aset TIK" if kind is RegisterKind.ASSETS else "aplikasi"
    sheet.append([f"Petunjuk pengisian register {what}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["Satu berkas untuk satu OPD. Satu baris per barang. Tanpa rumus (formula)."])
    _table(sheet, ("Kolom", "Isi", "Wajib"), [
        (c.header, HELP.get(c.field, ""), "ya" if c.required else "") for c in columns
    ])  # fmt: skip
    if kind is RegisterKind.ASSETS:
        _table(sheet, ("Jenis (pilihan)", "Kata yang juga diterima", "Contoh nama perangkat"), [
            *KIND_LABELS.values()
        ])  # fmt: skip
        short = {AssetCondition.GOOD: "B", AssetCondition.LIGHTLY_DAMAGED: "RR, Kurang Baik (KB)",
                 AssetCondition.BADLY_DAMAGED: "RB"}  # fmt: skip
        _table(sheet, ("Kondisi", "Singkatan"), [
            (label, short[condition]) for condition, label in CONDITION_LABELS.items()
        ])  # fmt: skip
    _table(sheet, ("Kode OPD", "Nama OPD"), list(opd) or [("(lihat daftar OPD di inventaris)", "")])
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["C"].width = 30


def _table(sheet: Worksheet, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    sheet.append([])
    sheet.append(list(header))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
