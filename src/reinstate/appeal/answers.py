"""The analyst's answers: the human reasons and the real dates and owners the data cannot know.

The data gives the facts (counts, scope, dates, example orders, quotes). Why the carrier was late, who
changed what and when, only the analyst knows. Until they say so, the letter shows the library's words
as visibly marked suggestions and leaves action dates empty.

An answers file (``reinstate letter --answers answers.yaml``)::

    causes:
      carrier_delay:
        why: We kept USPS Ground Advantage for the West Coast although its transit time was 5-7 days.
    actions:
      carrier_delay.ca.template: {date: 2026-11-10, owner: our logistics manager}
      late_shipment.ca.cover: {date: 2026-11-12}          # a non-default action is added when it is answered
      carrier_delay.ca.service: {drop: true}              # a default action the analyst did not take
    fields:
      store_name: Northwind Home

``--set`` gives the same answers one at a time: ``why.CAUSE=TEXT``, ``date.ACTION_ID=YYYY-MM-DD``,
``owner.ACTION_ID=TEXT``, ``drop.ACTION_ID=yes``. Every value is data, never template source.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ConfigError

ACTION_KEYS = ("date", "owner", "drop", "frequency")
SET_PREFIXES = ("why", "date", "owner", "drop")
TRUE = ("1", "true", "yes", "y", "on")


@dataclass
class Answers:
    """Per-cause ``why`` text, per-action {date, owner, drop, frequency}, and other template fields."""
    why: dict[str, str] = field(default_factory=dict)
    actions: dict[str, dict] = field(default_factory=dict)
    fields: dict = field(default_factory=dict)

    def merged(self, other: Answers) -> Answers:
        """These answers overridden by `other`'s (``--set`` wins over the file)."""
        actions = {k: dict(v) for k, v in self.actions.items()}
        for k, v in other.actions.items():
            actions.setdefault(k, {}).update(v)
        return Answers({**self.why, **other.why}, actions, {**self.fields, **other.fields})

    def to_dict(self) -> dict:
        """The answers-file shape (what `load_answers` reads back)."""
        return {"causes": {k: {"why": v} for k, v in self.why.items()}, "actions": self.actions,
                "fields": self.fields}


def _date(value, where: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ConfigError(f"{where}: date '{value}' is not a date (expected YYYY-MM-DD)") from None


def _action(spec, where: str) -> dict:
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: expected a mapping of {', '.join(ACTION_KEYS)}")
    unknown = [k for k in spec if k not in ACTION_KEYS]
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' (expected {', '.join(ACTION_KEYS)})")
    out = {}
    if "date" in spec:
        out["date"] = _date(spec["date"], where + ".date")
    for key in ("owner", "frequency"):
        if spec.get(key) not in (None, ""):
            out[key] = str(spec[key])
    if "drop" in spec:
        out["drop"] = spec["drop"] is True or str(spec["drop"]).strip().lower() in TRUE
    return out


def parse_answers(data, *, source: str = "answers") -> Answers:
    """Answers from the answers-file mapping; errors name the source and the key."""
    if data is None:
        return Answers()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with causes, actions and fields")
    unknown = [k for k in data if k not in ("causes", "actions", "fields")]
    if unknown:
        raise ConfigError(f"{source}: unknown section '{unknown[0]}' (expected causes, actions, fields)")
    why = {}
    for cause, spec in (data.get("causes") or {}).items():
        text = spec.get("why") if isinstance(spec, dict) else spec
        if text is not None and not isinstance(text, str):
            raise ConfigError(f"{source}: causes.{cause}.why: expected text")
        if text and text.strip():
            why[str(cause)] = " ".join(text.split())
    actions = {str(k): _action(v, f"{source}: actions.{k}") for k, v in (data.get("actions") or {}).items()}
    fields = data.get("fields") or {}
    if not isinstance(fields, dict):
        raise ConfigError(f"{source}: fields: expected a mapping of field: value")
    return Answers(why, actions, {str(k): v for k, v in fields.items()})


def load_answers(path: str | Path) -> Answers:
    """Read an answers YAML file (see the module docstring)."""
    path = Path(path)
    try:
        # BaseLoader: every value stays text (a date is checked by _date, "no" is not turned into False).
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the answers file ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    return parse_answers(data, source=str(path))


def split_set(fields: dict) -> tuple[Answers, dict]:
    """(answers given as --set why.X / date.X / owner.X / drop.X, the remaining template fields)."""
    answers, rest = Answers(), {}
    for name, value in fields.items():
        prefix, dot, key = name.partition(".")
        if not dot or prefix not in SET_PREFIXES or not key:
            rest[name] = value
            continue
        if prefix == "why":
            answers.why[key] = " ".join(str(value).split())
        else:
            spec = _action({prefix: value}, f"--set {name}")
            answers.actions.setdefault(key, {}).update(spec)
    return answers, rest
