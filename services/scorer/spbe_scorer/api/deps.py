"""Request-scoped dependencies of the scorer API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import Connection, Engine

from spbe_scorer.runs.service import Scorer
from spbe_scorer.settings import ScorerSettings


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_conn(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """The edge owns the transaction: committed when the handler returns, else rolled back."""
    with engine.begin() as conn:
        yield conn


def get_scorer(request: Request) -> Scorer:
    return request.app.state.scorer


def get_settings(request: Request) -> ScorerSettings:
    return request.app.state.settings


def json_response(payload: Any, status_code: int = 200) -> Response:
    return Response(
        orjson.dumps(payload, default=str, option=orjson.OPT_NON_STR_KEYS),
        status_code=status_code,
        media_type="application/json",
    )


ConnDep = Annotated[Connection, Depends(get_conn)]
ScorerDep = Annotated[Scorer, Depends(get_scorer)]
SettingsDep = Annotated[ScorerSettings, Depends(get_settings)]
