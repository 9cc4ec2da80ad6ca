"""Daily series of a metric as its window slides: what Account Health would have shown on each ``as_of`` day.

Computed with one difference array per (group, day) and a cumulative sum, never by re-filtering the frame once
per day: each event (order or message) counts on the as_of days ``[max(day, first_end) + offset,
day + window_days - 1 + offset]``, so a +1 at the first day and a -1 after the last, summed cumulatively, give
every day's numerator and denominator at once. It uses the same events and rule as ``account_health``, so any
single day agrees exactly with it (numerator, denominator, rate). Defects are the ones known in the data now:
a past day's figure is what Amazon would show *today* for that period.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import orders_of
from ..errors import ConfigError
from .flags import missing_columns
from .health import all_events, finish, prepare, select
from .policy import DEFAULT_MARGIN
from .rules import ALL_METRICS, KEYS, Events, day_number, day_timestamps
from .windows import metric_windows, to_day

TREND_COLUMNS = ["as_of", "account", "marketplace", "metric", "channel", "window_days", "window_start",
                 "window_end", "numerator", "denominator", "rate", "target", "condition", "status"]


def sliding_counts(events: Events, gids, *, first: int, last: int, window_days: int,
                   offset: int) -> tuple[np.ndarray, np.ndarray]:
    """(numerator, denominator) arrays of shape (len(gids), last - first + 1) for as_of days first..last."""
    gids = np.asarray(gids)
    n_days, n_groups = last - first + 1, len(gids)
    width = n_days + 1
    if n_groups == 0 or events.frame.empty:
        return np.zeros((n_groups, n_days), "int64"), np.zeros((n_groups, n_days), "int64")
    position = np.full(int(max(events.groups.index.max(), gids.max())) + 1, -1)
    position[gids] = np.arange(n_groups)
    ev = events.frame
    g = position[ev["gid"].to_numpy()]
    day = ev["day"].to_numpy()
    lo = np.maximum(np.maximum(day, ev["first_end"].to_numpy()) + offset, first)
    hi = np.minimum(day + window_days - 1 + offset, last)
    keep = (lo <= hi) & (g >= 0)
    g, lo, hi = g[keep], lo[keep] - first, hi[keep] - first + 1
    out = []
    for col in ("num", "den"):
        w = ev[col].to_numpy()[keep].astype(float)
        diff = np.bincount(g * width + lo, weights=w, minlength=n_groups * width)
        diff -= np.bincount(g * width + hi, weights=w, minlength=n_groups * width)
        out.append(np.rint(diff.reshape(n_groups, width).cumsum(axis=1)[:, :n_days]).astype("int64"))
    return out[0], out[1]


def metric_trend(data, *, metric="order_defect_rate", start=None, end=None, days: int = 90, channel=None,
                 account=None, marketplace=None, window_days: int | None = None,
                 include_cancelled_in_odr: bool = False, odr_offset_days: int = 15,
                 margin: float = DEFAULT_MARGIN, flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """Daily values of ``metric`` (a name or a list of names) for every ``as_of`` day from ``start`` to ``end``.

    ``end`` defaults to the day after the latest purchase in the data, ``start`` to ``end - days + 1``.
    ``window_days`` picks one window of a metric that has several (LSR 10/30, late response 7/30/90); by
    default every window is returned. One row per (as_of, account, marketplace, metric, channel, window_days)
    with ``TREND_COLUMNS``. The VTR status here is the overall rate's; ``account_health`` also applies the
    per-category rule.

    >>> metric_trend(data, metric="order_defect_rate", days=365)  # doctest: +SKIP
    """
    metrics = (metric,) if isinstance(metric, str) else tuple(metric)
    bad = set(metrics) - set(ALL_METRICS)
    if bad:
        raise ConfigError(f"unknown metric(s) {', '.join(sorted(bad))} (expected {', '.join(ALL_METRICS)})")
    if end is None:
        orders = select(orders_of(data), account=account, marketplace=marketplace)
        latest = orders["purchase_date"].max()
        end = (latest.date() + pd.Timedelta(days=1)) if pd.notna(latest) else None
    end = to_day(end, "end")
    start = to_day(start, "start") if start is not None else end - pd.Timedelta(days=days - 1).to_pytimedelta()
    if start > end:
        raise ConfigError(f"trend start {start} is after end {end}")
    orders, messages, flags = prepare(data, as_of=end, account=account, marketplace=marketplace, flags=flags)
    events = all_events(flags, messages, metrics, include_cancelled_in_odr=include_cancelled_in_odr)
    first, last = day_number([start, end])
    as_of_days = np.arange(first, last + 1)
    blocks = []
    for win in metric_windows(end, odr_offset_days=odr_offset_days, metrics=metrics):
        if win.metric not in events or (window_days is not None and win.window_days != window_days):
            continue
        offset = (end - win.end).days
        ev = events[win.metric]
        gids = ev.universe()
        if channel is not None:
            gids = gids[(ev.groups.loc[gids, "channel"] == channel).to_numpy()]
        groups = ev.groups.loc[gids, KEYS].reset_index(drop=True)
        num, den = sliding_counts(ev, gids, first=first, last=last, window_days=win.window_days, offset=offset)
        if win.metric != "late_response_rate" and missing_columns(orders, win.metric):
            num, den = np.zeros_like(num), np.zeros_like(den)
        n_days = len(as_of_days)
        rep = groups.loc[groups.index.repeat(n_days)].reset_index(drop=True)
        ends = np.tile(as_of_days - offset, len(groups))
        rep["as_of"] = np.tile(as_of_days, len(groups))
        rep["metric"] = win.metric
        rep["window_days"] = win.window_days
        rep["window_end"] = ends
        rep["window_start"] = ends - (win.window_days - 1)
        rep["numerator"] = num.reshape(-1)
        rep["denominator"] = den.reshape(-1)
        blocks.append(rep)
    if not blocks:
        return pd.DataFrame(columns=TREND_COLUMNS)
    frame = pd.concat(blocks, ignore_index=True)
    for col in ("as_of", "window_start", "window_end"):
        frame[col] = day_timestamps(frame[col].to_numpy())
    out = finish(frame, margin=margin)
    return out[TREND_COLUMNS].sort_values(
        ["account", "marketplace", "metric", "channel", "window_days", "as_of"], kind="stable", ignore_index=True)
