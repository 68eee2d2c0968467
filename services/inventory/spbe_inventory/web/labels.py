"""What the pages show for the API's English values: Bahasa Indonesia, with the domain's own terms
(OPD, SPBE, Pusat Data) kept as they are. The API and the database keep the English values."""

from __future__ import annotations

from enum import StrEnum

from spbe_common.auth import Role
from spbe_common.events.enums import (
    ApplicationKind,
    ApplicationStatus,
    AssetKind,
    HostingKind,
    Lifecycle,
    Platform,
    ScanStatus,
)

LABELS: dict[type[StrEnum], dict[str, str]] = {
    AssetKind: {
        AssetKind.SERVER: "Server",
        AssetKind.VM: "Mesin virtual",
        AssetKind.NETWORK_DEVICE: "Perangkat jaringan",
        AssetKind.STORAGE: "Media penyimpanan",
        AssetKind.SECURITY_DEVICE: "Perangkat keamanan",
        AssetKind.PERIPHERAL: "Perangkat periferal",
        AssetKind.OTHER: "Lainnya",
    },
    Lifecycle: {
        Lifecycle.ACTIVE: "Aktif",
        Lifecycle.MISSING: "Hilang",
        Lifecycle.RETIRED: "Dihapuskan",
    },
    ApplicationKind: {
        ApplicationKind.GENERAL: "Aplikasi Umum",
        ApplicationKind.SPECIAL: "Aplikasi Khusus",
    },
    Platform: {
        Platform.WEB: "Web",
        Platform.MOBILE: "Seluler",
        Platform.DESKTOP: "Desktop",
        Platform.OTHER: "Lainnya",
    },
    HostingKind: {
        HostingKind.PUSAT_DATA_PEMDA: "Pusat Data Pemda",
        HostingKind.PDN: "Pusat Data Nasional (PDN)",
        HostingKind.CLOUD: "Cloud",
        HostingKind.OPD_SERVER_ROOM: "Ruang server OPD",
        HostingKind.NATIONAL_SAAS: "Layanan nasional (SaaS)",
        HostingKind.OTHER: "Lainnya",
    },
    ApplicationStatus: {
        ApplicationStatus.ACTIVE: "Aktif",
        ApplicationStatus.INACTIVE: "Tidak aktif",
        ApplicationStatus.RETIRED: "Dihentikan",
    },
    ScanStatus: {
        ScanStatus.COMPLETE: "Selesai",
        ScanStatus.PARTIAL: "Sebagian",
        ScanStatus.FAILED: "Gagal",
    },
    Role: {
        Role.ADMIN: "Administrator",
        Role.OPD_OPERATOR: "Pengelola TIK OPD",
        Role.EVALUATOR: "Evaluator internal",
        Role.VIEWER: "Pembaca",
        Role.COLLECTOR: "Akun layanan kolektor",
        Role.SCORER: "Akun layanan penilai",
    },
}


def label(enum: type[StrEnum], value: object) -> str:
    """The Indonesian label of an API value; an unknown value is shown as it is, empty as '-'."""
    if value is None or value == "":
        return "-"
    return LABELS[enum].get(str(value), str(value))


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a select field, in the enum's order."""
    return [(member.value, LABELS[enum][member]) for member in enum]
