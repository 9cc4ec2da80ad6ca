"""Small helpers shared by the metrics tests (not fixtures: plain functions)."""
from __future__ import annotations

import pandas as pd

AS_OF = "2026-03-01"  # US, PST (-08:00): DST starts 2026-03-08, so every fixture below is at -08:00
# Windows for AS_OF (inclusive, local days):
#   ODR 60 d ending AS_OF-15      2025-12-17 .. 2026-02-14
#   LSR 10 d / 30 d ending AS_OF-1 2026-02-19 .. 02-28 / 2026-01-30 .. 02-28
#   cancel 7 d ending AS_OF-1     2026-02-22 .. 02-28
#   VTR 30 d ending AS_OF-1       2026-01-30 .. 02-28
#   OTDR 14 d ending AS_OF-8      2026-02-08 .. 02-21


def one(health: pd.DataFrame, metric: str, channel: str = "MFN", window_days: int | None = None,
        account: str | None = None) -> pd.Series:
    """The single row of ``health`` for metric/channel(/window/account); fails if not exactly one."""
    sel = health[(health["metric"] == metric) & (health["channel"] == channel)]
    if window_days is not None:
        sel = sel[sel["window_days"] == window_days]
    if account is not None:
        sel = sel[sel["account"] == account]
    assert len(sel) == 1, f"expected one {metric}/{channel} row, got {len(sel)}"
    return sel.iloc[0]


def counts(health, metric, channel="MFN", window_days=None, account=None) -> tuple[int, int]:
    r = one(health, metric, channel, window_days, account)
    return int(r["numerator"]), int(r["denominator"])
