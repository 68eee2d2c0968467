"""Many clients at once: the API must keep answering, never wait on its own connection pool.

Each request takes a pooled connection in one thread-pool call (the `get_conn` dependency) and
runs its handler in another; more concurrent requests than pool connections plus threads must
still all be served, promptly.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait

import pytest
from fastapi.testclient import TestClient

CLIENTS = 80  # above the default 40 worker threads + 15 SQLite pool connections


@pytest.mark.parametrize("path", ["/api/v1/opd", "/api/v1/assets?lifecycle=active"])
def test_many_concurrent_requests_are_all_served_promptly(client: TestClient, path: str) -> None:
    assert (
        client.post("/api/v1/opd", json={"code": "SETDA", "name": "Sekretariat"}).status_code == 201
    )
    pool = ThreadPoolExecutor(max_workers=CLIENTS)
    try:
        futures = [pool.submit(client.get, path) for _ in range(CLIENTS * 2)]
        done, pending = wait(futures, timeout=15)
        assert not pending, f"{len(pending)} of {len(futures)} requests still waiting after 15 s"
        statuses = sorted({f.result().status_code for f in done})
        assert statuses == [200], statuses
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
