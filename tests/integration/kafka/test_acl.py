"""The bus is closed (issue 9): on the real broker of deploy/local/services.sh, with the ACLs that
deploy/kafka/provision.py grants, only the collector publishes to the events topic, only the
inventory reads it (and writes dead letters), the scorer writes scores, only the inventory writes
scan requests and only the collector reads them (issue 10), and a client without credentials can
neither publish nor read.

The grants are made for this module's own topic prefix, exactly as compose makes them for the
contract's topics, and removed afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from integration.conftest import kafka_client, kafka_user
from integration.kafka.stack import drop_topics, end_offsets
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import (
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePatternFilter,
    ResourceType,
)
from kafka.errors import (
    GroupAuthorizationFailedError,
    KafkaTimeoutError,
    TopicAuthorizationFailedError,
)

from spbe_common.bus import Record, dead_letter, publish
from spbe_common.bus.kafka import PRODUCER_CONFIG, DeliveryFailed, KafkaBus, KafkaBusProducer
from spbe_common.events import EventType, Topic, from_binary, new_event
from spbe_common.events.enums import ScanStatus
from spbe_common.events.payloads import ScanCompleted, ScanRequested, ScanScope
from spbe_common.settings import BusBackend, BusSettings

PROVISION = Path(__file__).resolve().parents[3] / "deploy" / "kafka" / "provision.py"
SERVICES = ("collector", "inventory", "scorer")
REFUSED_WITHIN_S = 3  # a client the broker turns away gives up this fast in these tests


@dataclass(frozen=True)
class Broker:
    bootstrap: str
    prefix: str
    group: str
    collector_group: str

    def topic(self, topic: Topic) -> str:
        return self.prefix + topic.value

    def bus(self, service: str) -> KafkaBus:
        settings = BusSettings(
            bus=BusBackend.KAFKA, kafka_bootstrap_servers=self.bootstrap, **kafka_user(service)
        )
        return KafkaBus(settings, topic_prefix=self.prefix)

    def records(self, topic: Topic) -> int:
        return sum(end_offsets(self.bootstrap, self.topic(topic)).values())


def provision(bootstrap: str, prefix: str, group: str, collector_group: str) -> None:
    """deploy/kafka/provision.py as compose's kafka-init runs it, for this prefix and group."""
    admin = kafka_user()
    env = {
        **os.environ,
        "SPBE_ENVIRONMENT": "test",
        "SPBE_BUS": "kafka",
        "SPBE_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "SPBE_KAFKA_SECURITY_PROTOCOL": admin["kafka_security_protocol"],
        "SPBE_KAFKA_SASL_MECHANISM": admin["kafka_sasl_mechanism"],
        "SPBE_KAFKA_USERNAME": admin["kafka_username"],
        "SPBE_KAFKA_PASSWORD": admin["kafka_password"],
        "SPBE_KAFKA_TOPIC_PREFIX": prefix,
        "SPBE_KAFKA_PARTITIONS": "1",
        "KAFKA_INVENTORY_GROUP": group,
        "KAFKA_COLLECTOR_GROUP": collector_group,
    }
    for service in SERVICES:
        env[f"KAFKA_{service.upper()}_PASSWORD"] = kafka_user(service)["kafka_password"]
    done = subprocess.run(
        [sys.executable, str(PROVISION)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def revoke(bootstrap: str, broker: Broker) -> None:
    """Delete every ACL on this module's topics and group."""
    resources = [(ResourceType.TOPIC, broker.topic(t)) for t in Topic]
    resources += [(ResourceType.GROUP, g) for g in (broker.group, broker.collector_group)]
    admin = KafkaAdminClient(**kafka_client(bootstrap))
    try:
        admin.delete_acls(
            [
                ACLFilter(None, None, ACLOperation.ANY, ACLPermissionType.ANY, pattern)
                for pattern in (
                    ResourcePatternFilter(kind, name, ACLResourcePatternType.LITERAL)
                    for kind, name in resources
                )
            ]
        )
    finally:
        admin.close()


@pytest.fixture(scope="module")
def broker(kafka_bootstrap: str) -> Iterator[Broker]:
    run = uuid.uuid4().hex[:8]
    found = Broker(
        kafka_bootstrap, f"it.acl.{run}.", f"it.acl.{run}.inventory", f"it.acl.{run}.collector"
    )
    provision(kafka_bootstrap, found.prefix, found.group, found.collector_group)
    yield found
    revoke(kafka_bootstrap, found)
    drop_topics(kafka_bootstrap, found.prefix)


def scan_completed() -> list:
    scope = ScanScope(key="acl-lan", opd="ACL", ranges=["127.0.0.0/30"])
    now = datetime.now(UTC)
    data = ScanCompleted(
        scan_id=uuid.uuid4().hex,
        scope=scope,
        profile="discovery",
        status=ScanStatus.COMPLETE,
        started_at=now,
        finished_at=now,
        hosts_up=0,
    )
    event = new_event(EventType.SCAN_COMPLETED, data, source="acl-test", scope=scope.key)
    return [event]


def client(broker: Broker, service: str | None) -> dict[str, Any]:
    """A service's credentials, or none at all; either way it gives up on a refusal quickly."""
    if service is None:
        config = {"bootstrap_servers": [broker.bootstrap], "security_protocol": "PLAINTEXT"}
    else:
        config = kafka_client(broker.bootstrap, service)
    return config | {"bootstrap_timeout_ms": REFUSED_WITHIN_S * 1000}


def quick_producer(broker: Broker, service: str | None) -> KafkaBusProducer:
    """The production producer with these credentials."""
    config = client(broker, service) | PRODUCER_CONFIG | {"max_block_ms": REFUSED_WITHIN_S * 1000}
    return KafkaBusProducer(config, broker.prefix)


def publish_scan_completed(broker: Broker, service: str | None) -> None:
    producer = quick_producer(broker, service)
    try:
        publish(producer, scan_completed())
        producer.flush()
    finally:
        producer._producer.close(timeout=1)  # not close(): it would flush the refused record again


def read_events(broker: Broker, service: str | None, group: str | None) -> int:
    """Records a client sees on the events topic from its start, within a few seconds."""
    consumer = KafkaConsumer(
        **client(broker, service),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    try:
        consumer.assign([TopicPartition(broker.topic(Topic.EVENTS), 0)])
        deadline, seen = time.monotonic() + REFUSED_WITHIN_S, 0
        while time.monotonic() < deadline and not seen:
            seen += sum(len(r) for r in consumer.poll(timeout_ms=500).values())
        return seen
    finally:
        consumer.close(autocommit=False)


def read_or_refusal(broker: Broker, service: str, group: str | None) -> int | str:
    try:
        return read_events(broker, service, group)
    except (TopicAuthorizationFailedError, GroupAuthorizationFailedError) as refused:
        return type(refused).__name__


def test_collector_publishes_scan_completed(broker: Broker) -> None:
    before = broker.records(Topic.EVENTS)

    publish_scan_completed(broker, "collector")

    assert broker.records(Topic.EVENTS) == before + 1


def test_a_client_without_credentials_cannot_publish_scan_completed(broker: Broker) -> None:
    publish_scan_completed(broker, "collector")  # something it could read, were it allowed
    before = broker.records(Topic.EVENTS)

    with pytest.raises(KafkaTimeoutError):  # the SASL listener drops it before any request
        publish_scan_completed(broker, None)
    with pytest.raises(KafkaTimeoutError):
        read_events(broker, None, None)

    assert broker.records(Topic.EVENTS) == before


@pytest.mark.parametrize("service", ["scorer", "inventory"])
def test_only_the_collector_may_publish_to_the_events_topic(broker: Broker, service: str) -> None:
    before = broker.records(Topic.EVENTS)

    with pytest.raises(DeliveryFailed) as refused:
        publish_scan_completed(broker, service)

    assert isinstance(refused.value.__cause__, TopicAuthorizationFailedError)
    assert broker.records(Topic.EVENTS) == before


def test_scorer_writes_scores(broker: Broker) -> None:
    before = broker.records(Topic.SCORES)
    producer = broker.bus("scorer").producer()
    try:
        producer.send(Topic.SCORES.value, b"run", b"{}", [])
        producer.flush()
    finally:
        producer.close()

    assert broker.records(Topic.SCORES) == before + 1


def test_inventory_reads_events_in_its_group_and_writes_dead_letters(broker: Broker) -> None:
    publish_scan_completed(broker, "collector")
    consumer = broker.bus("inventory").consumer(broker.group, [Topic.EVENTS.value])
    producer = broker.bus("inventory").producer()
    try:
        deadline, records = time.monotonic() + 15, list[Record]()
        while not records and time.monotonic() < deadline:
            records = consumer.poll(10, 0.5)
        assert records, "the inventory read nothing from the events topic"
        consumer.commit(records)
        dead_before = broker.records(Topic.DEAD_LETTER)
        dead_letter(producer, records[0], "acl test", "acl-test")
        producer.flush()
    finally:
        producer.close()
        consumer.close()

    assert broker.records(Topic.DEAD_LETTER) == dead_before + 1


@pytest.mark.parametrize("service", ["collector", "scorer"])
def test_other_services_cannot_read_the_events_topic(broker: Broker, service: str) -> None:
    publish_scan_completed(broker, "collector")

    # without a group only the topic's grants decide: refused, or (no DESCRIBE) never found
    assert read_or_refusal(broker, service, None) in (0, "TopicAuthorizationFailedError")
    assert read_or_refusal(broker, service, broker.group) == "GroupAuthorizationFailedError"


def scan_requested() -> list:
    data = ScanRequested(
        request_id=uuid.uuid4().hex,
        scope="acl-lan",
        opd="ACL",
        requested_by="operator",
        requested_at=datetime.now(UTC),
    )
    return [new_event(EventType.SCAN_REQUESTED, data, source="acl-test", scope=data.scope)]


def request_scan(broker: Broker, service: str) -> None:
    producer = quick_producer(broker, service)
    try:
        publish(producer, scan_requested())
        producer.flush()
    finally:
        producer._producer.close(timeout=1)


def test_inventory_requests_scans_and_the_collector_reads_them_in_its_group(
    broker: Broker,
) -> None:
    before = broker.records(Topic.SCAN_REQUESTS)
    request_scan(broker, "inventory")
    assert broker.records(Topic.SCAN_REQUESTS) == before + 1

    consumer = broker.bus("collector").consumer(broker.collector_group, [Topic.SCAN_REQUESTS.value])
    try:
        deadline, records = time.monotonic() + 15, list[Record]()
        while not records and time.monotonic() < deadline:
            records = consumer.poll(10, 0.5)
        assert records, "the collector read no scan request"
        consumer.commit(records)
    finally:
        consumer.close()
    assert from_binary(records[0].headers, records[0].value).type is EventType.SCAN_REQUESTED


@pytest.mark.parametrize("service", ["collector", "scorer"])
def test_only_the_inventory_may_request_scans(broker: Broker, service: str) -> None:
    before = broker.records(Topic.SCAN_REQUESTS)

    with pytest.raises(DeliveryFailed) as refused:
        request_scan(broker, service)

    assert isinstance(refused.value.__cause__, TopicAuthorizationFailedError)
    assert broker.records(Topic.SCAN_REQUESTS) == before


def test_the_collector_reads_scan_requests_only_in_its_own_group(broker: Broker) -> None:
    request_scan(broker, "inventory")
    consumer = KafkaConsumer(
        **client(broker, "collector"), group_id=broker.group, enable_auto_commit=False
    )
    try:
        consumer.assign([TopicPartition(broker.topic(Topic.SCAN_REQUESTS), 0)])
        with pytest.raises(GroupAuthorizationFailedError):
            for _ in range(REFUSED_WITHIN_S * 2):
                consumer.poll(timeout_ms=500)
    finally:
        consumer.close(autocommit=False)
