"""Two inventory consumers in one group split the partitions and together build the catalogue
that a single consumer builds from the same records."""

from __future__ import annotations

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
from synthetic import scan_stream


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
