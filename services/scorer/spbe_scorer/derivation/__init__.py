"""Derivation: catalogue facts -> proposed indicator levels, one registered rule per indicator."""

from . import pemdi_rules, rules
from .model import Evidence, Proposal
from .registry import derive, rules_for

__all__ = ["Evidence", "Proposal", "derive", "pemdi_rules", "rules", "rules_for"]
