"""Closed vocabularies of the index computation."""

from enum import StrEnum


class ProblemKind(StrEnum):
    MISSING = "missing"
    UNKNOWN = "unknown"
    DUPLICATE = "duplicate"
    NOT_A_NUMBER = "not_a_number"
    NOT_INTEGER = "not_integer"
    OUT_OF_RANGE = "out_of_range"
