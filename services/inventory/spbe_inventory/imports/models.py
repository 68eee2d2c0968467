"""An uploaded register, parsed and kept server-side between its dry run and its commit."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from spbe_inventory.db import EnumText, UTCDateTime


class ImportStatus(StrEnum):
    PENDING = "pending"  # parsed; the dry-run report can be read, the commit is open
    COMMITTED = "committed"  # applied once; never again


class RowAction(StrEnum):
    """What the commit does (or did) with one row of the sheet."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


class RegisterImport(SQLModel, table=True):
    __tablename__ = "register_import"
    id: str = Field(primary_key=True, max_length=36)  # a random UUID: not guessable
    account: str = Field(max_length=64, index=True)
    opd_code: str = Field(max_length=32)
    filename: str = Field(max_length=200)
    kind: str = Field(max_length=32)  # spbe_common.registers.RegisterKind
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: ImportStatus = Field(default=ImportStatus.PENDING, sa_type=EnumText)
    # {"rows": [{"row": n, "data": payload}], "errors": [{"row", "column", "message"}]}
    parsed: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    committed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
