"""Request-scoped dependencies of the scorer API.

Both transaction dependencies are used with `scope="function"`: FastAPI ends the transaction when
the handler returns, before the response is sent, so a 2xx means committed and a failed commit
answers 409 or 503 (spbe_common.api) instead."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import orjson
from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import Connection, Engine

from spbe_common.auth import Principal
from spbe_common.db import begin_write
from spbe_scorer.runs.service import Scorer
from spbe_scorer.settings import ScorerSettings


async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_conn(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """A reading transaction (one consistent snapshot), ended when the handler returns."""
    with engine.begin() as conn:
        yield conn


def get_write_conn(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """A writing transaction, committed when the handler returns and before the response is sent;
    writers are serialised on SQLite and lock the rows they change on PostgreSQL."""
    with begin_write(engine) as conn:
        yield conn


async def get_scorer(request: Request) -> Scorer:
    return request.app.state.scorer


async def get_settings(request: Request) -> ScorerSettings:
    return request.app.state.settings


async def get_principal(request: Request) -> Principal:
    """The caller, as `security.authorize` found it (every route but the public ones has one)."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise HTTPException(401, "sign in first", {"WWW-Authenticate": "Bearer"})
    return principal


def json_response(
    payload: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(payload, default=str, option=orjson.OPT_NON_STR_KEYS),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


ConnDep = Annotated[Connection, Depends(get_conn, scope="function")]
WriteConnDep = Annotated[Connection, Depends(get_write_conn, scope="function")]
EngineDep = Annotated[Engine, Depends(get_engine)]
ScorerDep = Annotated[Scorer, Depends(get_scorer)]
SettingsDep = Annotated[ScorerSettings, Depends(get_settings)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
