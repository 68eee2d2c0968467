"""History of any catalogued record, shared by the detail routes."""

from typing import Annotated

from fastapi import Query
from fastapi.responses import Response
from sqlalchemy import Connection

from spbe_inventory.api.listing import MAX_LIMIT, json_response
from spbe_inventory.history.models import EntityKind
from spbe_inventory.history.repository import for_entity

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def history_response(
    conn: Connection, entity: EntityKind, entity_id: int, limit: int, offset: int
) -> Response:
    rows, count = for_entity(conn, entity, entity_id, limit, offset)
    return json_response({"data": rows, "count": count})
