"""Settings of the composition root's own commands (`spbe db prepare`)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from spbe_cli.db_roles import ServiceRole


class PrepareSettings(BaseSettings):
    """Passwords of the service roles (a role without one is left alone: not made, not changed)
    and where the scorer's tables are."""

    model_config = SettingsConfigDict(env_prefix="SPBE_", extra="ignore")

    db_inventory_password: SecretStr | None = None
    db_scorer_password: SecretStr | None = None
    # the scorer's database when it is not the inventory's (read here without the rest of the
    # scorer's settings, which a one-shot migration step does not have)
    scorer_database_url: str | None = None

    def passwords(self) -> dict[ServiceRole, SecretStr]:
        given = {
            ServiceRole.INVENTORY: self.db_inventory_password,
            ServiceRole.SCORER: self.db_scorer_password,
        }
        return {role: password for role, password in given.items() if password is not None}
