"""A framework file as data: domains -> aspects -> indicators, level scales and predicate bands."""

from fractions import Fraction
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from spbe_scorer.numbers import to_fraction

Exact = Annotated[Fraction, BeforeValidator(to_fraction)]
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelRange(Model):
    min: int
    max: int
    integer: bool = Field(description="True when only whole levels are allowed")


class Scale(Model):
    """Names and criteria of each level, shared by the indicators that point at it. `name` is the
    scale's own name in Bahasa Indonesia, as the workbooks print it (its key is an identifier)."""

    name: str = ""
    description: str = ""
    names: dict[int, str] = Field(default_factory=dict)
    criteria: dict[int, str] = Field(default_factory=dict)
    unconfirmed: str | None = None


class Band(Model):
    """A predicate band: `lower` inclusive, `upper` exclusive (inclusive for the top band)."""

    name: str = Field(min_length=1)
    lower: Exact
    upper: Exact


class ExternalIndex(Model):
    """The value comes from another agency's index; `default` is used when it is missing."""

    default: Exact


class Indicator(Model):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    weight: Exact
    scale: str
    criteria: dict[int, str] = Field(default_factory=dict)
    evidence: list[str] = Field(default_factory=list)
    external_index: ExternalIndex | None = None
    note: str | None = None
    unconfirmed: str | None = None


class Aspect(Model):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    weight: Exact
    indicators: list[Indicator] = Field(min_length=1)
    note: str | None = None
    unconfirmed: str | None = None


class Domain(Model):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    weight: Exact
    aspects: list[Aspect] = Field(min_length=1)
    note: str | None = None
    unconfirmed: str | None = None


class Framework(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    regulation: str = Field(min_length=1)
    version: str = Field(min_length=1)
    levels: LevelRange
    unconfirmed: list[str] = Field(default_factory=list)
    scales: dict[str, Scale] = Field(min_length=1)
    predicates: list[Band] = Field(min_length=1)
    domains: list[Domain] = Field(min_length=1)

    @property
    def aspects(self) -> list[Aspect]:
        return [aspect for domain in self.domains for aspect in domain.aspects]

    @property
    def indicators(self) -> list[Indicator]:
        return [ind for aspect in self.aspects for ind in aspect.indicators]

    @cached_property
    def indicator_by_id(self) -> dict[str, Indicator]:
        return {indicator.id: indicator for indicator in self.indicators}

    @property
    def total_weight(self) -> Fraction:
        return sum((domain.weight for domain in self.domains), Fraction(0))

    def level_name(self, indicator_id: str, level: int) -> str | None:
        indicator = self.indicator_by_id[indicator_id]
        return self.scales[indicator.scale].names.get(level)

    def criterion(self, indicator_id: str, level: int) -> str | None:
        """The indicator's own criterion for `level`, else its scale's."""
        indicator = self.indicator_by_id[indicator_id]
        scale = self.scales[indicator.scale]
        return indicator.criteria.get(level) or scale.criteria.get(level)
