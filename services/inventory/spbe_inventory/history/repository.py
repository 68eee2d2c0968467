"""Reading the change log."""

from typing import Any

from sqlalchemy import Connection, func, select

from .models import EntityKind
from .service import HISTORY


def for_entity(
    conn: Connection, entity: EntityKind, entity_id: int, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where = (HISTORY.c.entity == entity.value, HISTORY.c.entity_id == entity_id)
    query = select(HISTORY).where(*where).order_by(HISTORY.c.id.desc()).limit(limit).offset(offset)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    count = conn.execute(select(func.count()).select_from(HISTORY).where(*where)).scalar_one()
    return rows, count
