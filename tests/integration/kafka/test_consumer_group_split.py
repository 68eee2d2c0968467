"""Two inventory consumers in one group split the partitions and together build the catalogue
that a single consumer builds from the same records, also when one joins while the other is
writing a batch."""

from __future__ import annotations

import time

from integration.kafka.conftest import MakeInventory
from integration.kafka.stack import (
    PARTITIONS,
    BackgroundConsumer,
    caught_up,
    consume_until_caught_up,
    duplicate_history,
    end_offsets,
    group_members,
    publish_all,
    stable_snapshot,
    wait_until,
)
from sqlalchemy import event
from synthetic import scan_stream

from spbe_inventory.db import make_engine
from spbe_inventory.ingest.consumer import InventoryConsumer


def test_two_consumers_split_the_partitions_and_build_the_catalogue_of_one(
    make_inventory: MakeInventory, kafka_bootstrap: str
) -> None:
    pair = make_inventory("pair", batch_size=50)
    single = make_inventory("single")
    members = [BackgroundConsumer(pair.consumer()) for _ in range(2)]

    def split() -> bool:
        owned = group_members(kafka_bootstrap, pair.group)
        return len(owned) == 2 and all(owned) and sum(map(len, owned)) == PARTITIONS

    wait_until(split, 60, "two members sharing the six partitions")
    first, second = group_members(kafka_bootstrap, pair.group)
    assert not first & second and first | second == set(range(PARTITIONS))

    # 12 scopes: every scope is one partition key, so both members get scans to fold
    events = list(scan_stream(scopes=12, hosts=150, scans=3, absent_every=6, partial_every=3))
    publish_all(pair.bus, events)
    target = end_offsets(kafka_bootstrap, pair.events_topic)
    assert any(target[p] for p in first) and any(target[p] for p in second)

    wait_until(
        lambda: (
            all(m.alive() for m in members)
            and caught_up(kafka_bootstrap, pair.group, pair.events_topic, target)
        ),
        120,
        "the pair to fold the whole stream",
    )
    for member in members:
        member.join()
    consume_until_caught_up(single, single.consumer(), target)

    assert pair.count("SELECT count(*) FROM processed_event") == len(events)
    assert duplicate_history(pair.engine) == []
    assert stable_snapshot(pair.engine) == stable_snapshot(single.engine)


def test_a_member_joining_while_a_batch_is_written_gets_it_committed_first(
    make_inventory: MakeInventory, kafka_bootstrap: str
) -> None:
    """The first member writes slowly, so the group's rebalance arrives while a batch is being
    written (in the poll for the next one): it finishes and commits that batch inside the
    rebalance listener, and the new member starts after it. Nothing is folded twice or set aside,
    and the catalogue is the one a single consumer builds."""
    pair = make_inventory("joining", batch_size=50)
    single = make_inventory("alone")
    events = list(scan_stream(scopes=12, hosts=80, scans=2, absent_every=6))
    publish_all(pair.bus, events)
    target = end_offsets(kafka_bootstrap, pair.events_topic)

    slow = make_engine(pair.settings.database_url)
    event.listen(slow, "begin", lambda _conn: time.sleep(0.3))  # every batch's transaction
    first = InventoryConsumer(
        slow, pair.bus, group_id=pair.group, batch_size=50, poll_timeout_s=0.2
    )
    finished_in_rebalance: list[bool] = []

    def before_revoke() -> None:
        finished_in_rebalance.append(first._in_flight is not None)
        first._finish_in_flight()

    first.bus_consumer.before_revoke(before_revoke)
    members = [BackgroundConsumer(first)]
    try:
        wait_until(
            lambda: pair.count("SELECT count(*) FROM processed_event") > 0, 60, "a first batch"
        )
        members.append(BackgroundConsumer(pair.consumer()))
        wait_until(
            lambda: (
                all(m.alive() for m in members)
                and caught_up(kafka_bootstrap, pair.group, pair.events_topic, target)
            ),
            120,
            "the pair to fold the whole stream",
        )
    finally:
        for member in members:
            member.join()
        first.close()
        slow.dispose()
    assert True in finished_in_rebalance  # the rebalance came while a batch was being written
    consume_until_caught_up(single, single.consumer(), target)

    assert pair.count("SELECT count(*) FROM processed_event") == len(events)
    assert pair.count("SELECT count(*) FROM rejected_event") == 0
    assert duplicate_history(pair.engine) == []
    assert stable_snapshot(pair.engine) == stable_snapshot(single.engine)
