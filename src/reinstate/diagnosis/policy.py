"""Load the diagnosis policy (policy.yaml, statements.yaml) once; callers may override keys."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import ConfigError

HERE = Path(__file__).resolve().parent


def read_yaml(path: Path) -> dict:
    """Parse a YAML mapping, turning syntax errors into a ConfigError that names the file and line."""
    try:
        # The C loader when PyYAML has it: lexicons are parsed on every first use in a process.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a YAML mapping at the top level")
    return data


@lru_cache(maxsize=None)
def _packaged(name: str) -> dict:
    return read_yaml(HERE / name)


def load_policy(overrides: dict | None = None) -> dict:
    """The packaged policy with top-level keys replaced by ``overrides``."""
    policy = dict(_packaged("policy.yaml"))
    for key, value in (overrides or {}).items():
        if key not in policy:
            raise ConfigError(f"unknown diagnosis policy key '{key}' (expected one of {', '.join(policy)})")
        policy[key] = value
    return policy


def load_statements() -> dict:
    """Wording of root-cause sentences (statements.yaml)."""
    return _packaged("statements.yaml")
