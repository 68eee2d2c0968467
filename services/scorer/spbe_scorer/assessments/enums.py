"""Closed vocabularies of manual assessments."""

from enum import StrEnum


class Change(StrEnum):
    """What a history row of an assessment records."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
