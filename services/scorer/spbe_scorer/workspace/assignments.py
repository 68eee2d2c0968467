"""The default assignment of indicators to evaluator OPD: a YAML file of framework -> indicator ->
OPD code (built in: workspace/data/assignments.yaml; SPBE_SCORER_ASSIGNMENTS_FILE replaces it).
Read when a period opens; every indicator named must exist in its framework."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, RootModel, ValidationError

from spbe_scorer.frameworks import Framework, FrameworkError, load_framework

BUILTIN_FILE = Path(__file__).parent / "data" / "assignments.yaml"
OPD_PATTERN = r"^[A-Z0-9_]{1,32}$"
OpdCode = Annotated[str, Field(pattern=OPD_PATTERN)]
IndicatorId = Annotated[str, Field(min_length=1, max_length=16)]


class AssignmentsError(ValueError):
    """The assignments file cannot be read or names what does not exist."""


class AssignmentsFile(RootModel[dict[str, dict[IndicatorId, OpdCode]]]):
    """framework id -> indicator id -> evaluator OPD code."""


def parse(text: str, source: str = "assignments file") -> dict[str, dict[str, str]]:
    """The file's mapping, checked for shape only (no framework is read)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AssignmentsError(f"{source}: cannot be read as YAML: {exc}") from None
    if isinstance(raw, dict):  # YAML reads 1 as int: indicator ids are text
        raw = {k: {str(i): o for i, o in v.items()} if isinstance(v, dict) else v
               for k, v in raw.items()}  # fmt: skip
    try:
        return AssignmentsFile.model_validate(raw or {}).root
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise AssignmentsError(f"{source}: {problems}") from None


def check(framework: Framework, assigned: dict[str, str], source: str) -> dict[str, str]:
    unknown = [i for i in assigned if i not in framework.indicator_by_id]
    if unknown:
        raise AssignmentsError(
            f"{source}: {framework.id} has no indicator {', '.join(map(repr, unknown))}"
        )
    return assigned


def load(path: Path | None = None, frameworks_dir: Path | None = None) -> dict[str, dict[str, str]]:
    """Every framework's defaults, each indicator checked against its framework."""
    path = path or BUILTIN_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AssignmentsError(f"assignments file {path}: {exc}") from None
    mapping = parse(text, f"assignments file {path}")
    for framework_id, assigned in mapping.items():
        try:
            framework = load_framework(framework_id, frameworks_dir)
        except FrameworkError as exc:
            raise AssignmentsError(f"assignments file {path}: {exc}") from None
        check(framework, assigned, f"assignments file {path}")
    return mapping


def defaults_for(
    framework: Framework, path: Path | None = None, frameworks_dir: Path | None = None
) -> dict[str, str]:
    """indicator -> OPD code for one framework (empty when the file has none for it)."""
    return load(path, frameworks_dir).get(framework.id, {})
