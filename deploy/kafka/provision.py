#!/usr/bin/env python3
"""Kafka users, topics and ACLs of SPBE Inventory, made idempotently by the admin principal.

Run by deploy/local/services.sh once the local broker answers, and by the `kafka-init` one-shot of
docker-compose.yml. Safe to run again: users are upserted (a changed password takes effect),
topics and ACLs that exist are left alone. Configured through the environment:

  SPBE_KAFKA_BOOTSTRAP_SERVERS, SPBE_KAFKA_SECURITY_PROTOCOL, SPBE_KAFKA_SASL_MECHANISM
  SPBE_KAFKA_USERNAME, SPBE_KAFKA_PASSWORD   the admin: a super user of the broker
  SPBE_KAFKA_TOPIC_PREFIX, SPBE_KAFKA_PARTITIONS, SPBE_KAFKA_REPLICATION_FACTOR
  KAFKA_COLLECTOR_PASSWORD, KAFKA_INVENTORY_PASSWORD, KAFKA_SCORER_PASSWORD   one per service
  KAFKA_INVENTORY_GROUP   the inventory's consumer group (SPBE_CONSUMER_GROUP; spbe-inventory)
  KAFKA_COLLECTOR_GROUP   the collector's group for scan requests (spbe-collector)

Every grant names a whole topic (LITERAL, prefix included): a PREFIXED grant on `spbe.events`
would also cover `spbe.events.dlq`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import (
    ACL,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourceType,
    ScramMechanism,
    UserScramCredentialUpsertion,
)

from spbe_common.bus.kafka import KafkaBus, client_config
from spbe_common.events import Topic
from spbe_common.settings import BusSettings

SCRAM_ITERATIONS = 8192
READ, WRITE, DESCRIBE = ACLOperation.READ, ACLOperation.WRITE, ACLOperation.DESCRIBE


@dataclass(frozen=True)
class Grant:
    user: str
    resource: ResourceType
    name: str
    operations: tuple[ACLOperation, ...]


def grants(prefix: str, inventory_group: str, collector_group: str) -> list[Grant]:
    """What each service may do, and nothing more: the bus half of the access matrix. Scan
    requests go one way: the inventory (its pages) writes them, the collector reads them."""
    events, dead = prefix + Topic.EVENTS.value, prefix + Topic.DEAD_LETTER.value
    scores, requests = prefix + Topic.SCORES.value, prefix + Topic.SCAN_REQUESTS.value
    return [
        Grant("collector", ResourceType.TOPIC, events, (WRITE, DESCRIBE)),
        Grant("collector", ResourceType.TOPIC, requests, (READ, DESCRIBE)),
        Grant("collector", ResourceType.GROUP, collector_group, (READ,)),
        Grant("inventory", ResourceType.TOPIC, events, (READ, DESCRIBE)),
        Grant("inventory", ResourceType.GROUP, inventory_group, (READ,)),
        Grant("inventory", ResourceType.TOPIC, dead, (WRITE, DESCRIBE)),
        Grant("inventory", ResourceType.TOPIC, requests, (WRITE, DESCRIBE)),
        Grant("scorer", ResourceType.TOPIC, scores, (WRITE, DESCRIBE)),
    ]


def acls(grant: Grant) -> list[ACL]:
    pattern = ResourcePattern(grant.resource, grant.name, ACLResourcePatternType.LITERAL)
    return [
        ACL(f"User:{grant.user}", "*", op, ACLPermissionType.ALLOW, pattern)
        for op in grant.operations
    ]


def service_passwords() -> dict[str, str]:
    passwords = {}
    for user in ("collector", "inventory", "scorer"):
        password = os.environ.get(f"KAFKA_{user.upper()}_PASSWORD", "")
        if len(password) < 16:
            sys.exit(f"KAFKA_{user.upper()}_PASSWORD is missing or shorter than 16 characters")
        passwords[user] = password
    return passwords


def upsert_users(admin: KafkaAdminClient, mechanism: str, passwords: dict[str, str]) -> None:
    scram = ScramMechanism[mechanism.replace("-", "_")]
    alterations = [
        UserScramCredentialUpsertion(user, scram, password, iterations=SCRAM_ITERATIONS)
        for user, password in passwords.items()
    ]
    failed = {u: e for u, e in admin.alter_user_scram_credentials(alterations).items() if e}
    if failed:
        sys.exit(f"SCRAM users not stored: {failed}")


def create_acls(admin: KafkaAdminClient, wanted: list[ACL]) -> None:
    result = admin.create_acls(wanted)
    if result["failed"]:
        sys.exit(f"ACLs not created: {result['failed']}")


def main() -> None:
    settings = BusSettings()
    passwords = service_passwords()
    group = os.environ.get("KAFKA_INVENTORY_GROUP") or "spbe-inventory"
    collector_group = os.environ.get("KAFKA_COLLECTOR_GROUP") or "spbe-collector"
    allowed = grants(settings.kafka_topic_prefix, group, collector_group)
    wanted = [acl for grant in allowed for acl in acls(grant)]
    admin = KafkaAdminClient(**client_config(settings))
    try:
        upsert_users(admin, settings.kafka_sasl_mechanism.value, passwords)
        KafkaBus(settings, settings.kafka_topic_prefix).ensure_topics(t.value for t in Topic)
        create_acls(admin, wanted)
    finally:
        admin.close()
    print(f"kafka: {len(passwords)} users, {len(Topic)} topics, {len(wanted)} ACLs in place")


if __name__ == "__main__":
    main()
