"""environment.yml mirrors pyproject.toml's runtime dependencies exactly (names and lower bounds)."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _split(spec: str) -> tuple[str, str]:
    name, bound = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec).groups()
    return name.lower().replace("_", "-"), bound.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip[-1] == "-e .[dev]"
    conda_deps = dict(_split(d) for d in conda)
    assert conda_deps.pop("python") == project["requires-python"]
    assert conda_deps.pop("pip") == ""
    pyproject_deps = dict(_split(d) for d in project["dependencies"])
    assert conda_deps == pyproject_deps
