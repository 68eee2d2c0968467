"""Where scopes come from: a YAML file today, the inventory API later (same interface)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Protocol

import yaml
from pydantic import ValidationError

from .probes import validate_probe
from .schemas import LoadedFile, Network, ScopesFile, ValidatedProbe, ValidatedScope
from .service import ScopeRefused, unknown_opd, validate_key, validate_scope


class ScopeSource(Protocol):
    def load(self) -> ScopesFile:
        """Every configured scope and probe, unvalidated."""


class YamlScopeSource:
    """A YAML file with a top-level `scopes:` list and an optional `probes:` list. `variables`
    fill `{name}` in the text (the sample file's `{inventory_url}`: the API `spbe up` runs)."""

    def __init__(self, path: Path, variables: dict[str, str] | None = None) -> None:
        self.path = path
        self.variables = variables or {}

    def load(self) -> ScopesFile:
        try:
            text = self.path.read_text(encoding="utf-8")
            for name, value in self.variables.items():
                text = text.replace(f"{{{name}}}", value)
            raw = yaml.safe_load(text) or {}
        except FileNotFoundError:
            raise ScopeRefused(f"scopes file {self.path} does not exist") from None
        except yaml.YAMLError as exc:
            raise ScopeRefused(f"scopes file {self.path} is not valid YAML: {exc}") from None
        try:
            return ScopesFile.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ScopeRefused(f"scopes file {self.path}: {where}: {first['msg']}") from None


KnownOpd = Callable[[], Collection[str] | None]  # None: the codes cannot be checked now


def _refuse_duplicates(keys: list[str], noun: str) -> None:
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ScopeRefused(f"duplicate {noun} keys: {', '.join(duplicates)}")


class ScopeRepository:
    """Validated scopes (and probes) by key; the whole file is checked on each load, every range
    and literal probe address against the allowlist, every OPD against `known_opd` (the
    inventory's catalogue) when one is given: one bad entry refuses the file."""

    def __init__(
        self, source: ScopeSource, allowlist: Sequence[Network], known_opd: KnownOpd | None = None
    ) -> None:
        self._source = source
        self._allowlist = tuple(allowlist)
        self._known_opd = known_opd

    def load(self) -> LoadedFile:
        raw = self._source.load()
        scopes = [validate_scope(config, self._allowlist) for config in raw.scopes]
        probes = [validate_probe(config, self._allowlist) for config in raw.probes]
        _refuse_duplicates([scope.key for scope in scopes], "scope")
        _refuse_duplicates([probe.key for probe in probes], "probe")
        known = self._known_opd() if self._known_opd else None
        if known is not None:
            problems = unknown_opd(scopes, known, "scope") + unknown_opd(probes, known, "probe")
            if problems:
                raise ScopeRefused("; ".join(problems))
        return LoadedFile(scopes, probes)

    def all(self) -> list[ValidatedScope]:
        return self.load().scopes

    def probes(self) -> list[ValidatedProbe]:
        return self.load().probes

    def get(self, key: str) -> ValidatedScope:
        validate_key(key)
        for scope in self.all():
            if scope.key == key:
                return scope
        raise ScopeRefused(f"no scope named {key!r}")
