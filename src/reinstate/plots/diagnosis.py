"""Diagnosis plots: Pareto of defects by cause or by hypothesis, and a scope x week heat map of defect rates.

Every function takes a ``Diagnosis`` (``reinstate.diagnose``) and an optional ``ax`` and returns the Axes.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter


def _ax(ax, size=(8, 4.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def pareto_counts(dx, *, by: str = "cause") -> pd.Series:
    """Defects per primary cause (``by="cause"``; untagged ones as "unexplained") or per headline
    hypothesis (``by="scope"``), largest first."""
    if by == "cause":
        t = dx.tags[dx.tags["defect"]]
        return t["primary_cause"].fillna("unexplained").astype(str).value_counts()
    if by == "scope":
        h = dx.headlines
        labels = [f"{r.cause} · {r.dimension}" + ("" if pd.isna(r.value) else f" {r.value}")
                  for r in h.itertuples(index=False)]
        return pd.Series(h["defects_explained"].to_numpy(), index=labels)  # rank order
    raise ValueError(f"by={by!r}: expected 'cause' or 'scope'")


def plot_pareto(dx, *, by: str = "cause", top: int = 10, ax=None):
    """Bars of defects per cause (or per hypothesis) with the cumulative share of all defects as a line."""
    counts = pareto_counts(dx, by=by).head(top)
    ax = _ax(ax)
    x = np.arange(len(counts))
    ax.bar(x, counts.to_numpy(), color="#4C72B0", label="defects")
    ax.set_xticks(x, counts.index, rotation=35, ha="right")
    ax.set_ylabel("defects")
    total = max(dx.defects_total, 1)
    if by == "scope":  # hypotheses can share orders: the line is the share of defects covered so far
        seen, cum = set(), []
        for ids in dx.headlines["order_ids"].head(top):
            seen.update(ids)
            cum.append(len(seen))
        cum = np.asarray(cum, dtype=float)
    else:
        cum = counts.cumsum().to_numpy(dtype=float)
    ax2 = ax.twinx()
    ax2.plot(x, cum / total, color="#C44E52", marker="o", label="cumulative share")
    ax2.set_ylim(0, 1.05)
    ax2.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax2.set_ylabel("cumulative share of defects")
    ax2.axhline(0.8, color="grey", linestyle=":", linewidth=1, label="80% of defects")
    what = "cause" if by == "cause" else "hypothesis (cause · scope)"
    ax.set_title(f"Defects by {what} ({dx.defects_total} defects)")
    return ax


def defect_rate_grid(dx, *, dimension: str = "sku", top: int = 12, freq: str = "W-MON") -> pd.DataFrame:
    """Defect rate per (dimension value, week) over the analysed orders: rows = the ``top`` values with
    most defects, columns = week starts."""
    f = dx.orders
    f = f[f["analysed"]]
    if dimension not in f.columns:
        raise ValueError(f"dimension '{dimension}' is not available (try carrier, ship_from, product_category)")
    week = f["purchase_day"].dt.to_period(freq).dt.start_time
    frame = pd.DataFrame({"value": f[dimension].astype("string"), "week": week, "defect": f["defect"].astype(int)})
    frame = frame.dropna(subset=["value"])
    worst = frame.groupby("value")["defect"].sum().sort_values(ascending=False).head(top).index
    frame = frame[frame["value"].isin(worst)]
    rate = frame.pivot_table(index="value", columns="week", values="defect", aggfunc="mean")
    return rate.reindex(worst)


def plot_defect_heatmap(dx, *, dimension: str = "sku", top: int = 12, ax=None):
    """Heat map of weekly defect rates (share of the week's orders that became a defect) per value."""
    grid = defect_rate_grid(dx, dimension=dimension, top=top)
    ax = _ax(ax, (9, 0.45 * max(len(grid), 3) + 1.5))
    im = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="Reds", vmin=0,
                   vmax=max(float(np.nanmax(grid.to_numpy(dtype=float))) if grid.size else 0.0, 0.01))
    ax.set_yticks(range(len(grid)), grid.index)
    ax.set_xticks(range(len(grid.columns)), [f"{c:%d %b}" for c in grid.columns], rotation=45, ha="right")
    ax.set_xlabel("week starting")
    ax.set_ylabel(dimension)
    bar = ax.figure.colorbar(im, ax=ax, format=PercentFormatter(1.0))
    bar.set_label("defect rate")
    ax.set_title(f"Weekly defect rate by {dimension} (top {len(grid)} by defects)")
    return ax
