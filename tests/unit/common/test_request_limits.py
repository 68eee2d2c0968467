"""RequestLimits: the global body limit, and a larger one for exact paths and route templates."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.testclient import TestClient

from spbe_common.api import RequestLimits, Scope, install

UPLOAD = "/api/v1/periods/{period_id}/worksheets/{indicator}/documents"


def _client() -> TestClient:
    app = FastAPI()
    install(app, 1024, {"/exact": 4096, UPLOAD: 8192})

    @app.post("/{path:path}")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    return TestClient(app)


@pytest.mark.parametrize(
    ("path", "size", "status"),
    [
        ("/other", 1024, 200),
        ("/other", 1025, 413),
        ("/exact", 4096, 200),
        ("/exact", 4097, 413),
        ("/exact/more", 1025, 413),  # an exact path is no prefix
        ("/api/v1/periods/7/worksheets/I14/documents", 8192, 200),
        ("/api/v1/periods/7/worksheets/I14/documents", 8193, 413),
        ("/api/v1/periods/7/worksheets/documents", 1025, 413),  # a segment is missing
        ("/api/v1/periods/7/x/worksheets/I14/documents", 1025, 413),  # one segment each
        ("/api/v1/periods/7/worksheets/I14/documents/x", 1025, 413),  # the whole path
    ],
)
def test_a_path_gets_its_own_limit_exactly_or_by_template(
    path: str, size: int, status: int
) -> None:
    response = _client().post(path, content=b"x" * size)
    assert response.status_code == status, response.text
    if status == 413:
        assert "larger than" in response.json()["detail"]


def test_limit_of_prefers_the_exact_path_over_a_template() -> None:
    async def app(scope: object, receive: object, send: object) -> None:  # never called
        raise AssertionError

    limits = RequestLimits(app, 10, {"/a/{x}": 20, "/a/b": 30})
    assert (limits.limit_of("/a/b"), limits.limit_of("/a/c"), limits.limit_of("/a")) == (30, 20, 10)
    assert limits.limit_of("/a/c.d") == 20 and limits.limit_of("/a/c/d") == 10


def test_a_refused_target_is_answered_by_the_apps_hook_or_as_json() -> None:
    seen: list[tuple[int, str]] = []

    def refusal(scope: Scope, status: int, part: str) -> Response | None:
        seen.append((status, part))
        return None if scope["path"].startswith("/api/") else PlainTextResponse("page", status)

    app = FastAPI()
    install(app, target_refusal=refusal)
    client = TestClient(app)
    page = client.get("/page?q=%00")
    assert (page.status_code, page.text) == (422, "page")
    answer = client.get("/api/x%00")
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["path"]
    assert seen == [(422, "query"), (422, "path")]
