"""History of any catalogued record, shared by the detail routes (after the domain's repository
has found the record visible to the caller)."""

from fastapi.responses import Response
from sqlalchemy import Connection

from spbe_inventory.api.listing import Limit, page_response
from spbe_inventory.history.models import EntityKind
from spbe_inventory.history.repository import for_entity

__all__ = ["Limit", "history_response"]


def history_response(
    conn: Connection, entity: EntityKind, entity_id: int, limit: int, offset: int
) -> Response:
    return page_response(for_entity(conn, entity, entity_id, limit, offset))
