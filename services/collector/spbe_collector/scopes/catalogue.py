"""Which scopes file is read, and the OPD codes a scope may name: the inventory's catalogue.

A scope of an OPD the catalogue lacks is refused when the file is loaded (its scans would only be
set aside). When the inventory cannot be asked, production refuses the scopes (no scan for an
OPD nobody confirmed) and development or test loads them unchecked, saying so; a catalogue read
earlier stands in meanwhile in both, so a restart of the inventory stops no scan.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from spbe_common.settings import Environment

from ..inventory import InventoryUnavailable, make_inventory_client, opd_catalogue
from ..settings import CollectorSettings
from .service import ScopeRefused

log = logging.getLogger(__name__)
SAMPLE_SCOPES = Path(__file__).with_name("sample_scopes.yaml")
CATALOGUE_TTL_S = 300.0  # scopes are re-read every minute; the OPD list changes rarely


@dataclass(frozen=True)
class ChosenFile:
    path: Path
    why: str  # how it was chosen, for `spbe collect scopes`


def scopes_file(settings: CollectorSettings) -> ChosenFile:
    """SPBE_SCOPES_FILE if set; else ./scopes.yaml (the default) when it exists; else, outside
    production, the loopback sample that `spbe up` scans on a first run."""
    path = settings.scopes_file
    if "scopes_file" in settings.model_fields_set:
        return ChosenFile(path, "SPBE_SCOPES_FILE")
    if path.exists() or settings.environment is Environment.PRODUCTION:
        return ChosenFile(path, "the default")
    return ChosenFile(SAMPLE_SCOPES, f"the loopback sample: {path} does not exist")


class OpdCatalogue:
    """The inventory's OPD codes, asked at most every CATALOGUE_TTL_S. `unchecked` says why the
    last load could not be checked (None when it was)."""

    def __init__(
        self,
        settings: CollectorSettings,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._transport = transport
        self._clock = clock
        self._codes: frozenset[str] | None = None
        self._asked_at = 0.0
        self.unchecked: str | None = None

    def __call__(self) -> frozenset[str] | None:
        """The known codes; None (development) when they cannot be had; ScopeRefused in
        production."""
        if self._codes is not None and self._clock() - self._asked_at < CATALOGUE_TTL_S:
            return self._codes
        try:
            with make_inventory_client(self._settings, self._transport) as client:
                self._codes = frozenset(opd_catalogue(client))
        except InventoryUnavailable as exc:
            return self._unavailable(str(exc))
        self._asked_at, self.unchecked = self._clock(), None
        return self._codes

    def _unavailable(self, reason: str) -> frozenset[str] | None:
        if self._codes is not None:  # a catalogue read earlier stands in
            return self._codes
        if self._settings.environment is Environment.PRODUCTION:
            raise ScopeRefused(
                f"the OPD codes of the scopes cannot be checked, so none is loaded: {reason}"
            )
        if self.unchecked != reason:  # once per reason, not every minute
            log.warning("scopes loaded without checking their OPD codes: %s", reason)
        self.unchecked = reason
        return None
