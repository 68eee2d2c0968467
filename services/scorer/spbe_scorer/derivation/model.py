"""What a derivation rule returns, and the cumulative ladder most rules climb."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from spbe_scorer.catalogue import CatalogueSnapshot


@dataclass(frozen=True)
class Evidence:
    """A catalogue record that supports a proposal: kind ('application', 'audit', ...) and id."""

    kind: str
    id: str
    detail: str


@dataclass(frozen=True)
class Proposal:
    """A proposed level for one indicator, for an officer to confirm; never a final score."""

    indicator: str
    level: Fraction
    criterion: str  # the highest criterion met
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()  # what the next level needs; empty at the top
    missing_opds: tuple[str, ...] = ()  # coverage rules: OPD codes not yet covered
    unconfirmed: str | None = None  # set when the rule is a proxy for criteria not seen


@dataclass(frozen=True)
class Check:
    """The outcome of one step of a ladder."""

    met: bool
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    missing_opds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    level: int
    criterion: str
    test: Callable[[CatalogueSnapshot], Check]


@dataclass(frozen=True)
class Ladder:
    """Cumulative criteria: level n+1 counts only when level n is met."""

    base_level: int
    base_criterion: str
    steps: tuple[Step, ...] = field(default=())

    def climb(self, indicator: str, snapshot: CatalogueSnapshot) -> Proposal:
        level, criterion = self.base_level, self.base_criterion
        evidence: list[Evidence] = []
        for step in self.steps:
            check = step.test(snapshot)
            if not check.met:
                return Proposal(
                    indicator, Fraction(level), criterion, _unique(evidence + list(check.evidence)),
                    check.missing, check.missing_opds,
                )  # fmt: skip
            level, criterion = step.level, step.criterion
            evidence += check.evidence
        return Proposal(indicator, Fraction(level), criterion, _unique(evidence))


def _unique(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(dict.fromkeys(evidence))
