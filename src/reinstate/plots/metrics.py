"""Account-health figures: metric trends with the target line and breached spans, ODR components, recovery.

Every function takes either the data (a Dataset or canonical frame; the trend is computed) or an already
computed ``metric_trend`` / ``recovery_forecast`` result, draws on ``ax`` (a new figure if None) and returns it.
One account and marketplace per figure: pass ``account=`` / ``marketplace=`` when the data holds several.
"""
from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from ..errors import ConfigError
from ..metrics.forecast import RecoveryForecast, recovery_forecast
from ..metrics.trend import metric_trend

TITLES = {
    "order_defect_rate": "Order Defect Rate", "negative_feedback_rate": "Negative feedback rate",
    "a_to_z_claim_rate": "A-to-z claim rate", "chargeback_rate": "Chargeback rate",
    "late_shipment_rate": "Late Shipment Rate", "pre_fulfillment_cancel_rate": "Pre-fulfilment Cancel Rate",
    "valid_tracking_rate": "Valid Tracking Rate", "on_time_delivery_rate": "On-Time Delivery Rate (units)",
    "late_response_rate": "Late Response Rate",
}
CHANNEL_COLOURS = {"MFN": "tab:blue", "AFN": "tab:orange", "ALL": "tab:purple"}
COMPONENTS = ("negative_feedback_rate", "a_to_z_claim_rate", "chargeback_rate")


def _one_account(frame: pd.DataFrame, account, marketplace) -> pd.DataFrame:
    if account is not None:
        frame = frame[frame["account"] == account]
    if marketplace is not None:
        frame = frame[frame["marketplace"] == marketplace]
    pairs = frame[["account", "marketplace"]].drop_duplicates()
    if len(pairs) > 1:
        listed = ", ".join(f"{a}/{m}" for a, m in pairs.head(5).itertuples(index=False))
        raise ConfigError(f"{len(pairs)} account/marketplace pairs in the data ({listed}); pass account= and "
                          "marketplace= to plot one")
    return frame


def _analysis_at(data, as_of):
    """``data`` when it is a ``reinstate.Analysis`` (at ``as_of`` when given), else None."""
    from ..analysis import Analysis
    if not isinstance(data, Analysis):
        return None
    return data if as_of is None else data.at(as_of=as_of, account=data.account, marketplace=data.marketplace)


def _trend(data, metrics, *, as_of, days, account, marketplace, **kw) -> pd.DataFrame:
    analysis = _analysis_at(data, as_of)
    if isinstance(data, pd.DataFrame) and {"as_of", "metric", "rate"} <= set(data.columns):
        frame = data[data["metric"].isin(metrics)]
    elif analysis is not None:  # its cached trend: drawing a plot never recomputes it
        frame = analysis.trend(metric=list(metrics), days=days, **kw)
    else:
        frame = metric_trend(data, metric=list(metrics), end=as_of, days=days, account=account,
                             marketplace=marketplace, **kw)
    return _one_account(frame, account, marketplace)


def _new_ax(ax, size=(9, 3.8)):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _target_line(ax, target: float, condition: str):
    ax.axhline(target, color="crimson", linestyle="--", linewidth=1.2, label=f"target {condition} {target:.1%}")
    ax.annotate(f"target {condition} {target:.1%}", xy=(1, target), xycoords=("axes fraction", "data"),
                xytext=(-4, 3), textcoords="offset points", ha="right", va="bottom", color="crimson", fontsize=8)


def _shade_breaches(ax, dates: pd.Series, breached: np.ndarray, colour, label):
    """Shade each run of consecutive breached days (half a day either side so single days show)."""
    if not breached.any():
        return
    runs = np.flatnonzero(np.diff(np.concatenate([[0], breached.astype(int), [0]])))
    half = pd.Timedelta(hours=12)
    for k, (a, b) in enumerate(zip(runs[::2], runs[1::2] - 1)):
        ax.axvspan(dates.iloc[a] - half, dates.iloc[b] + half, color=colour, alpha=0.12, linewidth=0,
                   label=label if k == 0 else None)


def _finish(ax, title, ylabel="rate"):
    ax.set_title(title)
    ax.set_xlabel("as-of date (the day Account Health is viewed)")
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=1))
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=8))
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8, framealpha=0.85)
    return ax


def plot_metric_trend(data, *, metric="order_defect_rate", as_of=None, days=90, account=None,
                      marketplace=None, ax=None, **trend_options):
    """One metric's daily trend: a line per channel (and per window for LSR/late response), the target line,
    and the days the metric was breached shaded in the line's colour."""
    frame = _trend(data, (metric,), as_of=as_of, days=days, account=account, marketplace=marketplace,
                   **trend_options)
    ax = _new_ax(ax)
    if frame.empty:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(TITLES.get(metric, metric))
        return ax
    several = frame["window_days"].nunique() > 1
    windows = sorted(frame["window_days"].unique())
    styles = ["-", "--", ":"]
    for i, (channel, lines) in enumerate(frame.groupby("channel", sort=True)):
        colour = CHANNEL_COLOURS.get(channel, f"C{i}")
        for window, part in lines.groupby("window_days", sort=True):
            part = part.sort_values("as_of")
            label = f"{channel} {window}-day" if several else channel
            ax.plot(part["as_of"], part["rate"], styles[windows.index(window) % 3] if several else "-",
                    color=colour, linewidth=1.8, label=label)
        # One shading per channel: a day is breached when any of its windows is (Amazon needs all under target).
        worst = lines.assign(b=lines["status"].eq("breached")).groupby("as_of")["b"].any().sort_index()
        _shade_breaches(ax, worst.index.to_series().reset_index(drop=True), worst.to_numpy(bool), colour,
                        f"{channel} breached")
    first = frame.iloc[0]
    target = float(first["target"])
    _target_line(ax, target, first["condition"])
    title = TITLES.get(metric, metric) + f" — {first['account']} / {first['marketplace']}"
    _finish(ax, title)
    if first["condition"] in (">", ">="):  # higher is better: zoom on the band between the worst day and 100%
        low = np.nanmin(np.append(frame["rate"].to_numpy(float), target))
        ax.set_ylim(max(0.0, low - 0.03), 1.005)
    return ax


def plot_odr_trend(data, *, as_of=None, days=90, account=None, marketplace=None, ax=None, **trend_options):
    """ODR trend per fulfilment channel (MFN and AFN are never blended), target line, breached spans shaded."""
    return plot_metric_trend(data, metric="order_defect_rate", as_of=as_of, days=days, account=account,
                             marketplace=marketplace, ax=ax, **trend_options)


def plot_odr_components(data, *, channel="MFN", as_of=None, days=90, account=None, marketplace=None, ax=None,
                        **trend_options):
    """Stacked component rates (negative feedback, A-to-z, chargeback) under the ODR line for one channel.

    The stack can rise above the ODR because one order can carry several defects and counts once in the ODR.
    """
    frame = _trend(data, ("order_defect_rate",) + COMPONENTS, as_of=as_of, days=days, account=account,
                   marketplace=marketplace, **trend_options)
    frame = frame[frame["channel"] == channel]
    ax = _new_ax(ax)
    if frame.empty:
        ax.text(0.5, 0.5, f"no {channel} orders", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(f"ODR components ({channel})")
        return ax
    wide = frame.pivot_table(index="as_of", columns="metric", values="rate", aggfunc="first").sort_index()
    parts = [c for c in COMPONENTS if c in wide.columns]
    ax.stackplot(wide.index, *[wide[c].fillna(0).to_numpy() for c in parts],
                 labels=[TITLES[c] for c in parts], colors=["#f4a582", "#92c5de", "#c2a5cf"], alpha=0.9)
    if "order_defect_rate" in wide.columns:
        ax.plot(wide.index, wide["order_defect_rate"], color="black", linewidth=1.8, label=f"ODR ({channel})")
    first = frame.iloc[0]
    target = frame.loc[frame["metric"] == "order_defect_rate", "target"]
    _target_line(ax, float(target.iloc[0]) if len(target) else 0.01, "<")
    return _finish(ax, f"ODR components, {channel} — {first['account']} / {first['marketplace']}")


def plot_recovery(data, *, as_of=None, channel="MFN", account=None, marketplace=None, ax=None,
                  **forecast_options):
    """Projected ODR from ``as_of`` (no new defects, recent daily volume) with the first day back under target.

    ``data`` is a ``RecoveryForecast``, a ``reinstate.Analysis`` (its cached forecast) or data to forecast from
    (then ``as_of`` is required).
    """
    analysis = _analysis_at(data, as_of)
    if isinstance(data, RecoveryForecast):
        forecast = data
    elif analysis is not None:
        forecast = analysis.forecast(channel=channel, **forecast_options)
    else:
        if as_of is None:
            raise ConfigError("plot_recovery needs as_of= when given data rather than a RecoveryForecast")
        forecast = recovery_forecast(data, as_of=as_of, channel=channel, account=account,
                                     marketplace=marketplace, **forecast_options)
    proj = _one_account(forecast.projection, account, marketplace).sort_values("as_of")
    summary = _one_account(forecast.summary, account, marketplace)
    ax = _new_ax(ax)
    if proj.empty:
        ax.text(0.5, 0.5, f"no {channel} orders", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(f"ODR recovery projection ({channel})")
        return ax
    ch = proj["channel"].iloc[0]
    ax.plot(proj["as_of"], proj["rate"], color=CHANNEL_COLOURS.get(ch, "C0"), linewidth=1.8,
            label=f"projected {ch} ODR (no new defects)")
    first = proj.iloc[0]
    _target_line(ax, float(first["target"]), first["condition"])
    s = summary.iloc[0]
    if pd.notna(s["recovery_date"]):
        ax.axvline(s["recovery_date"], color="seagreen", linewidth=1.2, label="back under target")
        ax.annotate(f"under target {s['recovery_date']:%Y-%m-%d}\n({int(s['days_to_recovery'])} days)",
                    xy=(s["recovery_date"], float(first["target"])), xytext=(6, 12), textcoords="offset points",
                    color="seagreen", fontsize=8)
    else:
        ax.annotate("not under target within the horizon", xy=(0.98, 0.92), xycoords="axes fraction",
                    ha="right", color="crimson", fontsize=8)
    need = s["defect_free_orders_needed"]
    rm = s["defects_to_remove"]
    if pd.notna(need) and int(need) > 0:
        ax.annotate(f"today: {int(need)} more defect-free orders or {int(rm)} defects removed",
                    xy=(0.02, 0.04), xycoords="axes fraction", fontsize=8, color="dimgray")
    return _finish(ax, f"ODR recovery projection, {ch} — {first['account']} / {first['marketplace']}")
