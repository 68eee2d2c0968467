"""Typed settings of the inventory service, built once at start-up and passed down."""

from pydantic import Field, model_validator

from spbe_common.settings import BusSettings, Environment

WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})


class InventorySettings(BusSettings):
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite")
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Largest request body the API accepts (413)"
    )
    import_max_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, description="Largest spreadsheet uploaded at /impor"
    )
    import_max_rows: int = Field(default=10_000, ge=1, description="Data rows of one upload")
    consumer_group: str = "spbe-inventory"
    batch_size: int = Field(default=1000, ge=1, le=10000)
    poll_timeout_s: float = Field(default=0.5, gt=0)
    metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="`spbe consume` /metrics"
    )
    quality_cache_s: float = Field(
        default=60,
        ge=0,
        description="SPBE_QUALITY_CACHE_S: how long /metrics reuses its quality figures",
    )
    quality_unseen_days: int = Field(
        default=30,
        ge=1,
        description="SPBE_QUALITY_UNSEEN_DAYS: an active asset not seen longer is unseen",
    )
    scorer_url: str = Field(
        default="http://127.0.0.1:8002",
        description="SPBE_SCORER_URL: base URL of the scorer API the Penilaian pages read",
    )

    @property
    def api_url(self) -> str:
        """Where a process on this machine reaches the API (loopback when it listens on all)."""
        host = "127.0.0.1" if self.api_host in WILDCARD_HOSTS else self.api_host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.api_port}"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'inventory.db'}"

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> "InventorySettings":
        if self.environment is Environment.PRODUCTION and "changethis" in self.db_url:
            raise ValueError("SPBE_DATABASE_URL still holds the placeholder password 'changethis'")
        return self
