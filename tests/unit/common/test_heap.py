"""The garbage collector of a long-running service is settled before it serves (spbe_common.heap)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from spbe_common import heap
from spbe_inventory import cli as inventory_cli
from spbe_inventory import runtime


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        gc.enable()


class _Node:
    """A container the collector tracks, which a weak reference can watch."""

    me: object = None


def _walked(obj: object) -> bool:
    """Whether the cyclic collector walks `obj` (frozen objects are in no generation)."""
    return any(o is obj for o in gc.get_objects())


def test_settle_freezes_what_the_process_holds_and_collects_the_young_less_often(
    restored_gc: None,
) -> None:
    gc.unfreeze()
    kept: list[object] = []  # built at start-up, lives for the process
    assert _walked(kept)
    middle, oldest = gc.get_threshold()[1:]
    heap.settle()
    assert not _walked(kept) and gc.get_freeze_count() > 0
    assert gc.get_threshold() == (heap.YOUNG_THRESHOLD, middle, oldest)
    made_after = _Node()
    made_after.me = made_after  # a cycle made while serving
    assert _walked(made_after)
    gone = weakref.ref(made_after)
    del made_after
    kept_while_serving = [[] for _ in range(2 * heap.YOUNG_THRESHOLD)]
    assert gone() is None  # collected by the collector's own young pass, no gc.collect() here
    assert len(kept_while_serving) == 2 * heap.YOUNG_THRESHOLD


class Served:
    """Stands in for what a command starts; remembers whether the heap was settled before."""

    def __init__(self, settled: list[str]) -> None:
        self.settled = settled
        self.ran_after: list[str] | None = None

    def run(self, *_: Any) -> None:
        self.ran_after = list(self.settled)

    def close(self) -> None:
        pass


def test_spbe_api_settles_the_heap_before_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    settled: list[str] = []
    server = Served(settled)
    inventory = SimpleNamespace(api_server=lambda: server)
    monkeypatch.setattr(heap, "settle", lambda: settled.append("settled"))
    monkeypatch.setattr(inventory_cli, "_inventory", lambda: inventory)
    monkeypatch.setattr(inventory_cli, "_first_start", lambda _inventory: None)
    inventory_cli.api()
    assert server.ran_after == ["settled"]


def test_spbe_consume_settles_the_heap_before_consuming(monkeypatch: pytest.MonkeyPatch) -> None:
    settled: list[str] = []
    consumer = Served(settled)
    inventory = SimpleNamespace(
        consumer=lambda: consumer, settings=SimpleNamespace(metrics_port=None)
    )
    monkeypatch.setattr(heap, "settle", lambda: settled.append("settled"))
    monkeypatch.setattr(runtime.signal, "signal", lambda *_: None)  # the test runner's own
    runtime.run_consumer_until_signalled(inventory)  # type: ignore[arg-type]
    assert consumer.ran_after == ["settled"]
