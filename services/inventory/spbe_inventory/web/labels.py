"""What the pages show for the API's English values: Bahasa Indonesia, with the domain's own terms
(OPD, SPBE, Pusat Data) kept as they are. The API and the database keep the English values."""

from __future__ import annotations

from enum import StrEnum

from spbe_common.auth import Role
from spbe_common.events.enums import (
    ApplicationKind,
    ApplicationStatus,
    AssetCondition,
    AssetKind,
    HostingKind,
    Lifecycle,
    Platform,
    Protocol,
    ScanStatus,
)

# The scorer's values (its enums live in the scorer, which the inventory does not import): one
# table shared with the scorer's workbooks, re-exported here for the pages.
from spbe_common.scoring_labels import SCORING as SCORING
from spbe_common.scoring_labels import scoring_label as scoring_label
from spbe_inventory.history.models import CauseKind, ChangeAction
from spbe_inventory.imports.models import ImportStatus, RowAction
from spbe_inventory.infrastructure.models import LinkMedia
from spbe_inventory.ingest.scan_requests import ScanState
from spbe_inventory.opd.models import OpdKind

LABELS: dict[type[StrEnum], dict[str, str]] = {
    AssetKind: {
        AssetKind.SERVER: "Server",
        AssetKind.VM: "Mesin virtual",
        AssetKind.NETWORK_DEVICE: "Perangkat jaringan",
        AssetKind.STORAGE: "Media penyimpanan",
        AssetKind.SECURITY_DEVICE: "Perangkat keamanan",
        AssetKind.PERIPHERAL: "Perangkat periferal",
        AssetKind.END_USER_DEVICE: "Perangkat pengguna akhir",
        AssetKind.POWER: "Catu daya (UPS)",
        AssetKind.CCTV: "CCTV",
        AssetKind.OTHER: "Lainnya",
    },
    AssetCondition: {
        AssetCondition.GOOD: "Baik",
        AssetCondition.LIGHTLY_DAMAGED: "Rusak ringan",
        AssetCondition.BADLY_DAMAGED: "Rusak berat",
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
    ScanState: {
        ScanState.WAITING: "Menunggu kolektor",
        ScanState.RUNNING: "Berjalan",
        ScanState.COMPLETE: "Selesai",
        ScanState.PARTIAL: "Sebagian",
        ScanState.FAILED: "Gagal",
    },
    ChangeAction: {
        ChangeAction.CREATED: "Dibuat",
        ChangeAction.UPDATED: "Diubah",
        ChangeAction.MARKED_MISSING: "Ditandai hilang",
        ChangeAction.REAPPEARED: "Ditemukan kembali",
        ChangeAction.DELETED: "Dihapus",
    },
    CauseKind: {
        CauseKind.EVENT: "Kejadian dari kolektor",
        CauseKind.REQUEST: "Pengguna",
        CauseKind.SAMPLE: "Data contoh",
    },
    LinkMedia: {
        LinkMedia.FIBRE: "Serat optik",
        LinkMedia.RADIO: "Radio",
        LinkMedia.COPPER: "Kabel tembaga",
        LinkMedia.VPN: "VPN",
        LinkMedia.OTHER: "Lainnya",
    },
    OpdKind: {
        OpdKind.SECRETARIAT: "Sekretariat",
        OpdKind.AGENCY: "Badan / dinas",
        OpdKind.HOSPITAL: "Rumah sakit daerah",
        OpdKind.KECAMATAN: "Kecamatan",
    },
    Protocol: {
        Protocol.TCP: "TCP",
        Protocol.UDP: "UDP",
        Protocol.SCTP: "SCTP",
    },
    Role: {
        Role.ADMIN: "Administrator",
        Role.OPD_OPERATOR: "Pengelola TIK OPD",
        Role.EVALUATOR: "Evaluator internal",
        Role.VIEWER: "Pembaca",
        Role.COLLECTOR: "Akun layanan kolektor",
        Role.SCORER: "Akun layanan penilai",
    },
    RowAction: {
        RowAction.CREATE: "Data baru",
        RowAction.UPDATE: "Diperbarui",
        RowAction.UNCHANGED: "Tidak berubah",
        RowAction.ERROR: "Bermasalah",
    },
    ImportStatus: {
        ImportStatus.PENDING: "Belum disimpan",
        ImportStatus.COMMITTED: "Tersimpan",
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


# Record fields as the detail pages and the history timeline name them.
FIELDS: dict[str, str] = {
    "name": "Nama",
    "kind": "Jenis",
    "hostname": "Nama host",
    "mac": "Alamat MAC",
    "serial": "Nomor seri",
    "opd_code": "OPD",
    "owner_opd_code": "OPD pemilik",
    "location": "Lokasi",
    "owner": "Penanggung jawab",
    "facility_id": "Fasilitas",
    "address": "Alamat IP utama",
    "addresses": "Alamat IP",
    "os_guess": "Sistem operasi",
    "vendor": "Vendor",
    "lifecycle": "Status siklus hidup",
    "manufacturer": "Merk",
    "model": "Tipe/Model",
    "procurement_year": "Tahun pengadaan",
    "condition": "Kondisi",
    "acquisition_cost": "Nilai perolehan (Rp)",
    "funding_source": "Sumber dana",
    "asset_code": "Kode barang",
    "warranty_until": "Garansi s.d.",
    "notes": "Keterangan",
    "licence": "Lisensi",
    "licence_until": "Masa lisensi",
    "services": "Layanan terbuka",
    "description": "Deskripsi",
    "platform": "Platform",
    "hosting": "Hosting",
    "status": "Status",
    "function_level": "Tingkat fungsi",
    "uses_service_bus": "Memakai service bus",
    "urls": "URL",
    "service_areas": "Urusan layanan",
    "asset_ids": "Server (nomor aset)",
    "is_sample": "Data contoh",
    "reachable": "Menjawab",
    "status_code": "Kode status HTTP",
    "tls_not_after": "Sertifikat TLS berlaku sampai",
    "error": "Galat",
    "code": "Kode",
    "abbreviation": "Singkatan",
    "aliases": "Nama lain",
    "tier": "Tier",
    "operator": "Pengelola",
    "intranet_mbps": "Intranet (Mbps)",
    "internet_mbps": "Internet (Mbps)",
    "has_sop": "Memiliki SOP",
    "pdn_interconnected": "Terhubung ke PDN",
    "site": "Lokasi kantor",
    "media": "Media",
    "bandwidth_mbps": "Bandwidth (Mbps)",
    "on_intra_network": "Dalam Jaringan Intra",
    "jip_interconnected": "Terhubung ke JIP",
    "review": "Status tinjauan",
    "review_reason": "Alasan diabaikan",
    "merged_from": "Digabungkan dari aset",
    "merged_into": "Digabungkan ke aset",
    "unmerged": "Penggabungan dibatalkan, aset dipisahkan",
    "unmerged_from": "Dipisahkan dari aset",
}

# The review queue's states (and its tab of merges that stand), as /tinjauan names them.
REVIEW_STATES: dict[str, str] = {
    "unreviewed": "Belum ditinjau",
    "accepted": "Diterima",
    "ignored": "Diabaikan",
    "merged": "Digabungkan",
}


def field_label(name: str) -> str:
    """The Indonesian name of a record field; an unknown one is shown as it is."""
    return FIELDS.get(name, name)


# A probe's error is "<kind>: <what the client said>" (the collector's ProbeError kinds).
PROBE_ERRORS: dict[str, str] = {
    "connect": "Tidak dapat terhubung",
    "timeout": "Tidak menjawab dalam batas waktu",
    "tls": "Sertifikat TLS tidak valid",
    "too_many_redirects": "Terlalu banyak pengalihan",
    "protocol": "Jawaban bukan HTTP yang benar",
}


def probe_error(error: str | None, detail: bool = False) -> str:
    """'Tidak dapat terhubung', with the client's own words in brackets when `detail`."""
    if not error:
        return "-"
    kind, _, said = error.partition(": ")
    text = PROBE_ERRORS.get(kind)
    if text is None:
        return error
    return f"{text} ({said})" if detail and said else text
