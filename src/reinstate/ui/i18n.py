"""UI labels in English and Simplified Chinese, read from ``labels.yaml`` next to this module.

Only the interface is translated; the appeal letter stays English because Amazon reviews it in English.

>>> label("export", "zh")
'导出'
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from ..errors import ConfigError

LABELS_FILE = Path(__file__).with_name("labels.yaml")
DEFAULT_LANGUAGE = "en"


@cache
def _table() -> dict:
    try:
        raw = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:  # a hand-edited file: say where it broke
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{LABELS_FILE}{where}: not valid YAML ({exc})") from exc
    if not isinstance(raw, dict) or "labels" not in raw or "languages" not in raw:
        raise ConfigError(f"{LABELS_FILE}: expected the keys 'languages' and 'labels'")
    return raw


def languages() -> dict[str, str]:
    """Language code -> its own name, e.g. ``{"en": "English", "zh": "简体中文"}``."""
    return dict(_table()["languages"])


def label(key: str, language: str = DEFAULT_LANGUAGE, default: str | None = None) -> str:
    """The label ``key`` in ``language``; English when the translation is missing; ``default`` (else the key
    itself) when the key is unknown."""
    entry = _table()["labels"].get(key)
    if not entry:
        return key if default is None else default
    return entry.get(language) or entry.get(DEFAULT_LANGUAGE) or (key if default is None else default)


def template_title(template, language: str = DEFAULT_LANGUAGE) -> str:
    """A template's title in the UI language (``title_zh`` for Chinese when the template has one)."""
    get = template.get if isinstance(template, dict) else lambda k, d=None: getattr(template, k, d)
    title_en = get("title_en") or get("id") or ""
    if language == "zh":
        return get("title_zh") or title_en
    return title_en


def template_option(template, language: str = DEFAULT_LANGUAGE) -> str:
    """Dropdown text listing both titles, UI language first: "ODR (concise) · 订单缺陷率（简洁版）"."""
    get = template.get if isinstance(template, dict) else lambda k, d=None: getattr(template, k, d)
    en, zh = get("title_en") or get("id"), get("title_zh")
    if not zh:
        return en
    return f"{zh} · {en}" if language == "zh" else f"{en} · {zh}"
