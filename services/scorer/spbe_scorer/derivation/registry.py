"""One rule per (framework, indicator), found in one registry."""

from collections.abc import Callable

from spbe_scorer.catalogue import CatalogueSnapshot

from .model import Proposal

Rule = Callable[[CatalogueSnapshot], Proposal]

_RULES: dict[str, dict[str, Rule]] = {}


def register(framework_id: str, indicator_id: str, rule: Rule) -> Rule:
    rules = _RULES.setdefault(framework_id, {})
    if indicator_id in rules:
        raise ValueError(f"a rule for {framework_id} indicator {indicator_id} already exists")
    rules[indicator_id] = rule
    return rule


def rule(framework_id: str, indicator_id: str) -> Callable[[Rule], Rule]:
    """Decorator form of `register`."""
    return lambda function: register(framework_id, indicator_id, function)


def rules_for(framework_id: str) -> dict[str, Rule]:
    """The derivation rules of a framework, by indicator id (empty when it has none)."""
    return dict(_RULES.get(framework_id, {}))


def derive(framework_id: str, snapshot: CatalogueSnapshot) -> list[Proposal]:
    """Every proposal the catalogue supports for a framework, in registry order."""
    return [apply(snapshot) for apply in _RULES.get(framework_id, {}).values()]
