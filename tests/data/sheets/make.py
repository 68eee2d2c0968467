"""Re-create the register fixtures (fictional sample data).

Run: .venv/bin/python tests/data/sheets/make.py
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
APP_HEADERS = [
    "Nama Aplikasi",
    "Kode OPD",
    "URL",
    "Jenis (umum/khusus)",
    "Platform",
    "Hosting",
    "Status",
]
ASSET_HEADERS = ["Nama Aset", "Jenis Aset", "Alamat IP", "MAC", "Nomor Seri", "Lokasi", "Kode OPD"]


def _xlsx(name: str, rows: Sequence[Sequence[object]]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(HERE / name)


def main() -> None:
    (HERE / "applications_good.csv").write_text(
        ";".join(APP_HEADERS) + "\n"
        "PPID;Diskominfosatik;https://ppid.serangkab.go.id;khusus;web;;aktif\n"
        "JDIH;SETDA;https://jdih.serangkab.go.id;khusus;Web;;Aktif\n"
        ";;;;;;\n"
        "SRIKANDI;DPKD;https://srikandi.arsip.go.id;umum;web;SaaS Nasional;aktif\n"
        "SIP Kerja;BKPSDM;;khusus;web;;Tidak Aktif\n",
        encoding="utf-8",
    )
    (HERE / "applications_bad.csv").write_text(
        ",".join(APP_HEADERS) + "\n"
        "PPID,DISKOMINFOSATIK,ftp://ppid,campuran,web,,aktif\n"
        ",DINKES,,,,,\n"
        "Serang Open,Kode OPD Salah!,https://open.example.test,khusus,jam tangan,di awan,hidup\n"
        "PPID,DISKOMINFOSATIK,https://ppid.serangkab.go.id,khusus,web,,aktif\n"
        "ppid,DISKOMINFOSATIK,,khusus,web,,aktif\n"
        '=HYPERLINK("http://x"),DINKES,,,,,\n',
        encoding="utf-8",
    )
    _xlsx("assets_good.xlsx", [
        ASSET_HEADERS,
        ["Server aplikasi (fiktif)", "server", "192.0.2.10", "00-00-5e-00-53-01", "CONTOH-1",
         "Ruang server (fiktif)", "DISKOMINFOSATIK"],
        ["Switch inti (fiktif)", "Perangkat Jaringan", "192.0.2.1; 192.0.2.2", None, 12345,
         None, "DISKOMINFOSATIK"],
        ["Printer (fiktif)", "periferal", None, None, "PRN-9", "Sekretariat", "DINKES"],
    ])  # fmt: skip
    _xlsx("assets_formula.xlsx", [
        ASSET_HEADERS,
        ["Server (fiktif)", "server", "192.0.2.10", None, "=CONCAT(\"A\",\"B\")", None, "DINKES"],
    ])  # fmt: skip
    good = (HERE / "assets_good.xlsx").read_bytes()
    (HERE / "assets_broken.xlsx").write_bytes(good[: len(good) // 2])
    (HERE / "not_a_sheet.xlsx").write_text("Nama Aset,Kode OPD\nbukan zip,DINKES\n")


if __name__ == "__main__":
    main()
