"""Closed vocabularies of the evaluation workspace."""

from enum import StrEnum


class PeriodStatus(StrEnum):
    OPEN = "open"  # worksheets are filled in and reviewed
    CLOSED = "closed"  # read only: the self-assessment was submitted; asesor results may follow


class WorksheetStatus(StrEnum):
    """Where a worksheet stands: the progress of an indicator."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for a reviewer
    VERIFIED = "verified"
    RETURNED = "returned"  # back to its evaluators with the reviewer's comment


class WorksheetSource(StrEnum):
    """Where the self-assessed level came from."""

    ACCEPTED = "accepted"  # the derived proposal, accepted as it is
    OVERRIDE = "override"  # another level than the proposal, with a justification
    MANUAL = "manual"  # no proposal exists for the indicator


class WorksheetAction(StrEnum):
    """What a history row of a worksheet records."""

    CREATED = "created"
    ASSIGNED = "assigned"
    SAVED = "saved"
    ACCEPTED = "accepted"
    OVERRIDDEN = "overridden"
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    RETURNED = "returned"
    DOCUMENT_ADDED = "document_added"
    DOCUMENT_REMOVED = "document_removed"
    ASESOR = "asesor"
