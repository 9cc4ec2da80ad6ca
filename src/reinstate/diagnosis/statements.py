"""One root-cause sentence per hypothesis, with its numbers (wording in statements.yaml).

    "31 of 44 defects (70%) were item-not-received complaints via carrier X between
     2 and 16 Aug (12% of the scope's orders vs 0.8% elsewhere); 24 of them had no carrier scan."
"""
from __future__ import annotations

import pandas as pd

from .policy import load_statements


def day_span(start, end) -> str:
    """'2 and 16 Aug', '28 Jul and 3 Aug', or '28 Dec 2025 and 3 Jan 2026' (for 'between ... ')."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    if s.year != e.year:
        return f"{s.day} {s:%b %Y} and {e.day} {e:%b %Y}"
    if s.month != e.month:
        return f"{s.day} {s:%b} and {e.day} {e:%b}"
    return f"{s.day} and {e.day} {e:%b}"


def _pct(x: float) -> str:
    if x != x:  # NaN
        return "n/a"
    return f"{x:.1%}" if x < 0.1 else f"{x:.0%}"


def scope_phrase(dimension: str, value, start=None, end=None) -> str:
    """'on SKU X', 'via X', 'between 2 and 16 Aug', 'across the account'."""
    words = load_statements()
    if dimension == "period":
        return words["scopes"]["period"].format(start="", end="").replace("between  and ", "between " + day_span(start, end))
    return words["scopes"][dimension].format(value=value)


def statement(*, cause: str, dimension: str, value, start, end, k: int, total: int, scope_rate: float,
              rest_rate, reference=None, extras: dict | None = None, nested: list[str] | None = None) -> str:
    """Render one hypothesis as a sentence (see module docstring)."""
    words = load_statements()
    share = k / total if total else 0.0
    where = scope_phrase(dimension, value, start, end)
    if dimension not in ("account", "period") and start is not None and pd.notna(start):
        where += " " + words["span"].format(start="", end="").replace("between  and ", "between " + day_span(start, end))
    text = f"{k} of {total} defects ({share:.0%}) were {words['labels'][cause]} {where}"
    if dimension == "account" and reference is not None:
        text += " (" + words["account_rate"].format(scope_rate=_pct(scope_rate), reference=_pct(reference)) + ")"
    elif rest_rate is not None:
        text += " (" + words["rates"].format(scope_rate=_pct(scope_rate), rest_rate=_pct(rest_rate)) + ")"
    for key, n in (extras or {}).items():
        if n:
            text += "; " + words["extra"][key].format(n=n)
    if nested:
        text += "; " + words["nested"].format(what=" and ".join(nested))
    return text + "."


def nested_phrase(cause: str, dimension: str, value, start, end, k: int) -> str:
    """Short mention of a nested hypothesis: 'the 12 item-not-received complaints on SKU Y'."""
    words = load_statements()
    where = scope_phrase(dimension, value, start, end)
    return f"the {k} {words['labels'][cause]} {where}"
