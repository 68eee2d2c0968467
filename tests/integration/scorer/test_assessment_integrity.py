"""Assessments under concurrent writers and failing commits, on SQLite and PostgreSQL: a 2xx
means committed, no acknowledged field is lost, a stale If-Match is refused, one create wins."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

BASE = {"framework": "spbe-2020", "indicator": "1", "level": 3, "justification": "Perbup 5/2024"}
FIELDS = ("level", "justification", "evidence_links", "assessed_on")
WRITERS = 20


def create(api: TestClient, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/v1/assessments", json={**BASE, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def all_at_once(count: int, call: Any) -> list[Any]:
    """`call(i)` from `count` threads released together."""
    start = threading.Barrier(count)

    def one(i: int) -> Any:
        start.wait()
        return call(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def change(i: int) -> tuple[str, Any]:
    """The i-th writer's field and value: four fields, five writers each."""
    field = FIELDS[i % 4]
    value = {
        "level": 1 + i // 4,
        "justification": f"justification of writer {i}",
        "evidence_links": [f"https://bukti.test/{i}"],
        "assessed_on": f"2026-01-{1 + i:02d}",
    }[field]
    return field, value


def test_concurrent_patches_of_different_fields_keep_every_field(scorer_api: TestClient) -> None:
    assessment = create(scorer_api)
    url = f"/api/v1/assessments/{assessment['id']}"
    responses = all_at_once(WRITERS, lambda i: scorer_api.patch(url, json=dict([change(i)])))
    assert [r.status_code for r in responses] == [200] * WRITERS, [r.text for r in responses]
    final = scorer_api.get(url).json()
    for field in FIELDS:
        writers = [i for i in range(WRITERS) if change(i)[0] == field]
        for i in writers:  # each answer shows its own change
            assert responses[i].json()[field] == change(i)[1]
        last = max(writers, key=lambda i: responses[i].json()["updated_at"])
        assert final[field] == change(last)[1], (field, final)


def test_a_stale_if_match_is_refused_with_412(scorer_api: TestClient) -> None:
    created = scorer_api.post("/api/v1/assessments", json=BASE)
    url = f"/api/v1/assessments/{created.json()['id']}"
    read = scorer_api.get(url)
    assert read.headers["ETag"] == created.headers["ETag"]
    first = scorer_api.patch(url, json={"level": 4}, headers={"If-Match": read.headers["ETag"]})
    assert first.status_code == 200 and first.headers["ETag"] != read.headers["ETag"]
    stale = scorer_api.patch(url, json={"level": 2}, headers={"If-Match": read.headers["ETag"]})
    assert stale.status_code == 412, stale.text
    assert scorer_api.delete(url, headers={"If-Match": read.headers["ETag"]}).status_code == 412
    assert scorer_api.get(url).json()["level"] == 4
    assert scorer_api.patch(url, json={"level": 5}, headers={"If-Match": "*"}).status_code == 200
    current = scorer_api.get(url).headers["ETag"]
    assert scorer_api.delete(url, headers={"If-Match": current}).status_code == 204


def test_concurrent_creates_of_one_indicator_give_one_201_and_409_for_the_rest(
    scorer_api: TestClient,
) -> None:
    bodies = [{**BASE, "justification": f"justification {i}"} for i in range(WRITERS)]
    responses = all_at_once(
        WRITERS, lambda i: scorer_api.post("/api/v1/assessments", json=bodies[i])
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (WRITERS - 1), [r.text for r in responses]
    listed = scorer_api.get("/api/v1/assessments").json()
    winner = next(r.json() for r in responses if r.status_code == 201)
    assert listed["count"] == 1 and listed["data"][0]["justification"] == winner["justification"]


def _failing_commits(engine: Engine) -> Any:
    def refuse(_conn: Any) -> None:
        raise OperationalError("COMMIT", {}, OSError(28, "No space left on device"))

    event.listen(engine, "commit", refuse)
    return lambda: event.remove(engine, "commit", refuse)


def test_a_write_whose_commit_fails_answers_no_2xx(scorer_api: TestClient) -> None:
    engine: Engine = scorer_api.app.state.engine  # type: ignore[attr-defined]
    kept = create(scorer_api, indicator="2")
    url = f"/api/v1/assessments/{kept['id']}"
    restore = _failing_commits(engine)
    try:
        attempts = {
            "create": scorer_api.post("/api/v1/assessments", json=BASE),
            "update": scorer_api.patch(url, json={"level": 5}),
            "delete": scorer_api.delete(url),
            "run": scorer_api.post("/api/v1/runs", json={"framework": "spbe-2020"}),
        }
    finally:
        restore()
    statuses = {name: r.status_code for name, r in attempts.items()}
    assert all(s >= 500 for s in statuses.values()), statuses
    assert attempts["create"].headers.get("Retry-After") == "5"  # 503: nothing saved, try again
    listed = scorer_api.get("/api/v1/assessments").json()
    assert [(a["id"], a["level"]) for a in listed["data"]] == [(kept["id"], 3)]
    assert scorer_api.get("/api/v1/runs").json()["count"] == 0
