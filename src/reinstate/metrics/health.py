"""Account Health as Amazon shows it: one tidy row per (account, marketplace, metric, channel, window).

    health = account_health(data, as_of="2026-03-01")
    health.query("status == 'breached'")
    drilldown(data, as_of="2026-03-01", metric="order_defect_rate", channel="MFN")   # the orders behind it

Everything is computed group-wise over accounts and marketplaces from one pass of ``order_flags``: a frame with
1,000 accounts costs about the same as one account with as many orders.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import messages_of, orders_of
from ..errors import ConfigError
from .flags import missing_columns, order_flags
from .policy import DEFAULT_MARGIN, attach_targets, status_of
from .rules import (
    ALL_METRICS,
    LOWER_IS_BETTER,
    ODR_COMPONENT,
    Events,
    _bool,
    day_number,
    group_table,
    keyed,
    message_events,
    metric_events,
)
from .windows import Window, metric_windows, to_day

HEALTH_COLUMNS = ["account", "marketplace", "metric", "channel", "window_days", "window_start", "window_end",
                  "numerator", "denominator", "rate", "target", "condition", "status", "note"]
DRILLDOWN_COLUMNS = [
    "account", "marketplace", "metric", "channel", "window_start", "window_end", "order_id", "message_id",
    "reason", "in_numerator", "purchase_date", "sku", "product_category", "carrier", "ship_from", "order_status",
    "units", "negative_feedback", "a_to_z_claim", "chargeback", "feedback_rating", "claim_status",
    "chargeback_type", "chargeback_outcome", "latest_ship_date", "ship_confirmed_at", "latest_delivery_date",
    "delivered_at", "tracking_valid", "cancel_by_unknown", "received_at", "responded_at"]


# --------------------------------------------------------------------------------------------- inputs
def select(frame: pd.DataFrame | None, *, account=None, marketplace=None) -> pd.DataFrame | None:
    """Rows of ``frame`` for the given account(s) / marketplace(s) (a value or a list); None keeps all."""
    if frame is None:
        return None
    mask = np.ones(len(frame), bool)
    for col, want in (("account", account), ("marketplace", marketplace)):
        if want is not None and col in frame.columns:
            wanted = [want] if isinstance(want, str) else list(want)
            if col == "marketplace":
                wanted = [str(w).upper().replace("GB", "UK") for w in wanted]
            mask &= frame[col].astype(object).isin(wanted).to_numpy()
    return frame if mask.all() else frame[mask]


def prepare(data, *, as_of=None, account=None, marketplace=None, flags=None, engine=None, spark_master=None):
    """(orders, messages, flags) for the selection; ``flags`` may be passed in to reuse a previous pass.

    The flags come back ``keyed`` (integer group ids and day numbers added, see ``rules.keyed``); ``engine``
    and ``spark_master`` say where ``order_flags`` runs its rules (default DuckDB in-process).
    """
    orders = orders_of(data)
    if not isinstance(orders, pd.DataFrame):
        raise ConfigError("expected a canonical order DataFrame or a reinstate.Dataset")
    missing = [c for c in ("order_id", "purchase_date", "fulfillment_channel", "order_status", "account",
                           "marketplace") if c not in orders.columns]
    if missing:
        raise ConfigError(f"order table: missing column(s) {', '.join(missing)} (see reinstate.io.schema)")
    orders = select(orders, account=account, marketplace=marketplace)
    messages = select(messages_of(data), account=account, marketplace=marketplace)
    if flags is None:
        flags = order_flags(orders, as_of=to_day(as_of, "as_of"), engine=engine, spark_master=spark_master)
    else:
        flags = select(flags, account=account, marketplace=marketplace)
    return orders, messages, keyed(flags)


def all_events(flags, messages, metrics, *, include_cancelled_in_odr=False,
               day_ranges: dict | None = None) -> dict[str, Events]:
    """Events per metric (see ``rules``); late_response_rate only when a message table is given.

    ``day_ranges`` {metric: (first, last)} keeps only the days the windows need.
    """
    out = {}
    groups = group_table(flags)
    day_ranges = day_ranges or {}
    for metric in metrics:
        if metric == "late_response_rate":
            if messages is not None:
                out[metric] = message_events(messages, flags)
        else:
            out[metric] = metric_events(flags, metric, include_cancelled_in_odr=include_cancelled_in_odr,
                                        groups=groups, day_range=day_ranges.get(metric))
    return out


def finish(frame: pd.DataFrame, *, margin: float, targets_path=None) -> pd.DataFrame:
    """Add rate, target, condition and status to a frame with numerator/denominator per metric row."""
    out = attach_targets(frame, path=targets_path)
    den = out["denominator"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate"] = np.where(den > 0, out["numerator"].to_numpy(dtype=float) / den, np.nan)
    out["status"] = status_of(out["rate"], out["target"], out["condition"], margin=margin)
    return out


# --------------------------------------------------------------------------------------------- health
def account_health(data, *, as_of=None, marketplace=None, account=None, include_cancelled_in_odr: bool = False,
                   odr_offset_days: int = 15, windows: dict | None = None, margin: float = DEFAULT_MARGIN,
                   metrics=None, flags: pd.DataFrame | None = None, targets_path=None, engine: str | None = None,
                   spark_master: str | None = None) -> pd.DataFrame:
    """Every metric Amazon shows on Account Health, computed from the order data, as a tidy DataFrame.

    One row per (account, marketplace, metric, channel, window) with the columns in ``HEALTH_COLUMNS``:
    ``rate`` is NaN and ``status`` ``no_data`` when the window is empty or the needed columns are absent
    (``note`` says which). ``windows`` replaces windows with dashboard dates (see ``metric_windows``);
    ``flags`` reuses a precomputed ``order_flags`` frame (computed with this ``as_of`` or a later one: the flags
    only depend on it for deadlines that fall after every window). ``engine``: ``"duckdb"`` (default,
    in-process) or ``"spark"`` (``spark_master`` or ``REINSTATE_SPARK_MASTER``, else local) runs the per-order
    rules. Use ``drilldown`` for the orders behind a row.

    >>> account_health(data, as_of="2026-03-01").query("metric == 'order_defect_rate'")  # doctest: +SKIP
    """
    as_of = to_day(as_of, "as_of")
    wanted = tuple(metrics) if metrics is not None else ALL_METRICS
    unknown = set(wanted) - set(ALL_METRICS)
    if unknown:
        raise ConfigError(f"unknown metric(s) {', '.join(sorted(unknown))} (expected {', '.join(ALL_METRICS)})")
    orders, messages, flags = prepare(data, as_of=as_of, account=account, marketplace=marketplace, flags=flags,
                                      engine=engine, spark_master=spark_master)
    wins = metric_windows(as_of, odr_offset_days=odr_offset_days, overrides=windows, metrics=wanted)
    ranges: dict[str, tuple[int, int]] = {}
    for win in wins:
        s, e = day_number([win.start, win.end])
        lo, hi = ranges.get(win.metric, (s, e))
        ranges[win.metric] = (min(lo, s), max(hi, e))
    events = all_events(flags, messages, wanted, include_cancelled_in_odr=include_cancelled_in_odr,
                        day_ranges=ranges)
    blocks = []
    for win in wins:
        if win.metric not in events:
            continue
        block = _window_block(orders, flags, events[win.metric], win, include_cancelled_in_odr)
        blocks.append(block)
    if not blocks:
        return pd.DataFrame(columns=HEALTH_COLUMNS)
    frame = pd.concat(blocks, ignore_index=True)
    out = finish(frame, margin=margin, targets_path=targets_path)
    if "valid_tracking_rate" in events:
        out = _worst_category(out, flags, events["valid_tracking_rate"], margin, targets_path)
    return sort_rows(out[HEALTH_COLUMNS])


def sort_rows(frame: pd.DataFrame, extra=()) -> pd.DataFrame:
    """Rows in the order Account Health lists them: account, marketplace, metric (Amazon's order), channel."""
    order = frame["metric"].map({m: i for i, m in enumerate(ALL_METRICS)})
    keys = ["account", "marketplace", *extra, "_m", "channel", "window_days"]
    return frame.assign(_m=order).sort_values(keys, kind="stable", ignore_index=True).drop(columns="_m")


def _window_block(orders, flags, events: Events, win: Window, include_cancelled_in_odr) -> pd.DataFrame:
    start, end = day_number([win.start, win.end])
    gids = events.universe()
    counts = events.counts(start, end, gids)
    block = counts.rename(columns={"num": "numerator", "den": "denominator"})
    block.insert(2, "metric", win.metric)
    block["window_days"] = win.window_days
    block["window_start"] = pd.Timestamp(win.start)
    block["window_end"] = pd.Timestamp(win.end)
    note = pd.Series("", index=block.index, dtype=object)
    missing = [] if win.metric == "late_response_rate" else missing_columns(orders, win.metric)
    if missing:
        block[["numerator", "denominator"]] = 0
        note[:] = "missing columns: " + ", ".join(missing)
    elif win.metric == "pre_fulfillment_cancel_rate":
        n = block["unknown"]
        note = note.where(n == 0, "upper bound: " + n.astype(str) + " cancellations with unknown initiator")
    elif win.metric in ODR_COMPONENT:
        cancelled_flags = flags[_bool(flags["cancelled"])]
        cancelled = metric_events(cancelled_flags, win.metric, include_cancelled_in_odr=True,
                                  groups=events.groups, day_range=(start, end)).counts(start, end, gids)["den"]
        verb = "included in" if include_cancelled_in_odr else "excluded from"
        note = note.where(cancelled == 0, cancelled.astype(str) + f" cancelled orders {verb} the denominator")
        if win.metric == "order_defect_rate":
            absent = [m for m in ("negative_feedback_rate", "a_to_z_claim_rate", "chargeback_rate")
                      if missing_columns(orders, m)]
            if absent:
                extra = "computed without " + ", ".join(a.replace("_rate", "") for a in absent) + " (no input)"
                note = pd.Series(np.where(note == "", extra, note + "; " + extra), index=block.index)
    if win.metric == "late_response_rate":
        note[:] = "messages whose 24-hour deadline had not passed by the window end are left out"
    empty = ((block["denominator"] == 0) & ~pd.Series(bool(missing), index=block.index)).to_numpy()
    note = pd.Series(np.where(empty, np.where(note == "", "empty window", "empty window; " + note), note),
                     index=block.index)
    block["note"] = note
    return block.drop(columns="unknown")


def _category_counts(flags, events: Events, start, end) -> pd.DataFrame:
    """VTR numerator/denominator per (account, marketplace, product_category) over [start, end]."""
    cols = ["account", "marketplace", "product_category", "num", "den"]
    if "product_category" not in flags.columns:
        return pd.DataFrame(columns=cols)
    sel = events.frame[events.in_window(start, end)]
    if sel.empty:
        return pd.DataFrame(columns=cols)
    category = flags["product_category"].astype(object).to_numpy()[sel["row"].to_numpy()]
    frame = pd.DataFrame({"gid": sel["gid"].to_numpy(), "product_category": category,
                          "num": sel["num"].to_numpy(), "den": sel["den"].to_numpy()})
    frame["product_category"] = frame["product_category"].fillna("(no category)")
    sums = frame.groupby(["gid", "product_category"], sort=False)[["num", "den"]].sum().reset_index()
    named = events.groups.loc[sums["gid"], ["account", "marketplace"]].reset_index(drop=True)
    return pd.concat([named, sums.drop(columns="gid")], axis=1)[cols]


def _worst_category(out, flags, events: Events, margin, targets_path) -> pd.DataFrame:
    """Amazon enforces VTR per category: the worst category can breach while the overall rate is fine."""
    rows = out.index[(out["metric"] == "valid_tracking_rate") & (out["denominator"] > 0)]
    if len(rows) == 0 or "product_category" not in flags.columns:
        return out
    out = out.copy()
    rank = {"no_data": 0, "good": 1, "at_risk": 2, "breached": 3}
    for (start, end), idx in out.loc[rows].groupby(["window_start", "window_end"]).groups.items():
        s, e = day_number([start, end])
        cats = _category_counts(flags, events, s, e)
        if cats.empty:
            continue
        cats = finish(cats.assign(metric="valid_tracking_rate", numerator=cats["num"], denominator=cats["den"]),
                      margin=margin, targets_path=targets_path)
        worst = cats.sort_values(["rate", "product_category"], kind="stable").drop_duplicates(
            ["account", "marketplace"])
        sub = out.loc[idx, ["account", "marketplace"]].merge(worst, on=["account", "marketplace"], how="left")
        current = out.loc[idx, "status"].map(rank).to_numpy()
        cat_status = sub["status"].fillna("no_data")
        worse = cat_status.map(rank).to_numpy() > current
        has = sub["rate"].notna().to_numpy()
        text = ("worst category: " + sub["product_category"].astype(str) + " "
                + sub["num"].fillna(0).astype("int64").astype(str) + "/"
                + sub["den"].fillna(0).astype("int64").astype(str) + " = "
                + (sub["rate"] * 100).round(1).astype(str) + "%").to_numpy()
        out.loc[idx, "note"] = np.where(has, text, out.loc[idx, "note"].to_numpy())
        out.loc[idx, "status"] = np.where(worse, cat_status.to_numpy(), out.loc[idx, "status"].to_numpy())
    return out


def valid_tracking_by_category(data, *, as_of=None, marketplace=None, account=None, window=None,
                               margin: float = DEFAULT_MARGIN, flags=None) -> pd.DataFrame:
    """VTR per product category (Amazon enforces 95% per category): one row per (account, marketplace, category)
    with numerator, denominator, rate, target, condition, status. ``window`` = (start, end) overrides 30 days."""
    as_of = to_day(as_of, "as_of")
    _, _, flags = prepare(data, as_of=as_of, account=account, marketplace=marketplace, flags=flags)
    win = metric_windows(as_of, metrics=("valid_tracking_rate",),
                         overrides={"valid_tracking_rate": window} if window else None)[0]
    s, e = day_number([win.start, win.end])
    cats = _category_counts(flags, metric_events(flags, "valid_tracking_rate"), s, e)
    cats = cats.assign(metric="valid_tracking_rate", numerator=cats["num"], denominator=cats["den"],
                       window_start=pd.Timestamp(win.start), window_end=pd.Timestamp(win.end))
    return finish(cats.drop(columns=["num", "den"]), margin=margin).sort_values("rate", ignore_index=True)


def overall_status(health: pd.DataFrame) -> pd.DataFrame:
    """Worst status per (account, marketplace): the worst channel and window set the account's status."""
    rank = {"no_data": 0, "good": 1, "at_risk": 2, "breached": 3}
    r = health.assign(_rank=health["status"].map(rank))
    worst = r.sort_values("_rank", ascending=False, kind="stable").drop_duplicates(["account", "marketplace"])
    return worst[["account", "marketplace", "status", "metric", "channel"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------- drilldown
def drilldown(data, *, as_of=None, metric: str, channel: str | None = None, account=None, marketplace=None,
              window_days: int | None = None, which: str = "failing", include_cancelled_in_odr: bool = False,
              odr_offset_days: int = 15, windows: dict | None = None, flags=None) -> pd.DataFrame:
    """The orders (or messages) behind one metric row, with why each counts (``reason``).

    ``which``: ``"failing"`` (default; the orders that hurt the metric: defective, late, cancelled, without valid
    tracking, delivered late, answered late), ``"numerator"`` or ``"denominator"`` (every order in the window,
    with ``in_numerator``). ``window_days`` picks one of several windows (default: the longest).
    Columns: ``DRILLDOWN_COLUMNS``; buyer PII is never included.
    """
    if metric not in ALL_METRICS:
        raise ConfigError(f"unknown metric '{metric}' (expected {', '.join(ALL_METRICS)})")
    if which not in ("failing", "numerator", "denominator"):
        raise ConfigError(f"which='{which}' (expected failing, numerator or denominator)")
    as_of = to_day(as_of, "as_of")
    orders, messages, flags = prepare(data, as_of=as_of, account=account, marketplace=marketplace, flags=flags)
    wins = [w for w in metric_windows(as_of, odr_offset_days=odr_offset_days, overrides=windows, metrics=(metric,))]
    if window_days is not None:
        wins = [w for w in wins if w.window_days == window_days] or wins
    win = max(wins, key=lambda w: w.window_days)
    events = all_events(flags, messages, (metric,), include_cancelled_in_odr=include_cancelled_in_odr).get(metric)
    if events is None:
        return pd.DataFrame(columns=DRILLDOWN_COLUMNS)
    s, e = day_number([win.start, win.end])
    ev = events.frame[events.in_window(s, e)]
    names = events.groups.loc[ev["gid"].to_numpy()].reset_index(drop=True)
    if channel is not None:
        keep = (names["channel"] == channel).to_numpy()
        ev, names = ev[keep], names[keep].reset_index(drop=True)
    num, den = ev["num"].to_numpy(), ev["den"].to_numpy()
    hurts = num > 0 if metric in LOWER_IS_BETTER else num < den
    keep = hurts if which == "failing" else (num > 0 if which == "numerator" else np.ones(len(ev), bool))
    ev, names = ev[keep], names[keep].reset_index(drop=True)
    rows = ev["row"].to_numpy()
    out = names.assign(metric=metric, window_start=pd.Timestamp(win.start), window_end=pd.Timestamp(win.end),
                       in_numerator=ev["num"].to_numpy() > 0)
    if metric == "late_response_rate":
        msgs = messages.iloc[rows].reset_index(drop=True)
        for col in ("message_id", "order_id", "received_at", "responded_at"):
            out[col] = msgs[col].to_numpy() if col in msgs.columns else pd.NA
        out["reason"] = np.where(msgs["responded_at"].isna(), "no response",
                                 np.where(out["in_numerator"], "responded after 24 hours", "responded in time"))
        if "order_id" in msgs.columns:
            detail = flags.drop(columns=["account", "marketplace"]).astype({"order_id": object}).drop_duplicates(
                "order_id")
            out = out.astype({"order_id": object}).merge(detail, on="order_id", how="left")
    else:
        detail = flags.iloc[rows].drop(columns=["account", "marketplace", "fulfillment_channel"]).reset_index(
            drop=True)
        out = pd.concat([out, detail], axis=1)
        out["reason"] = _reasons(out, metric)
        out = _attach_skus(out, orders)
    for col in DRILLDOWN_COLUMNS:
        if col not in out.columns:
            out[col] = pd.NA
    return out[DRILLDOWN_COLUMNS].sort_values(["account", "marketplace", "channel", "purchase_date", "order_id"],
                                              kind="stable", ignore_index=True)


def _reasons(frame: pd.DataFrame, metric: str) -> np.ndarray:
    flag = {c: frame[c].astype("boolean").fillna(False).to_numpy(bool) if c in frame.columns
            else np.zeros(len(frame), bool)
            for c in ("negative_feedback", "a_to_z_claim", "chargeback", "late_shipment", "late_delivery",
                      "tracking_valid", "seller_cancelled", "cancel_by_unknown")}
    n = len(frame)
    if metric in ODR_COMPONENT:
        parts = [np.where(flag[c], c, "") for c in ("negative_feedback", "a_to_z_claim", "chargeback")]
        joined = pd.Series(["+".join(p for p in row if p) for row in zip(*parts)] if n else [], dtype=object)
        return joined.replace("", "no defect").to_numpy()
    if metric == "late_shipment_rate":
        confirmed = frame["ship_confirmed_at"].notna().to_numpy() if "ship_confirmed_at" in frame else np.zeros(n, bool)
        return np.where(~flag["late_shipment"], "shipped on time",
                        np.where(confirmed, "confirmed after ship-by", "not confirmed, ship-by passed"))
    if metric == "pre_fulfillment_cancel_rate":
        return np.where(~flag["seller_cancelled"], "not cancelled by seller",
                        np.where(flag["cancel_by_unknown"], "cancelled, initiator unknown",
                                 "cancelled by seller or Amazon"))
    if metric == "valid_tracking_rate":
        return np.where(flag["tracking_valid"], "valid tracking", "no valid tracking")
    delivered = frame["delivered_at"].notna().to_numpy() if "delivered_at" in frame else np.zeros(n, bool)
    return np.where(~flag["late_delivery"], "delivered by promise",
                    np.where(delivered, "delivered after promise", "not delivered, promise passed"))


def _attach_skus(frame: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """All SKUs of each listed order ("A; B"), looked up only for the listed orders."""
    if "sku" not in orders.columns or frame.empty:
        return frame.assign(sku=pd.NA)
    items = orders[orders["order_id"].isin(pd.unique(frame["order_id"].astype(object)))]
    items = items.dropna(subset=["sku"]).astype({"account": object, "marketplace": object, "order_id": object,
                                                 "sku": object}).drop_duplicates(["account", "marketplace",
                                                                                  "order_id", "sku"])
    skus = items.groupby(["account", "marketplace", "order_id"], sort=False)["sku"].agg("; ".join).reset_index()
    keys = frame[["account", "marketplace", "order_id"]].astype(object)
    return frame.assign(sku=keys.merge(skus, on=["account", "marketplace", "order_id"], how="left")["sku"].to_numpy())
