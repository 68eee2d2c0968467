"""Closed vocabularies of scoring runs."""

from enum import StrEnum


class LevelSource(StrEnum):
    """Where an indicator's level in a run came from."""

    DERIVED = "derived"  # a derivation rule, from the catalogue
    MANUAL = "manual"  # an evaluator's assessment; no rule covers the indicator
    OVERRIDE = "override"  # an evaluator's assessment replacing a derived level (both kept)
    EXTERNAL_DEFAULT = "external_default"  # external-index indicator taken as its default
    NOT_ASSESSED = "not_assessed"  # nothing known: scored at the framework's minimum level
    # A period run: a derived level no worksheet accepted; scored at the minimum, evidence shown
    PROPOSED = "proposed"


class Trigger(StrEnum):
    CLI = "cli"
    API = "api"
    SCHEDULE = "schedule"
    PERIOD = "period"  # "Hitung usulan" of an evaluation period: proposals, not the index


class RunScope(StrEnum):
    """Which runs a list holds: the catalogue's scoring (no period: the headline index) or the
    proposal runs of evaluation periods."""

    CATALOGUE = "catalogue"
    PERIOD = "period"
