"""When does a channel's ODR get back under target, and what would it take today?

As the 60-day window slides forward, old orders leave it and recent orders (with the defects already known on
them) enter. From ``as_of`` on, the projection adds the recent daily order volume with no new defects. It is a
best case: defects still to come on recent orders are unknown.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from .health import finish, prepare
from .policy import DEFAULT_MARGIN
from .rules import day_number, day_timestamps, metric_events
from .trend import sliding_counts
from .windows import metric_windows, to_day

SUMMARY_COLUMNS = ["account", "marketplace", "channel", "as_of", "window_start", "window_end", "numerator",
                   "denominator", "rate", "target", "condition", "status", "daily_orders", "recovery_date",
                   "days_to_recovery", "defect_free_orders_needed", "defects_to_remove"]
PROJECTION_COLUMNS = ["account", "marketplace", "channel", "as_of", "numerator", "denominator",
                      "projected_orders", "rate", "target", "condition", "status"]


@dataclass
class RecoveryForecast:
    """``summary``: one row per (account, marketplace, channel); ``projection``: one row per day and group."""
    summary: pd.DataFrame
    projection: pd.DataFrame


def _fraction(value: float) -> Fraction:
    # Targets are decimals in a CSV (0.01); Fraction(str()) keeps 1/100 exact for the integer arithmetic below.
    return Fraction(str(value)).limit_denominator(10**9)


def orders_needed(num, den, target, condition):
    """(defect-free orders to add, defects to remove) to satisfy ``num/den <condition> target``, exactly.

    For "<": add x with num/(den+x) < t  <=>  x*p > num*q - den*p (t = p/q), so x = floor((num*q - den*p)/p) + 1;
    remove r with (num-r)/den < t  <=>  r*q > num*q - den*p, so r = floor((num*q - den*p)/q) + 1 (never below 0).
    "<=" uses the non-strict versions. With target 0 and "<" no number of added orders helps (None).
    """
    add, remove = [], []
    for n, d, t, c in zip(num, den, target, condition):
        f = _fraction(t)
        p, q = f.numerator, f.denominator
        gap = n * q - d * p
        if c == "<":
            add.append(None if p == 0 else max(0, gap // p + 1))
            remove.append(max(0, gap // q + 1) if d > 0 else None)
        else:  # "<="
            add.append(None if p == 0 and gap > 0 else max(0, -(-gap // p)) if p else 0)
            remove.append(max(0, -(-gap // q)) if d > 0 else None)
    return add, remove


def recovery_forecast(data, *, as_of, channel="MFN", account=None, marketplace=None, horizon_days: int = 120,
                      volume_days: int = 30, daily_orders: float | None = None,
                      include_cancelled_in_odr: bool = False, odr_offset_days: int = 15,
                      margin: float = DEFAULT_MARGIN, flags: pd.DataFrame | None = None) -> RecoveryForecast:
    """Project a channel's ODR day by day from ``as_of`` for ``horizon_days``.

    Daily volume = ODR-eligible orders of the channel over the ``volume_days`` days before ``as_of`` divided by
    ``volume_days`` (or ``daily_orders`` if given). ``summary`` gives today's ODR, the first day it is back under
    target (``recovery_date``, NaT if not within the horizon), and how many defect-free orders or removed
    defects would put it under target today. Works for many accounts at once.
    """
    as_of = to_day(as_of, "as_of")
    _, _, flags = prepare(data, as_of=as_of, account=account, marketplace=marketplace, flags=flags)
    events = metric_events(flags, "order_defect_rate", include_cancelled_in_odr=include_cancelled_in_odr)
    gids = events.universe()
    gids = gids[(events.groups.loc[gids, "channel"] == channel).to_numpy()]
    groups = events.groups.loc[gids, ["account", "marketplace", "channel"]].reset_index(drop=True)
    win = metric_windows(as_of, odr_offset_days=odr_offset_days, metrics=("order_defect_rate",))[0]
    offset = (as_of - win.end).days
    first = int(day_number([as_of])[0])
    last = first + horizon_days
    # Only orders placed before as_of are known; later days are projected.
    events.frame = events.frame[events.frame["day"].to_numpy() < first]
    num, den = sliding_counts(events, gids, first=first, last=last, window_days=win.window_days, offset=offset)
    # Recent daily volume per group, from the same events (one per ODR-eligible order).
    recent = events.frame[events.frame["day"].to_numpy() >= first - volume_days]
    size = int(events.groups.index.max()) + 1 if len(events.groups) else 0
    vol = np.bincount(recent["gid"].to_numpy(), minlength=size)[gids] / volume_days
    if daily_orders is not None:
        vol = np.full(len(groups), float(daily_orders))
    days = np.arange(first, last + 1)
    ends = days - offset
    starts = ends - (win.window_days - 1)
    future_days = np.clip(ends - np.maximum(starts, first) + 1, 0, None)  # days of the window on/after as_of
    projected = vol[:, None] * future_days[None, :]

    n_days = len(days)
    proj = groups.loc[groups.index.repeat(n_days)].reset_index(drop=True)
    proj["as_of"] = day_timestamps(np.tile(days, len(groups)))
    proj["metric"] = "order_defect_rate"
    proj["numerator"] = num.reshape(-1)
    proj["denominator"] = den.reshape(-1)
    proj["projected_orders"] = projected.reshape(-1)
    proj = finish(proj.assign(denominator=proj["denominator"] + proj["projected_orders"]), margin=margin)
    proj["denominator"] = proj["denominator"].round(1)

    today = proj[proj["as_of"] == pd.Timestamp(as_of)].reset_index(drop=True)
    ok = proj["status"].isin(["good", "at_risk"])
    first_ok = proj[ok].drop_duplicates(["account", "marketplace", "channel"])[
        ["account", "marketplace", "channel", "as_of"]].rename(columns={"as_of": "recovery_date"})
    summary = today.merge(first_ok, on=["account", "marketplace", "channel"], how="left")
    summary["days_to_recovery"] = (summary["recovery_date"] - pd.Timestamp(as_of)).dt.days.astype("Int64")
    summary["daily_orders"] = vol
    summary["window_start"], summary["window_end"] = pd.Timestamp(win.start), pd.Timestamp(win.end)
    summary["denominator"] = summary["denominator"].astype("int64")
    add, remove = orders_needed(summary["numerator"].tolist(), summary["denominator"].tolist(),
                                summary["target"].tolist(), summary["condition"].tolist())
    summary["defect_free_orders_needed"] = pd.array(add, dtype="Int64")
    summary["defects_to_remove"] = pd.array(remove, dtype="Int64")
    return RecoveryForecast(summary=summary[SUMMARY_COLUMNS], projection=proj[PROJECTION_COLUMNS])
