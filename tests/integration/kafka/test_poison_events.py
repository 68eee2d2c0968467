"""1,000 poison records (undecodable, invalid, unknown type) mixed into a stream all land in the
dead-letter topic with their original record and a reason, while every valid event is ingested."""

from __future__ import annotations

from collections import Counter

from integration.kafka.conftest import MakeInventory
from integration.kafka.stack import consume_until_caught_up, end_offsets
from kafka import KafkaConsumer
from synthetic import scan_stream

from spbe_common.bus import publish
from spbe_common.events import Event, Headers, Topic, to_binary

POISON = 1000
KINDS = ("undecodable", "not_utf8", "missing_attributes", "invalid_data", "unknown_type")
EXPECTED_REASON = {
    "undecodable": "invalid event",
    "not_utf8": "not UTF-8",
    "missing_attributes": "missing CloudEvents attributes",
    "invalid_data": "invalid event",
    "unknown_type": "unknown event type",
}


def poison(n: int, template: Event) -> tuple[bytes, Headers]:
    """Record n of the poison stream; its key names it so it can be found in the dead letters."""
    headers, value = to_binary(template)
    kind = KINDS[n % len(KINDS)]
    if kind == "undecodable":
        return b"\x00not json " + str(n).encode(), headers
    if kind == "not_utf8":
        return value, [*headers, ("ce_scope", b"\xff\xfe")]
    if kind == "missing_attributes":
        return value, [h for h in headers if h[0] not in ("ce_id", "ce_source")]
    if kind == "invalid_data":
        return b'{"addresses": "not a list", "n": %d}' % n, headers
    return value, [(k, b"asset.exploded" if k == "ce_type" else v) for k, v in headers]


def read_dead_letters(bootstrap: str, topic: str, expected: int) -> list:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=5000
    )
    try:
        records = []
        for record in consumer:
            records.append(record)
            if len(records) >= expected:
                break
        return records
    finally:
        consumer.close()


def test_poison_goes_to_the_dead_letter_topic_and_valid_events_are_ingested(
    make_inventory: MakeInventory, kafka_bootstrap: str
) -> None:
    inventory = make_inventory("poison", batch_size=200)
    valid = list(scan_stream(scopes=3, hosts=300, scans=2, absent_every=7))
    template = valid[1]  # an asset.observed
    producer = inventory.bus.producer()
    sent_poison: dict[bytes, tuple[str, bytes]] = {}
    for i, event in enumerate(valid):
        publish(producer, [event])
        while len(sent_poison) < (i + 1) * POISON // len(valid):  # spread through the stream
            n = len(sent_poison)
            value, headers = poison(n, template)
            key = b"poison-%d" % n
            producer.send(Topic.EVENTS.value, key, value, headers)
            sent_poison[key] = (KINDS[n % len(KINDS)], value)
    producer.flush()
    producer.close()
    assert len(sent_poison) == POISON
    target = end_offsets(kafka_bootstrap, inventory.events_topic)

    consume_until_caught_up(inventory, inventory.consumer(), target)

    assert inventory.count("SELECT count(*) FROM processed_event") == len(valid)
    assert inventory.count("SELECT count(*) FROM asset") == 3 * 300
    assert inventory.count("SELECT count(*) FROM scan WHERE status = 'complete'") == 6
    assert inventory.count("SELECT count(*) FROM rejected_event") == POISON

    dlq_topic = inventory.bus.topic_prefix + Topic.DEAD_LETTER.value
    dead = read_dead_letters(kafka_bootstrap, dlq_topic, POISON + 1)
    assert len(dead) == POISON
    kinds: Counter[str] = Counter()
    for record in dead:
        kind, value = sent_poison[record.key]
        headers = dict(record.headers)
        assert record.value == value  # the original record, untouched
        assert EXPECTED_REASON[kind] in headers["dlq_reason"].decode()
        assert headers["dlq_topic"].decode() == inventory.events_topic
        assert headers["dlq_source"] == b"spbe-inventory"
        kinds[kind] += 1
    assert kinds == Counter({kind: POISON // len(KINDS) for kind in KINDS})
