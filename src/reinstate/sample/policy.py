"""The generator's policy files (catalog.yaml, texts.yaml), loaded once."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import ConfigError

HERE = Path(__file__).resolve().parent


def _read(name: str) -> dict:
    path = HERE / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the sample-generator policy ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a YAML mapping at the top level")
    return data


@lru_cache(maxsize=None)
def catalog() -> dict:
    """Products, logistics, background rates and injection rates (catalog.yaml)."""
    return _read("catalog.yaml")


@lru_cache(maxsize=None)
def texts() -> dict:
    """Buyer text templates and fillers (texts.yaml)."""
    return _read("texts.yaml")
