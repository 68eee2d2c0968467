"""Typed settings of the scorer, read from SPBE_* environment variables at start-up."""

from pathlib import Path

from pydantic import Field, SecretStr, model_validator

from spbe_common.settings import BusSettings, Environment

PLACEHOLDER_TOKENS = frozenset({"", "changethis", "changeme", "token", "secret"})


class ScorerSettings(BusSettings):
    """Frameworks, the inventory API it reads, its own database and API, the schedule."""

    frameworks_dir: Path | None = Field(
        default=None,
        description="Directory of extra framework YAML files, added to the built-in ones",
    )
    inventory_url: str = Field(
        default="http://127.0.0.1:8000",
        description="SPBE_INVENTORY_URL: base URL of the inventory API (the catalogue snapshot,"
        " and who a bearer token belongs to)",
    )
    inventory_token: SecretStr | None = Field(
        default=None,
        description="SPBE_INVENTORY_TOKEN: the bearer token of the scorer's service account"
        " (role scorer: `spbe users add scorer --role scorer`, then `spbe tokens create scorer`)",
    )
    inventory_timeout_s: float = Field(default=30.0, gt=0)
    scorer_auth_cache_s: float = Field(
        default=30.0,
        ge=0,
        le=300,
        description="How long the scorer API trusts a token the inventory confirmed; a token"
        " revoked in the inventory still works on the scorer for up to this long",
    )
    scorer_database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default SQLite <data_dir>/scorer.db"
    )
    scorer_api_host: str = "127.0.0.1"
    scorer_api_port: int = Field(default=8002, ge=1, le=65535)
    scorer_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body the scorer API accepts (413)",
    )
    scorer_documents_dir: Path | None = Field(
        default=None,
        description="Where bukti dukung files are kept (by SHA-256); default <data_dir>/documents",
    )
    scorer_document_max_bytes: int = Field(
        default=20 * 1024 * 1024,
        ge=1024,
        description="Largest bukti dukung file (and asesor workbook) the scorer accepts (413)",
    )
    scorer_assignments_file: Path | None = Field(
        default=None,
        description="YAML of which evaluator OPD answers which indicator, per framework, used"
        " when a period opens; default: the built-in workspace/data/assignments.yaml",
    )
    scorer_frameworks: list[str] = Field(
        default=["spbe-2020"], description="Frameworks the schedule scores"
    )
    scorer_every_minutes: float = Field(default=60.0, gt=0, description="Schedule interval")

    @property
    def documents_dir(self) -> Path:
        return self.scorer_documents_dir or self.data_dir / "documents"

    @property
    def db_url(self) -> str:
        return self.scorer_database_url or f"sqlite:///{self.data_dir / 'scorer.db'}"

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> "ScorerSettings":
        if self.environment is Environment.PRODUCTION and "changethis" in self.db_url:
            raise ValueError("SPBE_SCORER_DATABASE_URL holds the placeholder password 'changethis'")
        if self.environment is Environment.PRODUCTION and self._placeholder_token():
            raise ValueError(
                "SPBE_INVENTORY_TOKEN is missing or a placeholder: set the token that"
                " `spbe tokens create` printed for the scorer's service account"
            )
        return self

    def _placeholder_token(self) -> bool:
        token = self.inventory_token.get_secret_value() if self.inventory_token else ""
        return token.strip().lower() in PLACEHOLDER_TOKENS or len(token) < 32
