"""Derivation: catalogue facts -> proposed indicator levels, one registered rule per indicator."""

from . import audit_rules, pemdi_rules, rules, service_rules
from .model import Evidence, Proposal
from .registry import derive, rules_for

__all__ = [
    "Evidence",
    "Proposal",
    "audit_rules",
    "derive",
    "pemdi_rules",
    "rules",
    "rules_for",
    "service_rules",
]
