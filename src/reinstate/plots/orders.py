"""Plots of the loaded order data itself (before any metric)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..metrics.flags import local_day


def plot_order_volume(orders: pd.DataFrame, *, ax=None, freq: str = "W-MON"):
    """Orders per week (by marketplace-local purchase day), one line per fulfilment channel."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    first = orders.drop_duplicates(["account", "marketplace", "order_id"])
    day = local_day(first["purchase_date"], first["marketplace"])
    counts = (pd.DataFrame({"day": day, "channel": first["fulfillment_channel"].astype(str)})
              .groupby([pd.Grouper(key="day", freq=freq, label="left", closed="left"), "channel"])
              .size().unstack("channel", fill_value=0))
    for channel in counts.columns:
        ax.plot(counts.index, counts[channel], marker="o", markersize=3, label=f"{channel} orders")
    ax.set_title("Orders per week by fulfilment channel")
    ax.set_ylabel("orders")
    ax.set_xlabel("week (marketplace-local purchase date)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    ax.figure.autofmt_xdate()
    return ax
