"""Rows and sightings for the reconciliation rules, built without a database or an event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from spbe_inventory.assets import rules
from spbe_inventory.assets.identity import Identity

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@dataclass(frozen=True)
class Seen:
    """A sighting (rules.Sighting) with only the values a test names."""

    at: datetime = T0
    scope: str | None = "s1"
    scan_id: str | None = "scan-1"
    hostname: str | None = None
    os_guess: str | None = None
    vendor: str | None = None
    address: str = "127.0.0.10"
    opd_code: str | None = None
    ports: tuple[
        tuple[int, str | None, str | None, str | None], ...
    ] = ()  # port, name, product, version

    def fields(self) -> dict[str, Any]:
        return {
            "hostname": self.hostname,
            "mac": None,
            "serial": None,
            "os_guess": self.os_guess,
            "vendor": self.vendor,
            "address": self.address,
            "addresses": [self.address],
            "opd_code": self.opd_code,
        }

    def services(self) -> list[dict[str, Any]]:
        return [
            {"port": p, "protocol": "tcp", "name": n, "product": pr, "version": v}
            for p, n, pr, v in self.ports
        ]

    @property
    def fingerprint(self) -> str:
        """Of what was seen, not when: equal for the same observation again."""
        return repr((self.scope, self.fields(), self.ports))


@dataclass
class Asset:
    """One asset as the unit of work holds it: a row and its services, changed by outcomes."""

    row: dict[str, Any]
    services: dict[rules.ServiceKey, dict[str, Any]] = field(default_factory=dict)
    history: list[rules.Change] = field(default_factory=list)
    created: bool = False

    def apply(self, outcome: rules.Outcome) -> rules.Outcome:
        self.row.update(outcome.row)
        self.services.update(outcome.services)
        if outcome.change is not None:
            self.history.append(outcome.change)
            self.created = True
        return outcome

    def observe(self, seen: Seen, rule: str = "address") -> rules.Outcome:
        return self.apply(rules.observe(self.row, self.services, seen, rule, not self.created))

    def declare(self, fields: dict[str, Any], when: datetime = T0) -> rules.Outcome:
        return self.apply(rules.declare(self.row, fields, when, not self.created))

    def mark_missing(self, when: datetime = T0) -> rules.Outcome:
        return self.apply(rules.mark_missing(self.row, when))

    def view(self) -> dict[str, Any]:
        return {name: self.row[name] for name in rules.merged({}, {})}


def new_asset(at_: datetime | None = T0, scope: str | None = "s1", rule: str = "new") -> Asset:
    return Asset(rules.new_row(Identity(None, None, (), None, scope), rule, at_, T0))


def catalogued(**observed: Any) -> Asset:
    """An asset already in the catalogue, last seen at T0 with `observed`."""
    asset = new_asset()
    asset.observe(Seen(at=T0, **observed))
    asset.row["id"] = 7
    asset.history.clear()
    return asset
