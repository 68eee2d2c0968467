"""docker-compose.yml stays in step with the code: settings it sets exist, commands it runs exist.

No Docker engine is needed: the file is read as YAML and checked against the Python packages.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import re
from functools import cache
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SPBE_IMAGE_BUILD = "deploy/Dockerfile"

# SPBE_* variables the compose file sets before any settings class reads them. Keep it small and
# empty it as the fields land (test_pending_names_are_still_missing fails once one exists).
PENDING: frozenset[str] = frozenset()


@cache
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def services() -> dict[str, dict[str, Any]]:
    return dict(compose()["services"])


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(name): str(value) for name, value in env.items()}


def settings_modules() -> list[str]:
    found = {"spbe_common.settings"}
    for module in pkgutil.iter_modules():
        if module.name.startswith("spbe_") and importlib.util.find_spec(f"{module.name}.settings"):
            found.add(f"{module.name}.settings")
    return sorted(found)


def settings_classes() -> list[type[BaseSettings]]:
    classes: set[type[BaseSettings]] = set()
    for name in settings_modules():
        for _, member in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(member, BaseSettings) and member is not BaseSettings:
                classes.add(member)
    return sorted(classes, key=lambda cls: cls.__qualname__)


def env_names(cls: type[BaseSettings]) -> set[str]:
    prefix = str(cls.model_config.get("env_prefix") or "")
    names = set()
    for field_name, info in cls.model_fields.items():
        names.add(f"{prefix}{field_name}".upper())
        if isinstance(info.validation_alias, str):
            names.add(info.validation_alias.upper())
    return names


@cache
def known_env_names() -> frozenset[str]:
    return frozenset().union(*(env_names(cls) for cls in settings_classes()))


def spbe_commands() -> dict[str, list[str]]:
    commands = {}
    for name, service in services().items():
        command = service.get("command")
        if isinstance(command, str):
            command = command.split()
        if command and command[0] == "spbe":
            commands[name] = [str(word) for word in command]
    return commands


def test_compose_file_parses_with_the_expected_services() -> None:
    expected = {"kafka", "postgres", "api", "consumer", "collector", "scorer"}
    assert expected | {"prometheus", "grafana", "migrate"} <= set(services())


def test_settings_discovery_finds_the_shared_bus_settings() -> None:
    assert "SPBE_KAFKA_BOOTSTRAP_SERVERS" in known_env_names()
    assert "SPBE_BUS" in known_env_names()


@pytest.mark.parametrize("name", sorted(services()))
def test_every_service_has_a_healthcheck_or_is_a_one_shot(name: str) -> None:
    service = services()[name]
    if service.get("restart") == "no":
        waiting = [
            other
            for other in services().values()
            if (other.get("depends_on") or {}).get(name, {}).get("condition")
            == "service_completed_successfully"
        ]
        assert waiting, f"one-shot {name} is awaited by no service"
    else:
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


@pytest.mark.parametrize("name", sorted(services()))
def test_every_spbe_variable_is_a_settings_field(name: str) -> None:
    variables = {var for var in environment(services()[name]) if var.startswith("SPBE_")}

    unknown = variables - known_env_names() - PENDING

    assert not unknown, f"{name} sets {sorted(unknown)}, read by no settings class"


def test_pending_names_are_still_missing() -> None:
    assert not PENDING & known_env_names(), "these fields exist now: remove them from PENDING"


def test_python_services_run_the_spbe_image() -> None:
    for name in spbe_commands():
        assert services()[name]["build"]["dockerfile"] == SPBE_IMAGE_BUILD, name


def test_bind_mounted_files_exist() -> None:
    for name, service in services().items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"


def test_named_volumes_are_declared() -> None:
    declared = set(compose().get("volumes") or {})
    for name, service in services().items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} uses undeclared volume {source}"


def _cli_root() -> Any:
    try:
        import typer.main

        from spbe_cli.main import app
    except ImportError as exc:
        pytest.fail(f"spbe_cli.main:app cannot be imported ({exc}); the lead adds the CLI")
    return typer.main.get_command(app)


@pytest.mark.parametrize("name", sorted(spbe_commands()))
def test_every_spbe_command_exists_in_the_cli(name: str) -> None:
    words = spbe_commands()[name][1:]
    command, path = _cli_root(), ["spbe"]
    for word in words:
        subcommands = getattr(command, "commands", None)
        if subcommands is None or word.startswith("-"):
            break  # a leaf command: the rest are its arguments
        assert word in subcommands, (
            f"{name}: `{' '.join(path)}` has no command {word!r} (has {sorted(subcommands)})"
        )
        command, path = subcommands[word], [*path, word]
    assert getattr(command, "commands", None) is None, f"{name}: `{' '.join(path)}` is a group"


def test_example_scopes_file_is_valid_for_the_collector() -> None:
    from spbe_collector.scopes.repository import ScopeRepository, YamlScopeSource

    allowlist = environment(services()["collector"])["SPBE_SCAN_ALLOWLIST"]
    default = allowlist.split(":-", 1)[1].removesuffix("}")  # ${SPBE_SCAN_ALLOWLIST:-[...]}
    networks = [ip_network(item) for item in yaml.safe_load(default)]
    source = YamlScopeSource(ROOT / "deploy/collector/scopes.yaml")

    assert [scope.key for scope in ScopeRepository(source, networks).all()] == [
        "container-loopback"
    ]


# --- Kafka access control (issue 9) ---------------------------------------------------------------

KAFKA_START = ROOT / "deploy/kafka/compose-start.sh"
KAFKA_USER_OF = {
    "migrate": "inventory",
    "api": "inventory",
    "consumer": "inventory",
    "collector": "collector",
    "scorer": "scorer",
    "kafka-init": "admin",
}


def test_every_spbe_service_is_given_a_kafka_user() -> None:
    assert set(spbe_commands()) | {"kafka-init"} == set(KAFKA_USER_OF)


@pytest.mark.parametrize("name", sorted(KAFKA_USER_OF))
def test_each_service_signs_in_to_kafka_as_itself_with_a_required_secret(name: str) -> None:
    env = environment(services()[name])

    assert env["SPBE_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    assert env["SPBE_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert env["SPBE_KAFKA_USERNAME"] == KAFKA_USER_OF[name]
    variable = f"KAFKA_{KAFKA_USER_OF[name].upper()}_PASSWORD"
    # ${VAR:?message}: compose refuses to start without it, and there is no default secret
    assert env["SPBE_KAFKA_PASSWORD"].startswith(f"${{{variable}:?"), env["SPBE_KAFKA_PASSWORD"]


def test_every_kafka_listener_authenticates_and_acls_decide() -> None:
    script = KAFKA_START.read_text(encoding="utf-8")
    mapping = re.search(r"^listener\.security\.protocol\.map=(.+)$", script, re.MULTILINE)

    assert mapping, "compose-start.sh sets no listener.security.protocol.map"
    protocols = {entry.split(":")[1] for entry in mapping.group(1).split(",")}
    assert protocols == {"SASL_PLAINTEXT"}
    assert "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" in script
    assert "allow.everyone.if.no.acl.found=false" in script
    assert services()["kafka"]["entrypoint"][-1].endswith("kafka-start.sh")
    assert "KAFKA_ADMIN_PASSWORD:?" in environment(services()["kafka"])["KAFKA_ADMIN_PASSWORD"]


def test_the_kafka_init_step_runs_before_every_kafka_client() -> None:
    init = services()["kafka-init"]
    assert init["restart"] == "no"
    assert init["depends_on"]["kafka"]["condition"] == "service_healthy"
    for name in ("api", "consumer", "collector", "scorer"):
        waits_for = services()[name]["depends_on"]
        assert waits_for["kafka-init"]["condition"] == "service_completed_successfully", name


def test_variables_are_written_as_podman_compose_reads_them() -> None:
    """podman-compose 1.0 (Debian 12) leaves `${NAME:-}` (an empty default) in the value as it is:
    a service would get the literal text. `${NAME}` is blank when unset, in Docker Compose too."""
    text = COMPOSE.read_text(encoding="utf-8")
    assert re.findall(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?[-?]\}", text) == []
