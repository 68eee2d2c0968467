"""Typed settings of the scorer, read from SPBE_* environment variables at start-up."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ScorerSettings(BaseSettings):
    """Where the scorer finds extra framework files and the inventory API."""

    model_config = SettingsConfigDict(env_prefix="SPBE_", env_file=".env", extra="ignore")

    frameworks_dir: Path | None = Field(
        default=None,
        description="Directory of extra framework YAML files, added to the built-in ones",
    )
    inventory_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL of the inventory API (serves GET /api/v1/catalogue/snapshot)",
    )
