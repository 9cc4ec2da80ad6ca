"""Saved snapshots of one metric, for notebook 02 and the MetricsExplorer: a small table and a plot.

Both return None when there is no history store (or nothing saved for the selection), so a front end shows
nothing rather than an error: history is an extra next to today's figures.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .store import default_store, snapshots

HISTORY_COLUMNS = ["as_of", "channel", "window_days", "numerator", "denominator", "rate", "status"]


def saved_history(metric: str = "order_defect_rate", *, store=None, account=None, marketplace=None,
                  last: int = 30) -> pd.DataFrame | None:
    """The saved rows of ``metric`` (the last ``last`` days saved, oldest first; ``HISTORY_COLUMNS`` plus
    account and marketplace), or None when the store does not exist or holds nothing for the selection."""
    path = Path(store).expanduser() if store is not None else default_store()
    if not path.is_file():
        return None
    from ..errors import ConfigError
    try:
        frame = snapshots(store=path, metric=metric, account=account, marketplace=marketplace)
    except ConfigError:  # not a history file: nothing to show
        return None
    if frame.empty:
        return None
    days = sorted(frame["as_of"].unique())[-last:]
    frame = frame[frame["as_of"].isin(days)]
    return frame[["account", "marketplace", *HISTORY_COLUMNS]].reset_index(drop=True)


def plot_history(frame: pd.DataFrame | None, *, metric: str = "order_defect_rate", ax=None):
    """The saved rate per day, one line per (account, marketplace, channel, window); None without rows."""
    if frame is None or frame.empty:
        return None
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3))
    several = frame[["account", "marketplace"]].drop_duplicates().shape[0] > 1
    for key, part in frame.groupby(["account", "marketplace", "channel", "window_days"], sort=True, dropna=False):
        account, marketplace, channel, window = key
        name = f"{channel} {window}d" + (f" ({account}/{marketplace})" if several else "")
        part = part.sort_values("as_of")
        ax.plot(pd.to_datetime(part["as_of"]), part["rate"].astype(float), marker="o", label=name)
    ax.set_title(f"{metric.replace('_', ' ')}: saved snapshots")
    ax.set_ylabel("rate")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.1%}"))
    ax.legend(fontsize="small", loc="best")
    ax.figure.autofmt_xdate()
    return ax


def history_view(metric: str = "order_defect_rate", *, store=None, account=None, marketplace=None):
    """For a notebook: the plot and table of the saved snapshots of ``metric``; None (nothing shown) when
    there is no store or nothing saved."""
    frame = saved_history(metric, store=store, account=account, marketplace=marketplace)
    if frame is None:
        return None
    import matplotlib.pyplot as plt
    from IPython.display import display

    ax = plot_history(frame, metric=metric)
    display(ax.figure)
    plt.close(ax.figure)
    return frame.assign(rate=frame["rate"].map(lambda r: "" if pd.isna(r) else f"{r:.2%}"))
