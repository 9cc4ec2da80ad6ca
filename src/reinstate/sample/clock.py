"""Local calendar arithmetic in epoch seconds, vectorised.

All generator times are int64 UTC epoch seconds. A ``Clock`` knows where each local calendar day of one
marketplace starts in UTC, so "day index + local seconds" <-> "UTC seconds" is an array lookup and a
``searchsorted`` (exact across DST changes), and business-day arithmetic is numpy's ``busday_offset``.
Day indices count from ``Clock.base`` (a local calendar date).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

HOUR = 3600
DAY = 86400
MON_FRI = "1111100"
MON_SAT = "1111110"
EVERY_DAY = "1111111"


class Clock:
    """Local midnights of ``tz`` from ``base`` for ``n_days`` days (plus margin for events after the end)."""

    def __init__(self, tz: str, base: np.datetime64, n_days: int):
        self.tz = tz
        self.base = np.datetime64(base, "D")
        dates = self.base + np.arange(n_days + 1)
        idx = pd.DatetimeIndex(dates.astype("datetime64[ns]")).tz_localize(
            tz, ambiguous=np.zeros(len(dates), dtype=bool), nonexistent="shift_forward")
        self.midnight = (idx.asi8 // 10**9).astype(np.int64)

    def at(self, day: np.ndarray, seconds: np.ndarray | int) -> np.ndarray:
        """UTC seconds of local ``day`` + ``seconds`` after its midnight."""
        return self.midnight[day] + seconds

    def end_of_day(self, day: np.ndarray) -> np.ndarray:
        """UTC seconds of 23:59:59 local time on ``day``."""
        return self.midnight[day + 1] - 1

    def day_of(self, ts: np.ndarray) -> np.ndarray:
        """Local day index holding each UTC instant (clipped to the calendar)."""
        return np.clip(np.searchsorted(self.midnight, ts, side="right") - 1, 0, len(self.midnight) - 2)

    def seconds_of_day(self, ts: np.ndarray) -> np.ndarray:
        return ts - self.midnight[self.day_of(ts)]

    def busday(self, day: np.ndarray, offset: np.ndarray | int, weekmask: str) -> np.ndarray:
        """Day index ``offset`` business days after ``day`` (rolled forward onto a business day first)."""
        dates = self.base + day.astype("timedelta64[D]")
        moved = np.busday_offset(dates, offset, roll="forward", weekmask=weekmask)
        return (moved - self.base).astype(np.int64)

    def is_busday(self, day: np.ndarray, weekmask: str) -> np.ndarray:
        return np.is_busday(self.base + day.astype("timedelta64[D]"), weekmask=weekmask)

    def date(self, day: int) -> str:
        """ISO date of a day index."""
        return str(self.base + np.timedelta64(int(day), "D"))
