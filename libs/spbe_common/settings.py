"""Settings shared by every service; each service extends them with its own typed class."""

import tempfile
from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class BusBackend(StrEnum):
    EMBEDDED = "embedded"
    KAFKA = "kafka"


class KafkaSecurityProtocol(StrEnum):
    PLAINTEXT = "PLAINTEXT"  # no authentication: a local broker for development only
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"


class KafkaSaslMechanism(StrEnum):
    SCRAM_SHA_512 = "SCRAM-SHA-512"
    SCRAM_SHA_256 = "SCRAM-SHA-256"


KAFKA_PLACEHOLDER_PASSWORDS = frozenset({"", "changethis", "changeme", "password", "secret"})


class DataDirError(RuntimeError):
    """The data directory cannot be created or written: the message names the path and why."""


def prepare_data_dir(path: Path) -> Path:
    """Create the data directory if needed and prove it writable, before anything opens a file in
    it; a clear error instead of a traceback from deep inside a database driver. The probe file has
    a name of its own, so services starting together in one process (`spbe up`) never remove each
    other's."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass  # created, then removed on close
    except OSError as exc:
        raise DataDirError(
            f"data directory {path.resolve()} cannot be written: {exc.strerror or exc}"
            " (set SPBE_DATA_DIR to a writable folder)"
        ) from exc
    return path


class BusSettings(BaseSettings):
    """Where events travel. Read from SPBE_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="SPBE_", env_file=".env", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path(".spbe")
    bus: BusBackend = BusBackend.EMBEDDED
    event_log_path: Path | None = Field(default=None, description="Embedded log file")
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_partitions: int = Field(default=6, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_topic_prefix: str = Field(
        default="", pattern=r"^[a-zA-Z0-9._-]*$", description="Namespace of every topic"
    )
    kafka_security_protocol: KafkaSecurityProtocol = KafkaSecurityProtocol.PLAINTEXT
    kafka_sasl_mechanism: KafkaSaslMechanism = KafkaSaslMechanism.SCRAM_SHA_512
    kafka_username: str | None = Field(default=None, description="This service's Kafka user")
    kafka_password: SecretStr | None = Field(default=None, description="Its SCRAM password")
    heartbeat_file: Path | None = Field(
        default=None,
        description="SPBE_HEARTBEAT_FILE: a worker (consumer, collector scheduler) touches it after"
        " each piece of work done; `spbe-healthcheck heartbeat PATH MAX_AGE_S` reads its age."
        " None: no heartbeat",
    )

    @property
    def log_path(self) -> Path:
        return self.event_log_path or self.data_dir / "events.db"

    @model_validator(mode="after")
    def _production_uses_real_parts(self) -> "BusSettings":
        if self.environment is Environment.PRODUCTION and self.bus is BusBackend.EMBEDDED:
            raise ValueError("SPBE_BUS=embedded is for a single machine; production uses kafka")
        return self

    @model_validator(mode="after")
    def _kafka_credentials(self) -> "BusSettings":
        if self.kafka_security_protocol is KafkaSecurityProtocol.PLAINTEXT:
            if self.environment is Environment.PRODUCTION and self.bus is BusBackend.KAFKA:
                raise ValueError(
                    "SPBE_KAFKA_SECURITY_PROTOCOL=PLAINTEXT lets anyone publish; production uses"
                    " SASL_PLAINTEXT or SASL_SSL with SPBE_KAFKA_USERNAME and SPBE_KAFKA_PASSWORD"
                )
            return self
        if not self.kafka_username or self.kafka_password is None:
            raise ValueError(
                f"SPBE_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs"
                " SPBE_KAFKA_USERNAME and SPBE_KAFKA_PASSWORD"
            )
        password = self.kafka_password.get_secret_value()
        if self.environment is Environment.PRODUCTION and (
            password.lower() in KAFKA_PLACEHOLDER_PASSWORDS or len(password) < 16
        ):
            raise ValueError("SPBE_KAFKA_PASSWORD is a placeholder or shorter than 16 characters")
        return self
