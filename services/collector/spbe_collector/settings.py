"""The collector's typed settings, built once at start-up and passed down."""

from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from spbe_common.settings import BusSettings

SOURCE = "spbe-collector"


class CollectorSettings(BusSettings):
    """Read from SPBE_* environment variables (e.g. SPBE_SCAN_ALLOWLIST='["10.0.0.0/8"]')."""

    scan_allowlist: list[str] = Field(
        default=["127.0.0.0/8"], description="CIDR ranges the collector may ever scan"
    )
    scopes_file: Path = Path("scopes.yaml")
    scan_max_parallel: int = Field(default=2, ge=1, le=16, description="Chunks scanned at once")
    # 2,048: nmap spends less CPU per host than on 4,096 and two such processes stay small
    scan_chunk_size: int = Field(default=2048, ge=1, le=65536, description="Hosts per chunk")
    scan_chunk_timeout_s: float = Field(default=900.0, gt=0, description="Wall time per chunk")
    nmap_path: str | None = Field(default=None, description="nmap binary; None: search PATH")
    scan_privileged: bool | None = Field(default=None, description="None: root decides")
    probe_timeout_s: float = Field(default=10.0, gt=0)
    probe_ca_bundle: Path | None = Field(default=None, description="Extra CA file for probes")
    probe_concurrency: int = Field(default=8, ge=1, le=64)
    import_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    import_max_rows: int = Field(default=10_000, ge=1)
    inventory_url: str = Field(
        default="http://127.0.0.1:8000",
        description="SPBE_INVENTORY_URL: base URL of the inventory API (the OPD catalogue that"
        " a register's OPD codes are checked against)",
    )
    inventory_token: SecretStr | None = Field(
        default=None,
        description="SPBE_INVENTORY_TOKEN: the bearer token of the collector's service account"
        " (role collector: `spbe users add collector --role collector`, then"
        " `spbe tokens create collector`)",
    )
    inventory_timeout_s: float = Field(default=15.0, gt=0)
    collector_metrics_port: int = Field(
        default=8003,
        ge=0,
        le=65535,
        description="SPBE_COLLECTOR_METRICS_PORT: where the scheduler serves /metrics; 0: not served",
    )
    collector_metrics_host: str = Field(
        default="127.0.0.1",
        description="SPBE_COLLECTOR_METRICS_HOST: the address /metrics listens on (0.0.0.0 in a"
        " container that Prometheus scrapes)",
    )

    @field_validator("scan_allowlist")
    @classmethod
    def _allowlist_parses(cls, value: list[str]) -> list[str]:
        from ipaddress import ip_network

        return [str(ip_network(item, strict=False)) for item in value]

    @property
    def lock_dir(self) -> Path:
        return self.data_dir / "locks"
