"""Small, pure formatters shared by the context builder and the exports (dates, percents, slots)."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd


def as_date(value) -> dt.date | None:
    """A date from a str/date/datetime/Timestamp; None for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(stamp) else stamp.date()


def fmt_date(value) -> str:
    """'2 Aug 2026': day-month-year with a month name, unambiguous in every marketplace."""
    day = as_date(value)
    return "" if day is None else f"{day.day} {day:%b %Y}"


def fmt_span(start, end) -> str:
    """'2 Aug 2026 to 16 Aug 2026' (or the one date that is known)."""
    a, b = fmt_date(start), fmt_date(end)
    if a and b:
        return a if a == b else f"{a} to {b}"
    return a or b


def fmt_pct(rate, digits: int = 2) -> str:
    """0.0142 -> '1.42%'; 0.01 -> '1%'; missing -> 'n/a'."""
    if rate is None or (isinstance(rate, float) and math.isnan(rate)) or rate is pd.NA:
        return "n/a"
    text = f"{float(rate) * 100:.{digits}f}".rstrip("0").rstrip(".")
    return f"{text}%"


class _KeepMissing(dict):
    """format_map helper: an unknown slot stays '{slot}' so the linter reports it instead of a crash."""

    def __missing__(self, key):
        return "{" + key + "}"


def fill_slots(pattern: str, **values) -> str:
    """Fill {slot}s of an action-library sentence with plain str.format (never Jinja) and capitalise it."""
    text = pattern.format_map(_KeepMissing({k: v for k, v in values.items() if v not in (None, "")}))
    return text[:1].upper() + text[1:] if text else text
