"""Fixtures for tests against real servers: Kafka and PostgreSQL from deploy/local/services.sh.

A missing server is a failure, never a skip: a green run must mean the integration tests ran.
The broker authenticates every client (SASL/SCRAM): tests act as its admin, a super user, unless
they choose a service user (SPBE_TEST_KAFKA_<SERVICE>_USERNAME/PASSWORD) or no credentials.
"""

from __future__ import annotations

import os
import re
import time
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool

from spbe_common.bus.kafka import client_config
from spbe_common.settings import BusBackend, BusSettings

START_HINT = 'start them with: eval "$(deploy/local/services.sh start)"'


def _required_env(name: str, what: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        pytest.fail(f"{name} is not set: integration tests need a real {what}; {START_HINT}")
    return value


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """host:port of the real broker (SPBE_TEST_KAFKA_BOOTSTRAP); its admin signs in with
    SPBE_TEST_KAFKA_USERNAME/PASSWORD (`kafka_user`)."""
    kafka_user()  # a broker without its credentials is unusable: say so here, not in a timeout
    return _required_env("SPBE_TEST_KAFKA_BOOTSTRAP", "Kafka broker")


def kafka_user(service: str | None = None) -> dict[str, Any]:
    """Settings fields that sign in to the test broker as its admin, or as one service's user."""
    prefix = f"SPBE_TEST_KAFKA_{service.upper()}_" if service else "SPBE_TEST_KAFKA_"
    return {
        "kafka_security_protocol": "SASL_PLAINTEXT",
        "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_username": _required_env(f"{prefix}USERNAME", "Kafka user"),
        "kafka_password": _required_env(f"{prefix}PASSWORD", "Kafka password"),
    }


def kafka_client(bootstrap: str, service: str | None = None) -> dict[str, Any]:
    """kafka-python arguments for a client of the test broker (the admin's unless `service`)."""
    user = kafka_user(service)
    return client_config(
        BusSettings(bus=BusBackend.KAFKA, kafka_bootstrap_servers=bootstrap, **user)
    )


@pytest.fixture(autouse=True)
def _kafka_admin_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Kafka client a test builds without credentials signs in as the admin: settings read
    SPBE_KAFKA_*, and bare kafka-python clients start from the patched defaults. Undone after
    each test; a client that passes its own security_protocol or user keeps them."""
    if not os.environ.get("SPBE_TEST_KAFKA_PASSWORD"):
        return  # the Kafka fixtures fail with the reason when a test needs the broker
    for field, value in kafka_user().items():
        monkeypatch.setenv(f"SPBE_{field.upper()}", value)
    bootstrap = os.environ.get("SPBE_TEST_KAFKA_BOOTSTRAP", "")
    security = {
        key: value
        for key, value in kafka_client(bootstrap).items()
        if key.startswith(("security_", "sasl_"))
    }
    for client in (KafkaAdminClient, KafkaConsumer, KafkaProducer):
        for key, value in security.items():
            monkeypatch.setitem(client.DEFAULT_CONFIG, key, value)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """SQLAlchemy URL of the real PostgreSQL database (SPBE_TEST_DATABASE_URL)."""
    return _required_env("SPBE_TEST_DATABASE_URL", "PostgreSQL server")


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """A name no other test uses: for a topic, a topic prefix or a consumer group."""
    readable = re.sub(r"[^a-zA-Z0-9._-]+", "-", request.node.name)[:80].strip("-")
    return f"it.{readable}.{uuid.uuid4().hex[:8]}"


@pytest.fixture
def fresh_database_url(postgres_url: str) -> Iterator[str]:
    """The URL of a new empty database on the real server, dropped after the test."""
    server = make_url(postgres_url)
    name = f"spbe_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(admin, name)
        admin.dispose()


def drop_database(admin: Engine, name: str) -> None:
    """Drop a test database. An autovacuum worker (a superuser backend our role may not end) can
    hold it for a moment: wait for it a few times, then leave the throw-away database behind."""
    for attempt in range(10):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except ProgrammingError as exc:
            if type(exc.orig).__name__ != "InsufficientPrivilege":
                raise
            if attempt == 9:
                warnings.warn(f"test database {name} left behind: {exc.orig}", stacklevel=2)
                return
            time.sleep(0.5)
