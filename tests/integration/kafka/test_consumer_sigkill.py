"""`spbe consume` on Kafka and PostgreSQL, killed with SIGKILL mid-batch and restarted, ends with
exactly the catalogue of an uninterrupted run and no history row written twice."""

from __future__ import annotations

import signal
import subprocess

from integration.kafka.conftest import MakeInventory
from integration.kafka.stack import (
    KafkaInventory,
    caught_up,
    consume_until_caught_up,
    duplicate_history,
    end_offsets,
    publish_all,
    spbe_consume,
    stable_snapshot,
    start_group_at_end,
    wait_until,
)
from synthetic import scan_stream

from spbe_common.events import Event, Topic

BATCH = 25
PROCESSED = "SELECT count(*) FROM processed_event"


def stream() -> list[Event]:
    events = list(scan_stream(scopes=6, hosts=200, scans=4, absent_every=10, partial_every=3))
    return events + events[100:400]  # a producer retry re-sends part of the stream


def _run_until(inventory: KafkaInventory, target: int) -> None:
    """Start `spbe consume`, wait until `target` events are folded in, then SIGKILL it."""
    proc = spbe_consume(inventory.settings, BATCH)
    try:
        wait_until(
            lambda: proc.poll() is None and inventory.count(PROCESSED) >= target,
            120,
            f"{target} events processed (consumer exit code {proc.poll()})",
            poll_s=0.02,
        )
    finally:
        proc.send_signal(signal.SIGKILL)  # no clean-up of any kind
        proc.wait()


def _run_to_the_end(inventory: KafkaInventory, unique: int, target: dict[int, int]) -> None:
    proc = spbe_consume(inventory.settings, BATCH)
    bootstrap, topic = inventory.settings.kafka_bootstrap_servers, Topic.EVENTS.value
    try:
        wait_until(
            lambda: (
                proc.poll() is None
                and inventory.count(PROCESSED) >= unique
                and caught_up(bootstrap, inventory.group, topic, target)
            ),
            120,
            f"the restarted consumer to catch up (exit code {proc.poll()})",
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0, "SIGTERM is a graceful stop"


def test_sigkill_mid_batch_then_restart_gives_the_uninterrupted_catalogue(
    make_inventory: MakeInventory, kafka_bootstrap: str
) -> None:
    # `spbe consume` has no topic-prefix setting: both groups read the contract's own topic,
    # moved to its end first, so they see exactly the records published below
    reference = make_inventory("reference", prefix="")
    crashed = make_inventory("crashed", prefix="")
    topic = Topic.EVENTS.value
    for inventory in (reference, crashed):
        start_group_at_end(kafka_bootstrap, inventory.group, topic)
    events = stream()
    unique = len({e.id for e in events})
    publish_all(reference.bus, events)
    target = end_offsets(kafka_bootstrap, topic)

    consume_until_caught_up(reference, reference.consumer(), target)
    assert reference.count(PROCESSED) == unique

    for fraction in (0.2, 0.45, 0.7):
        _run_until(crashed, int(unique * fraction))
    processed_at_kill = crashed.count(PROCESSED)
    assert processed_at_kill < unique, "the kill came after the end of the stream"
    _run_to_the_end(crashed, unique, target)

    assert duplicate_history(crashed.engine) == []
    assert stable_snapshot(crashed.engine) == stable_snapshot(reference.engine)
