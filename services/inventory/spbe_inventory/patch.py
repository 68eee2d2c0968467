"""Request bodies: closed, bounded, strictly typed, and partial updates (PATCH).

- `CLOSED` (the config of every Create/Update/body model): an unknown field is refused (422), on
  create and on update alike; table and public models built from a body's fields reopen with
  `OPEN`.
- Every string and list of a body has a maximum length and every integer fits 64 bits (`Id`,
  `INT64_END`),
  so the OpenAPI document states each limit and nothing unbounded is stored.
- Booleans, integers and dates are strict: `0`, `"1"` or a number for a date are refused, as
  the document says, instead of being coerced.
- `Patch`: an omitted field is left as it is; explicit null only where null is allowed. A field
  typed without `None` is not nullable: null there is a 422 naming the field.
"""

from datetime import date
from typing import Annotated, Any, ClassVar, get_args

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator
from sqlmodel import SQLModel
from sqlmodel.main import SQLModelConfig

from spbe_common.events.limits import MAX_NAME

MAX_IDS = 1000  # ids in one list of links (assets of an application, applications of a bus)
MAX_ITEMS = 200  # other lists of short texts (aliases, APIs, OPD codes)

CLOSED = SQLModelConfig(extra="forbid")
OPEN = SQLModelConfig(extra="ignore")

# Integers of a body stay below 2**63 (the databases' 64-bit integers). The bound is exclusive
# because the OpenAPI document writes bounds as floats, and 2**63 is exact as a float.
INT64_END = 2**63
Id = Annotated[int, Field(ge=1, lt=INT64_END, strict=True)]


def _date_text(value: Any) -> Any:
    if not isinstance(value, str | date):  # pydantic would read a number as a Unix time
        raise ValueError("a date is written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_date_text)]  # a date, in JSON only as YYYY-MM-DD

# Items of lists of text; a field's own bound goes on its `Field`.
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
Code = Annotated[str, Field(min_length=1, max_length=32)]  # an OPD code


class Body(SQLModel):
    model_config = CLOSED


def _nullable(annotation: Any) -> bool:
    return annotation is None or type(None) in get_args(annotation)


def _none() -> None:
    return None


def unset(**constraints: Any) -> Any:
    """Default of a PATCH field that may be left out but not set to null: the field stays out of
    `model_dump(exclude_unset=True)`, and the schema shows no `null` default."""
    return Field(default_factory=_none, **constraints)


class Patch(Body):
    """Fields typed `X | None` accept null (it clears them); fields typed `X` do not."""

    not_null: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fields = cls.model_fields.items()
        cls.not_null = frozenset(n for n, f in fields if not _nullable(f.annotation))

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_allowed(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.not_null:
            raise ValueError("cannot be null; leave the field out to keep it")
        return value
