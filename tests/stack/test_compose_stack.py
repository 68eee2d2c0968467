"""The production stack, started for real: docker-compose.yml under podman (issue 14).

One test, in the order an operator lives it: build, first start (deploy/README.md), a scan of a
loopback scope inside the collector's container and a register import, the catalogue through the
API and a scoring run through the scorer; every container recreated (volumes kept) with nothing
lost; the consumer stopped while events arrive, then started, catching up. Torn down at the end.

Scans stay on the collector container's own loopback (127.0.0.2-3 there), never the addresses of
the container network.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from stack.compose import ROOT, Stack, build_images, container, tools_missing, wait_until

pytestmark = pytest.mark.stack

REGISTER = ROOT / "tests" / "data" / "registers" / "dinkes_aset_tik.xlsx"
SCOPE = """\
scopes:
  - key: uji-stack
    opd: DISKOMINFOSATIK
    ranges: ["127.0.0.2/31"]
    profile: common-ports
    ports: [18080, 18081, 18082]
"""


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    missing = tools_missing()
    if missing:
        message = (
            f"podman stack test needs {', '.join(missing)} (deploy/local/services.sh installs them)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    build_images()
    stack = Stack.new()
    stack.down(volumes=True)  # what an interrupted earlier run left
    try:
        yield stack
    finally:
        stack.down(volumes=True)


def first_start(stack: Stack) -> None:
    """deploy/README.md, "First start", steps 3 to 5."""
    stack.start_infrastructure()
    loaded = stack.tool("spbe", "opd", "load", "/etc/spbe/opd.csv")
    assert "created 58" in loaded, loaded
    stack.tool("spbe", "users", "add", "admin", "--role", "admin")
    stack.admin_token = stack.tool("spbe", "tokens", "create", "admin")
    for service in ("collector", "scorer"):
        stack.tool("spbe", "users", "add", service, "--role", service)
        token = stack.tool("spbe", "tokens", "create", service)
        stack.env[f"{service.upper()}_INVENTORY_TOKEN"] = token
    stack.start_services()


def restart_all(stack: Stack) -> None:
    """Every container removed and made anew from the same volumes (`down` keeps them)."""
    stack.down()
    stack.start_infrastructure()
    stack.start_services()


def serve_in_collector(stack: Stack, address: str, port: int) -> None:
    """A web server on the collector container's own loopback: what its scan will find."""
    stack.run(["podman", "exec", "-d", container("collector"),
               "python", "-m", "http.server", "--bind", address, str(port)])  # fmt: skip
    probe = f"import socket; socket.create_connection(('{address}', {port}), 2); print('ok')"
    wait_until(
        lambda: stack.exec("collector", "python", "-c", probe).strip() == "ok",
        30,
        f"a web server on {address}:{port} in the collector's container",
    )


def scan(stack: Stack) -> None:
    stack.run(["podman", "exec", "-i", container("collector"), "sh", "-c", "cat > /tmp/uji.yaml"],
              stdin=SCOPE)  # fmt: skip
    stack.exec("collector", "spbe", "collect", "scan", "uji-stack",
               env={"SPBE_SCOPES_FILE": "/tmp/uji.yaml"})  # fmt: skip


def assets(stack: Stack) -> dict[str, dict[str, Any]]:
    """Every asset by its address (or name), as the API lists them."""
    page = stack.api("/api/v1/assets?limit=500")
    return {a["address"] or a["name"]: a for a in page["data"]}


def ports_of(stack: Stack, address: str) -> set[int]:
    asset = assets(stack)[address]
    found = stack.api(f"/api/v1/services?asset_id={asset['id']}&limit=100")
    return {s["port"] for s in found["data"]}


def offsets(stack: Stack) -> dict[str, list[int]]:
    """spbe.events partition by partition: [committed by the inventory group, end], asked of
    the broker in the api container as the inventory's own Kafka user (same image and user as the
    consumer, which may be stopped)."""
    answer = stack.exec("api", "python", "-c", OFFSETS).strip().splitlines()[-1]
    return dict(json.loads(answer))


def lag(stack: Stack) -> int:
    return sum(end - committed for committed, end in offsets(stack).values())


def check_backup(stack: Stack, assets: int) -> None:
    dump = stack.run(["podman", "exec", container("postgres"),
                      "pg_dump", "-U", "spbe", "-Fc", "spbe"], text=False).stdout  # fmt: skip
    assert len(dump) > 10_000
    psql = ["podman", "exec", "-i", container("postgres"), "psql", "-U", "spbe", "-d", "spbe_pulih",
            "-tAc"]  # fmt: skip
    stack.run(["podman", "exec", container("postgres"), "createdb", "-U", "spbe", "spbe_pulih"])
    stack.run(["podman", "exec", "-i", container("postgres"),
               "pg_restore", "-U", "spbe", "-d", "spbe_pulih", "--no-owner"],
              stdin=dump, text=False)  # fmt: skip
    restored = stack.run([*psql, "SELECT count(*) FROM asset"]).stdout.strip()
    assert int(restored) == assets
    stack.run(["podman", "exec", container("postgres"), "dropdb", "-U", "spbe", "spbe_pulih"])


def snapshot(stack: Stack) -> dict[str, Any]:
    catalogue = assets(stack)
    first = catalogue[sorted(catalogue)[0]]
    return {
        "assets": {k: (v["id"], v["lifecycle"], v["opd_code"]) for k, v in catalogue.items()},
        "applications": stack.api("/api/v1/applications?limit=500")["data"],
        "history": stack.api(f"/api/v1/assets/{first['id']}/history"),
        "runs": {r["id"]: r["index"] for r in stack.scorer("/api/v1/runs?limit=500")["data"]},
        "assessments": stack.scorer("/api/v1/assessments?framework=spbe-2020")["data"],
        "offsets": offsets(stack),
    }


OFFSETS = """
import json
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from spbe_common.bus.kafka import client_config
from spbe_common.settings import BusSettings
config = client_config(BusSettings())
group = KafkaAdminClient(**config).list_group_offsets({"spbe-inventory": None})
committed = {tp.partition: meta.offset for tp, meta in group.get("spbe-inventory", {}).items()
             if tp.topic == "spbe.events"}
consumer = KafkaConsumer(**config)
parts = [TopicPartition("spbe.events", p) for p in consumer.partitions_for_topic("spbe.events")]
ends = consumer.end_offsets(parts)
print(json.dumps(sorted((str(tp.partition), [max(committed.get(tp.partition, 0), 0), ends[tp]])
                        for tp in parts)))
"""


def test_the_compose_stack_under_podman(stack: Stack) -> None:
    try:
        run_the_stack(stack)
    except BaseException:
        print(stack.logs())  # shown by pytest with the failure
        raise


def run_the_stack(stack: Stack) -> None:
    first_start(stack)

    # Prometheus scrapes every service
    targets = wait_until(
        lambda: {r["metric"]["job"] for r in stack.prometheus("up == 1")} >= {
            "spbe-inventory-api", "spbe-inventory-consumer", "spbe-collector", "spbe-scorer"
        } and stack.prometheus("up == 1"),
        90,
        "every service scraped",
    )  # fmt: skip
    assert len(targets) >= 4

    # a loopback scope scanned inside the collector's container
    serve_in_collector(stack, "127.0.0.2", 18080)
    serve_in_collector(stack, "127.0.0.3", 18081)
    scan(stack)
    # a register an OPD filled in
    stack.run(["podman", "cp", str(REGISTER), f"{container('collector')}:/tmp/aset.xlsx"])
    stack.exec("collector", "spbe", "collect", "import", "/tmp/aset.xlsx", "--opd", "DINKES")

    # 127.0.0.1: the example scope of deploy/collector/scopes.yaml, scanned at its first start
    wait_until(
        lambda: {"127.0.0.1", "127.0.0.2", "127.0.0.3"} <= set(assets(stack)), 120, "scans folded"
    )
    assert ports_of(stack, "127.0.0.2") == {18080}
    assert ports_of(stack, "127.0.0.3") == {18081}
    from_register = wait_until(
        lambda: [a for a in assets(stack).values() if a["opd_code"] == "DINKES"],
        120,
        "the register folded",
    )
    assert len(from_register) >= 2
    wait_until(lambda: lag(stack) == 0, 60, "the consumer caught up")

    # a scoring run through the scorer, and an evaluator's level kept beside it
    run = stack.scorer("/api/v1/runs", "POST", {"framework": "spbe-2020"})
    assert run["framework"] == "spbe-2020" and run["index"] is not None
    stack.scorer(
        "/api/v1/assessments",
        "POST",
        {"framework": "spbe-2020", "indicator": "1", "level": "3",
         "justification": "Perbup arsitektur SPBE ditetapkan"},
    )  # fmt: skip

    before = snapshot(stack)
    assert run["id"] in before["runs"] and len(before["assessments"]) == 1
    assert before["offsets"] and lag(stack) == 0
    restart_all(stack)
    after = snapshot(stack)
    # the scorer's schedule may add a run of its own at start: every earlier run is still there
    assert after.pop("runs").items() >= before.pop("runs").items()
    assert after == before

    # the backup of deploy/README.md restores: the dump into an empty database has every asset
    check_backup(stack, len(after["assets"]))

    # events published while the consumer is away are folded once it is back
    stack.run(["podman", "stop", "-t", "30", container("consumer")])
    serve_in_collector(stack, "127.0.0.3", 18082)
    scan(stack)
    assert lag(stack) > 0  # the scan's events wait in spbe.events
    assert ports_of(stack, "127.0.0.3") == {18081}  # not folded yet
    stack.run(["podman", "start", container("consumer")])
    stack.wait_healthy(["consumer"])
    wait_until(lambda: ports_of(stack, "127.0.0.3") == {18081, 18082}, 120, "the catch-up")
    wait_until(lambda: lag(stack) == 0, 60, "lag back to 0")
