"""Closed vocabularies shared by the event contract and the services."""

from enum import StrEnum


class ScanStatus(StrEnum):
    COMPLETE = "complete"
    PARTIAL = "partial"
    FAILED = "failed"


class AssetKind(StrEnum):
    SERVER = "server"
    VM = "vm"
    NETWORK_DEVICE = "network_device"  # switch, router, access point, wireless bridge
    STORAGE = "storage"
    SECURITY_DEVICE = "security_device"  # firewall
    PERIPHERAL = "peripheral"  # printer, scanner, projector
    END_USER_DEVICE = "end_user_device"  # laptop, desktop computer
    POWER = "power"  # UPS, generator, stabiliser
    CCTV = "cctv"  # cameras, NVR, DVR
    OTHER = "other"


class AssetCondition(StrEnum):
    """Kondisi in the regional asset register (Barang Milik Daerah)."""

    GOOD = "baik"
    LIGHTLY_DAMAGED = "rusak_ringan"
    BADLY_DAMAGED = "rusak_berat"


class Lifecycle(StrEnum):
    ACTIVE = "active"
    MISSING = "missing"
    RETIRED = "retired"


class Protocol(StrEnum):
    TCP = "tcp"
    UDP = "udp"
    SCTP = "sctp"


class ApplicationKind(StrEnum):
    """SPBE: Aplikasi Umum (shared, national) or Aplikasi Khusus (agency-specific)."""

    GENERAL = "general"
    SPECIAL = "special"


class Platform(StrEnum):
    WEB = "web"
    MOBILE = "mobile"
    DESKTOP = "desktop"
    OTHER = "other"


class HostingKind(StrEnum):
    PUSAT_DATA_PEMDA = "pusat_data_pemda"
    PDN = "pdn"
    CLOUD = "cloud"
    OPD_SERVER_ROOM = "opd_server_room"
    NATIONAL_SAAS = "national_saas"
    OTHER = "other"


class ApplicationStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    RETIRED = "retired"
