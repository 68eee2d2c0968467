"""Where scopes come from: a YAML file today, the inventory API later (same interface)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import yaml
from pydantic import ValidationError

from .schemas import Network, ScopeConfig, ScopesFile, ValidatedScope
from .service import ScopeRefused, validate_key, validate_scope


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


class ScopeRepository:
    """Validated scopes by key; every scope is checked against the allowlist on each load."""

    def __init__(self, source: ScopeSource, allowlist: Sequence[Network]) -> None:
        self._source = source
        self._allowlist = tuple(allowlist)

    def all(self) -> list[ValidatedScope]:
        scopes = [validate_scope(config, self._allowlist) for config in self._source.load()]
        keys = [scope.key for scope in scopes]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ScopeRefused(f"duplicate scope keys: {', '.join(duplicates)}")
        return scopes

    def get(self, key: str) -> ValidatedScope:
        validate_key(key)
        for scope in self.all():
            if scope.key == key:
                return scope
        raise ScopeRefused(f"no scope named {key!r}")
