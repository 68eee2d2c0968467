"""End to end on the production path: a KafkaBus producer publishes scans, the inventory consumer
folds them into PostgreSQL, and the catalogue is read back through the inventory API.

Needs the real servers of deploy/local/services.sh; without them the tests fail, never skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from harness import bearer, grant
from integration import conftest as servers
from integration.kafka.stack import (
    KafkaInventory,
    build,
    consume_until_caught_up,
    drop_topics,
    end_offsets,
    publish_all,
)
from synthetic import scan_stream

from spbe_inventory.api.app import create_app

# the real-server fixtures of tests/integration (fail when SPBE_TEST_* are not set)
kafka_bootstrap = servers.kafka_bootstrap
postgres_url = servers.postgres_url
fresh_database_url = servers.fresh_database_url
unique_name = servers.unique_name

SCOPES, HOSTS, ABSENT_EVERY = 3, 40, 4


@pytest.fixture
def inventory(
    kafka_bootstrap: str, fresh_database_url: str, unique_name: str
) -> Iterator[KafkaInventory]:
    prefix = f"{unique_name}."
    built = build(kafka_bootstrap, fresh_database_url, f"{unique_name}.g", prefix)
    yield built
    built.close()
    drop_topics(kafka_bootstrap, prefix)


def get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_published_scans_appear_in_the_catalogue_through_the_api(
    inventory: KafkaInventory,
) -> None:
    # round 0 sees every host; round 1 misses one host in ABSENT_EVERY and completes
    events = list(scan_stream(scopes=SCOPES, hosts=HOSTS, scans=2, absent_every=ABSENT_EVERY))
    assert publish_all(inventory.bus, events) == len(events)
    target = end_offsets(inventory.settings.kafka_bootstrap_servers, inventory.events_topic)
    assert sum(target.values()) == len(events)

    consume_until_caught_up(inventory, inventory.consumer(), target)

    client = TestClient(
        create_app(inventory.settings, inventory.engine), headers=bearer(grant(inventory.engine))
    )
    assets = get(client, "/api/v1/assets", limit=500)
    assert assets["count"] == SCOPES * HOSTS
    by_address = {a["address"]: a for a in assets["data"]}
    missing = {a for a, row in by_address.items() if row["lifecycle"] == "missing"}
    assert len(missing) == SCOPES * HOSTS // ABSENT_EVERY
    assert "127.1.0.1" in missing and by_address["127.1.0.2"]["lifecycle"] == "active"

    detail = get(client, f"/api/v1/assets/{by_address['127.2.0.2']['id']}")
    assert detail["scope"] == "opd02-lan" and detail["opd_code"] == "OPD02"
    assert {s["port"] for s in detail["services"]} == {443, 22}

    history = get(client, f"/api/v1/assets/{by_address['127.1.0.1']['id']}/history")["data"]
    assert history[0]["action"] == "marked_missing"

    scans = {s["scan_id"]: s for s in get(client, "/api/v1/scans", limit=100)["data"]}
    assert len(scans) == SCOPES * 2
    assert scans["scan-1-1"]["status"] == "complete"
    assert scans["scan-1-1"]["marked_missing"] == HOSTS // ABSENT_EVERY
    assert scans["scan-0-1"]["hosts_up"] == HOSTS


def test_a_redelivered_stream_changes_nothing(inventory: KafkaInventory) -> None:
    events = list(scan_stream(scopes=2, hosts=30, scans=1))
    publish_all(inventory.bus, events)
    publish_all(inventory.bus, events[10:40])  # a producer retry after a lost acknowledgement
    target = end_offsets(inventory.settings.kafka_bootstrap_servers, inventory.events_topic)

    consume_until_caught_up(inventory, inventory.consumer(), target)

    client = TestClient(
        create_app(inventory.settings, inventory.engine), headers=bearer(grant(inventory.engine))
    )
    assert get(client, "/api/v1/assets")["count"] == 60
    assert inventory.count("SELECT count(*) FROM processed_event") == len(events)
    history = inventory.count("SELECT count(*) FROM history WHERE action = 'created'")
    assert history == 60
