"""Fixtures of the crash and fault tests: inventories on real Kafka, each with its own database."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from integration.conftest import drop_database
from integration.kafka.stack import KafkaInventory, build, drop_topics
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

MakeInventory = Callable[..., KafkaInventory]


@pytest.fixture
def topic_prefix(kafka_bootstrap: str, unique_name: str) -> Iterator[str]:
    """This test's namespace on the shared broker; its topics are deleted afterwards."""
    prefix = f"{unique_name}."
    yield prefix
    drop_topics(kafka_bootstrap, prefix)


@pytest.fixture
def make_inventory(
    kafka_bootstrap: str, postgres_url: str, unique_name: str, topic_prefix: str
) -> Iterator[MakeInventory]:
    """Build inventories, each on a new empty PostgreSQL database, all dropped at the end.

    `make_inventory(name, prefix=...)` uses group `<test>.<name>`; prefix defaults to the test's.
    """
    server = make_url(postgres_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    built: list[tuple[KafkaInventory, str]] = []

    def make(name: str, prefix: str | None = None, batch_size: int = 100) -> KafkaInventory:
        database = f"spbe_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        url = server.set(database=database).render_as_string(hide_password=False)
        group = f"{unique_name}.{name}"
        chosen = topic_prefix if prefix is None else prefix
        inventory = build(kafka_bootstrap, url, group, chosen, batch_size)
        built.append((inventory, database))
        return inventory

    yield make
    for inventory, database in built:
        inventory.close()
        drop_database(admin, database)  # waits out an autovacuum worker, as every test database
    admin.dispose()
