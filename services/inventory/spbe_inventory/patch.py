"""Partial updates (PATCH): an omitted field is left as it is; null only where null is allowed."""

from typing import Any, ClassVar

from pydantic import ValidationInfo, field_validator
from sqlmodel import SQLModel


class Patch(SQLModel):
    not_null: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _null_only_where_allowed(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.not_null:
            raise ValueError("cannot be null; leave the field out to keep it")
        return value
