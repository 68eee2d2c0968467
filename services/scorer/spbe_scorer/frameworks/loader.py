"""Find, read and validate framework files: the built-in ones and those an officer drops in."""

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .checks import problems_of
from .schemas import Framework

BUILTIN_DIR = Path(__file__).parent / "data"
SUFFIXES = (".yaml", ".yml")


class FrameworkError(Exception):
    """A framework cannot be found or is not valid."""


class FrameworkFileError(FrameworkError):
    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listed = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"framework file {path}:\n{listed}")


class UnknownFrameworkError(FrameworkError):
    def __init__(self, framework_id: str, known: list[str]) -> None:
        self.framework_id = framework_id
        super().__init__(f"unknown framework {framework_id!r}; known: {', '.join(sorted(known))}")


def framework_files(frameworks_dir: Path | None = None) -> list[Path]:
    """Built-in files first, then the YAML files of `frameworks_dir` (SPBE_FRAMEWORKS_DIR)."""
    dirs = [BUILTIN_DIR]
    if frameworks_dir is not None:
        if not frameworks_dir.is_dir():
            raise FrameworkError(f"frameworks directory {frameworks_dir} is not a directory")
        dirs.append(frameworks_dir)
    return [path for d in dirs for path in sorted(d.iterdir()) if path.suffix in SUFFIXES]


# libyaml's loader when present (the same safe subset of YAML, several times faster).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Parsed files by path, kept while the file's size and modification time stay the same: a run
# reads every framework file, and an officer's changed or new file is read again.
_parsed: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = {}


def _read_raw(path: Path) -> dict[str, Any]:
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _parsed.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FrameworkFileError(path, [f"cannot be read as YAML: {exc}"]) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise FrameworkFileError(path, ["must be a mapping with a string `id`"])
    _parsed[path] = (stamp, raw)
    return raw


def _pydantic_problems(error: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(part) for part in item['loc']) or '(top)'}: {item['msg']}"
        for item in error.errors()
    ]


def _validate(path: Path, raw: dict[str, Any]) -> Framework:
    try:
        framework = Framework.model_validate(raw)
    except ValidationError as exc:
        raise FrameworkFileError(path, _pydantic_problems(exc)) from None
    problems = problems_of(framework)
    if problems:
        raise FrameworkFileError(path, problems)
    return framework


def read_framework(path: Path) -> Framework:
    """One framework file, fully validated; FrameworkFileError names the file and every problem."""
    return _validate(path, _read_raw(path))


def _raw_by_id(frameworks_dir: Path | None) -> dict[str, tuple[Path, dict[str, Any]]]:
    found: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in framework_files(frameworks_dir):
        raw = _read_raw(path)
        if raw["id"] in found:
            first = found[raw["id"]][0]
            raise FrameworkFileError(path, [f"id {raw['id']!r} is already used by {first}"])
        found[raw["id"]] = (path, raw)
    return found


def list_frameworks(frameworks_dir: Path | None = None) -> list[Framework]:
    """Every framework, validated; the first broken file raises FrameworkFileError."""
    return [_validate(path, raw) for path, raw in _raw_by_id(frameworks_dir).values()]


def load_framework(framework_id: str, frameworks_dir: Path | None = None) -> Framework:
    """The framework with this id; only its own file is fully validated."""
    found = _raw_by_id(frameworks_dir)
    if framework_id not in found:
        raise UnknownFrameworkError(framework_id, list(found))
    return _validate(*found[framework_id])
