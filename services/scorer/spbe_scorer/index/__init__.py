"""The index computation: indicator levels -> aspect, domain and overall index and predicate."""

from .enums import ProblemKind
from .service import (
    GroupScore,
    IndexResult,
    IndicatorProblem,
    LevelsError,
    check_levels,
    compute_index,
    pairs_to_levels,
    predicate_for,
)

__all__ = [
    "GroupScore",
    "IndexResult",
    "IndicatorProblem",
    "LevelsError",
    "ProblemKind",
    "check_levels",
    "compute_index",
    "pairs_to_levels",
    "predicate_for",
]
