"""The template library: metadata of every appeal template and the action library.

Templates come from the package (``reinstate/policy/templates``) and from the user's folders
(``paths.template_dirs()``: ``--templates DIR``, ``./templates``); a user's template replaces the package's one of
the same id, and a user's ``actions.yaml`` adds cause groups or replaces them.

A template is a Jinja2 file ``templates/<id>.j2`` whose first block is a Jinja comment holding YAML
front matter, so the file stays a valid template and adding one needs no Python::

    {#---
    id: late-shipment-rate
    title_en: Late shipment rate above 4%
    title_zh: 迟发率超标
    appeal_type: account_metrics
    metrics: [late_shipment_rate]
    required: [store_name, metrics.late_shipment_rate, causes]
    optional: [merchant_token]
    when_to_use: ...
    example: {...}          # context used by `reinstate templates check`
    ---#}

Optional keys: argues (the metric whose failing orders the letter counts; default the first of ``metrics``;
a template without metrics argues none), aliases, title_zh, list_fields (fields given as "a; b" strings become lists), causes (the
diagnosis causes the template writes about), default_causes (action groups used when none is found),
max_causes (default 6) and lint_budget (linter budget overrides for a deliberately long letter).

Files whose name starts with ``_`` are shared partials, not letters. Everything is read once and cached.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import ConfigError, TemplateError
from ..paths import template_dirs

FRONT_MATTER = re.compile(r"\A\{#-?\s*---\s*\n(?P<yaml>.*?)\n\s*---\s*-?#\}\n?", re.DOTALL)
ACTIONS_FILE = "actions.yaml"
KEYS = ("id", "title_en", "appeal_type", "metrics", "required", "when_to_use")


@dataclass(frozen=True)
class TemplateInfo:
    """Metadata of one appeal template (from its front matter)."""
    id: str
    title_en: str
    title_zh: str
    appeal_type: str
    metrics: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    list_fields: tuple[str, ...]
    when_to_use: str
    filename: str
    aliases: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()          # cause ids this template is meant for (diagnosis filter)
    default_causes: tuple[str, ...] = ()  # action groups used when no cause is chosen
    max_causes: int = 6                   # most root-cause blocks the letter carries
    argues: str | None = None             # the metric the letter argues (its failing orders are counted)
    lint_budget: dict = field(default_factory=dict, compare=False, hash=False)  # linter budget overrides
    example: dict = field(default_factory=dict, compare=False, hash=False)


def _read_front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    if not match:
        raise ConfigError(f"{path}, line 1: no front matter (expected the file to start with '{{#---' ... '---#}}')")
    try:
        meta = yaml.safe_load(match.group("yaml")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 2}" if mark else ""
        raise ConfigError(f"{path}{line}: front matter is not valid YAML ({exc})") from None
    missing = [k for k in KEYS if k not in meta]
    if missing:
        raise ConfigError(f"{path}: front matter lacks {', '.join(missing)} (expected keys {', '.join(KEYS)})")
    return meta


def _tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _dirs(directory) -> tuple[str, ...]:
    """The folders to read, most important first (one given folder, or the user's and the package's)."""
    return (str(directory),) if directory is not None else tuple(str(d) for d in template_dirs())


def _load(dirs: tuple[str, ...]) -> dict[str, TemplateInfo]:
    infos: dict[str, TemplateInfo] = {}
    for directory in reversed(dirs):  # the package first; a user's folder replaces the ids it redefines
        mine = _load_one(directory)
        replaced = {info.id for info in mine.values()}
        infos = {k: i for k, i in infos.items() if i.id not in replaced}
        infos.update(mine)
    return infos


@lru_cache(maxsize=8)
def _load_one(directory: str) -> dict[str, TemplateInfo]:
    infos: dict[str, TemplateInfo] = {}
    if not Path(directory).is_dir():
        raise ConfigError(f"{directory}: templates folder not found")
    for path in sorted(Path(directory).glob("*.j2")):
        if path.name.startswith("_"):
            continue
        meta = _read_front_matter(path)
        info = TemplateInfo(
            id=str(meta["id"]), title_en=str(meta["title_en"]), title_zh=str(meta.get("title_zh") or ""),
            appeal_type=str(meta["appeal_type"]), metrics=_tuple(meta.get("metrics")),
            required=_tuple(meta.get("required")), optional=_tuple(meta.get("optional")),
            list_fields=_tuple(meta.get("list_fields")), when_to_use=" ".join(str(meta["when_to_use"]).split()),
            filename=path.name, aliases=_tuple(meta.get("aliases")), causes=_tuple(meta.get("causes")),
            default_causes=_tuple(meta.get("default_causes")), max_causes=int(meta.get("max_causes", 6)),
            argues=str(meta["argues"]) if meta.get("argues") else (str(meta["metrics"][0]) if meta.get("metrics")
                                                                   else None),
            lint_budget=dict(meta.get("lint_budget") or {}),
            example=dict(meta.get("example") or {}),
        )
        for key in (info.id, *info.aliases):
            if key in infos:
                raise ConfigError(f"{path}: template id or alias '{key}' is already used by {infos[key].filename}")
            infos[key] = info
    return infos


def templates(directory: Path | str | None = None) -> list[TemplateInfo]:
    """Every appeal template, sorted by id (aliases not repeated); ``directory`` reads one folder only."""
    unique = {info.id: info for info in _load(_dirs(directory)).values()}
    return [unique[k] for k in sorted(unique)]


def get_template(template_id: str, directory: Path | str | None = None) -> TemplateInfo:
    """Metadata of one template by id or alias; TemplateError listing the known ids otherwise."""
    infos = _load(_dirs(directory))
    if template_id not in infos:
        known = ", ".join(sorted({i.id for i in infos.values()}))
        raise TemplateError(f"unknown template '{template_id}' (expected one of: {known})")
    return infos[template_id]


def action_library(directory: Path | str | None = None) -> dict:
    """The action library (actions.yaml): cause id -> label, root_cause, corrective, preventive.

    The package's library, with the cause groups of a user's ``actions.yaml`` added or replacing."""
    merged: dict = {}
    for folder in reversed(_dirs(directory)):
        if (Path(folder) / ACTIONS_FILE).is_file():
            merged.update(_read_actions(folder))
    return merged


@lru_cache(maxsize=8)
def _read_actions(directory: str) -> dict:
    path = Path(directory) / ACTIONS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the action library ({exc})") from None
    for cause, group in data.items():
        for kind in ("root_cause", "corrective", "preventive"):
            if kind not in group:
                raise ConfigError(f"{path}: cause '{cause}' has no '{kind}' entry")
        if "account" not in group["root_cause"]:
            raise ConfigError(f"{path}: cause '{cause}' root_cause lacks the 'account' pattern")
        for item in (*group["corrective"], *group["preventive"]):
            if "id" not in item or "text" not in item:
                raise ConfigError(f"{path}: an action of cause '{cause}' lacks 'id' or 'text'")
    return data
