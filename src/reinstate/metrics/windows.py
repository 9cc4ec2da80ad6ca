"""Which calendar days each metric covers on a given ``as_of`` day.

Windows are inclusive at both ends and expressed in the marketplace's local calendar days. Their lengths,
the offset of their last day from ``as_of`` and the date that places an order in them (``basis``) come from
``src/reinstate/policy/reference/metric_windows.csv``; the ODR offset is a parameter, and any window can be replaced by the
exact dates an analyst reads off the Account Health dashboard.

>>> [(w.metric, w.window_days, str(w.start), str(w.end)) for w in metric_windows("2026-03-01")][0]
('order_defect_rate', 60, '2025-12-17', '2026-02-14')
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ..errors import ConfigError
from ..paths import REFERENCE_DIR

ODR_METRICS = ("order_defect_rate", "negative_feedback_rate", "a_to_z_claim_rate", "chargeback_rate")


@dataclass(frozen=True)
class Window:
    """One metric window: ``start``..``end`` inclusive, local calendar days."""
    metric: str
    window_days: int
    start: dt.date
    end: dt.date
    basis: str  # the per-order day column that places an order in the window


@lru_cache(maxsize=None)
def window_specs() -> pd.DataFrame:
    """The window table: metric, window_days, end_offset_days, basis (one row per metric window)."""
    return pd.read_csv(REFERENCE_DIR / "metric_windows.csv")


def to_day(value, what: str = "date") -> dt.date:
    """Parse a date-like value (``"2026-03-01"``, date, Timestamp) to a ``datetime.date``."""
    if value is None:
        return dt.date.today()
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{what}: cannot read '{value}' as a date (expected YYYY-MM-DD)") from exc
    if pd.isna(ts):
        raise ConfigError(f"{what}: cannot read '{value}' as a date (expected YYYY-MM-DD)")
    return ts.date()


def metric_windows(as_of=None, *, odr_offset_days: int = 15, overrides: dict | None = None,
                   metrics=None) -> list[Window]:
    """All metric windows for ``as_of`` (default today).

    ``odr_offset_days``: days between the ODR window's last day and ``as_of`` (Amazon's API shows 15).
    ``overrides``: ``{metric: (start, end)}`` or ``{(metric, window_days): (start, end)}`` with dates read off the
    dashboard; an ``order_defect_rate`` override also moves the three ODR components. ``metrics`` limits the list.
    """
    as_of = to_day(as_of, "as_of")
    overrides = dict(overrides or {})
    specs = window_specs()
    counts = specs["metric"].value_counts()
    for key in overrides:
        name = key[0] if isinstance(key, tuple) else key
        if name not in counts.index:
            raise ConfigError(f"window override for unknown metric '{name}' "
                              f"(expected one of {', '.join(counts.index)})")
        if not isinstance(key, tuple) and counts[name] > 1:
            raise ConfigError(f"'{name}' has {counts[name]} windows; give the override as ('{name}', days)")
    out = []
    for row in specs.itertuples(index=False):
        if metrics is not None and row.metric not in metrics:
            continue
        offset = odr_offset_days if row.metric in ODR_METRICS else int(row.end_offset_days)
        end = as_of - dt.timedelta(days=int(offset))
        start = end - dt.timedelta(days=int(row.window_days) - 1)
        hit = None
        for key in ((row.metric, int(row.window_days)), row.metric):
            if key in overrides:
                hit = overrides[key]
                break
        if hit is None and row.metric in ODR_METRICS:
            hit = overrides.get("order_defect_rate")
        if hit is not None:
            start, end = to_day(hit[0], f"{row.metric} window start"), to_day(hit[1], f"{row.metric} window end")
            if end < start:
                raise ConfigError(f"{row.metric} window: end {end} is before start {start}")
        out.append(Window(row.metric, (end - start).days + 1, start, end, row.basis))
    return out
