"""Where scopes come from: a YAML file today, the inventory API later (same interface)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Protocol

import yaml
from pydantic import ValidationError

from .schemas import Network, ScopeConfig, ScopesFile, ValidatedScope
from .service import ScopeRefused, refuse_unknown_opd, validate_key, validate_scope


class ScopeSource(Protocol):
    def load(self) -> list[ScopeConfig]:
        """Every configured scope, unvalidated."""


class YamlScopeSource:
    """A YAML file with a top-level `scopes:` list."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[ScopeConfig]:
        try:
            raw = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise ScopeRefused(f"scopes file {self.path} does not exist") from None
        except yaml.YAMLError as exc:
            raise ScopeRefused(f"scopes file {self.path} is not valid YAML: {exc}") from None
        try:
            return ScopesFile.model_validate(raw).scopes
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ScopeRefused(f"scopes file {self.path}: {where}: {first['msg']}") from None


KnownOpd = Callable[[], Collection[str] | None]  # None: the codes cannot be checked now


class ScopeRepository:
    """Validated scopes by key; every scope is checked against the allowlist on each load, and
    its OPD against `known_opd` (the inventory's catalogue) when one is given."""

    def __init__(
        self, source: ScopeSource, allowlist: Sequence[Network], known_opd: KnownOpd | None = None
    ) -> None:
        self._source = source
        self._allowlist = tuple(allowlist)
        self._known_opd = known_opd

    def all(self) -> list[ValidatedScope]:
        scopes = [validate_scope(config, self._allowlist) for config in self._source.load()]
        keys = [scope.key for scope in scopes]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ScopeRefused(f"duplicate scope keys: {', '.join(duplicates)}")
        known = self._known_opd() if self._known_opd else None
        if known is not None:
            refuse_unknown_opd(scopes, known)
        return scopes

    def get(self, key: str) -> ValidatedScope:
        validate_key(key)
        for scope in self.all():
            if scope.key == key:
                return scope
        raise ScopeRefused(f"no scope named {key!r}")
