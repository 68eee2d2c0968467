"""Request-scoped dependencies: the transaction, the acting principal and its OPD scope.

`Principal` (spbe_common.auth) is re-exported here for the routes.

Dependencies that do no I/O are `async def`: FastAPI then runs them on the event loop instead of
handing each to a worker thread (thread hops dominated the cost of a list page)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Connection, Engine

from spbe_common.auth import Principal
from spbe_common.db import begin_write
from spbe_inventory.history.service import Cause


async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_conn(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """A reading transaction (one consistent snapshot), ended when the handler returns."""
    with engine.begin() as conn:
        yield conn


def get_write_conn(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """The edge owns the transaction: committed when the handler returns and before the response
    is sent (the dependency's scope is the function), so a 2xx means committed; a failed commit
    raises and answers 409 or 503 instead. Writers are serialised on SQLite and lock the rows
    they change on PostgreSQL (`begin_write`)."""
    with begin_write(engine) as conn:
        yield conn


def read_conn(engine: Engine) -> AbstractContextManager[Connection]:
    """A read-only list page runs on the event loop, without worker-thread hops: on one API worker
    that served ~3x more pages than handing each request to a thread (bench/api.py). Its queries
    are short indexed reads; a slow database is scaled with more API workers."""
    return engine.connect()


def principal_of(request: Request) -> Principal:
    """The caller, as `authenticate` found it (every route but the public ones requires one)."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise HTTPException(401, "sign in first", {"WWW-Authenticate": "Bearer"})
    return principal


async def get_principal(request: Request) -> Principal:
    return principal_of(request)


async def get_cause(
    request: Request, principal: Annotated[Principal, Depends(get_principal)]
) -> Cause:
    request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
    return Cause.request(f"request:{request_id[:100]}", principal.name)


ConnDep = Annotated[Connection, Depends(get_conn, scope="function")]
WriteConnDep = Annotated[Connection, Depends(get_write_conn, scope="function")]
EngineDep = Annotated[Engine, Depends(get_engine)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
CauseDep = Annotated[Cause, Depends(get_cause)]

__all__ = [
    "CauseDep",
    "ConnDep",
    "EngineDep",
    "Principal",
    "PrincipalDep",
    "WriteConnDep",
    "principal_of",
    "read_conn",
]
