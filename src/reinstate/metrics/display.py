"""Account Health tables for people: the tidy result, compact and coloured by status (for notebooks/HTML)."""
from __future__ import annotations

import pandas as pd

STATUS_COLOURS = {"breached": "#f6d5d5", "at_risk": "#fbe8c8", "good": "#d9eed9", "no_data": "#ececec"}


def readable(health: pd.DataFrame) -> pd.DataFrame:
    """One line per metric row: metric, channel, window, orders (numerator/denominator), rate %, target, status."""
    frame = health.copy()
    rate = frame["rate"].astype(float)
    target = frame["target"].astype(float)
    return pd.DataFrame({
        "account": frame["account"],
        "metric": frame["metric"].str.replace("_", " "),
        "channel": frame["channel"],
        "window": frame["window_days"].astype(str) + "d: " + frame["window_start"].astype(str) + " to "
                  + frame["window_end"].astype(str),
        "count": frame["numerator"].astype(str) + " / " + frame["denominator"].astype(str),
        "rate": rate.map(lambda r: "n/a" if pd.isna(r) else f"{r:.2%}"),
        "target": frame["condition"] + " " + target.map(lambda t: f"{t:.1%}"),
        "status": frame["status"],
        "note": frame.get("note", pd.Series("", index=frame.index)).fillna(""),
    }).reset_index(drop=True)


def tidy(styler, *, wrap=(), right=()):
    """House style for result tables: no index, headers aligned with their values, one line per row except
    the ``wrap`` columns (long notes), which wrap within a readable width."""
    columns = list(styler.data.columns)
    styler = styler.hide(axis="index")
    styler = styler.set_table_styles(
        [{"selector": "th", "props": [("text-align", "left"), ("white-space", "nowrap")]}]
        + [{"selector": f"th.col_heading.col{i}", "props": [("text-align", "right")]}
           for i, c in enumerate(columns) if c in right], overwrite=False)
    rest = [c for c in columns if c not in wrap]
    if rest:
        styler = styler.set_properties(subset=rest, **{"white-space": "nowrap", "text-align": "left"})
    if right:
        styler = styler.set_properties(subset=[c for c in columns if c in right], **{"text-align": "right"})
    if wrap:
        styler = styler.set_properties(subset=[c for c in columns if c in wrap],
                                       **{"white-space": "normal", "min-width": "12em", "max-width": "24em",
                                          "text-align": "left"})
    return styler


def styled(health: pd.DataFrame):
    """``readable(health)`` as a pandas Styler with the status cell coloured (renders in Jupyter and nbconvert);
    the account column only when there are several."""
    table = readable(health)
    if table["account"].nunique() <= 1:
        table = table.drop(columns="account")
    return tidy(table.style.map(lambda s: f"background-color: {STATUS_COLOURS.get(s, 'white')}; font-weight: bold",
                                subset=["status"]), wrap=("note",), right=("count", "rate", "target"))


def percent(value, digits: int = 2) -> str:
    """0.0324 -> '3.24%'; missing -> '—'."""
    return "—" if value is None or pd.isna(value) else f"{float(value):.{digits}%}"


def forecast_summary(forecast) -> pd.DataFrame:
    """A recovery forecast as one readable line per account and channel: where the ODR is, when it is back
    under target with no new defects, and what would bring it under target today."""
    s = forecast.summary
    rows = []
    for r in s.to_dict("records"):
        recovered = r.get("recovery_date")
        rows.append({
            "account": r["account"], "channel": r["channel"],
            "ODR now": f"{percent(r['rate'])} ({int(r['numerator'])}/{int(r['denominator'])})",
            "target": f"{r['condition']} {percent(r['target'], 1)}", "status": r["status"],
            "under target on": "already" if r["status"] == "good" else
            ("not within the forecast" if recovered is None or pd.isna(recovered) else
             f"{pd.Timestamp(recovered):%Y-%m-%d} (in {int(r['days_to_recovery'])} days)"),
            "or today with": _today_options(r),
        })
    return pd.DataFrame(rows)


def _today_options(r) -> str:
    if r["status"] == "good":
        return "—"
    parts = []
    if pd.notna(r.get("defects_to_remove")):
        parts.append(f"{int(r['defects_to_remove'])} fewer defects")
    if pd.notna(r.get("defect_free_orders_needed")):
        parts.append(f"{int(r['defect_free_orders_needed']):,} more defect-free orders")
    return " or ".join(parts) or "—"


def forecast_styled(forecast):
    """``forecast_summary`` as a Styler (status coloured)."""
    return _status_style(forecast_summary(forecast))


REMOVABLE_COLUMNS = ("order_id", "channel", "component", "kind", "purchase_date", "odr_after")


def removable_table(removable: pd.DataFrame, columns=REMOVABLE_COLUMNS, top: int = 10):
    """The removable defects that matter when choosing what to dispute: order, what it is, and the ODR after
    removing it and every line above. The full frame (evidence, before/after counts) stays in ``removable``."""
    if removable.empty:
        return pd.DataFrame(columns=list(columns))
    frame = removable.head(top)
    out = pd.DataFrame({c: frame[c] for c in columns if c in frame.columns})
    if "purchase_date" in out:
        out["purchase_date"] = pd.to_datetime(out["purchase_date"]).dt.strftime("%Y-%m-%d")
    if "kind" in out:
        out["kind"] = out["kind"].str.replace("_", " ")
    if "component" in out:
        out["component"] = out["component"].str.replace("_", " ")
    if "odr_after" in out:
        out["odr_after"] = frame["cumulative_odr_after"].map(percent) if "cumulative_odr_after" in frame \
            else frame["odr_after"].map(percent)
        out = out.rename(columns={"odr_after": "ODR after (cumulative)"})
    return tidy(out.style, right=("ODR after (cumulative)",))


def reconciliation_table(rec: pd.DataFrame) -> pd.DataFrame:
    """Ours next to Amazon's: metric, channel, Amazon's window, both rates and counts, the difference in
    percentage points and the likely reason."""
    if rec.empty:
        return pd.DataFrame(columns=["metric", "channel", "window", "ours", "amazon", "difference", "reason"])
    return pd.DataFrame({
        "metric": rec["metric"].str.replace("_", " "),
        "channel": rec["channel"],
        "window": rec["window_start"].dt.strftime("%Y-%m-%d") + " to " + rec["window_end"].dt.strftime("%Y-%m-%d"),
        "ours": [f"{percent(r)} ({int(n)}/{int(d)})" for r, n, d in
                 zip(rec["our_rate"], rec["our_numerator"], rec["our_denominator"])],
        "amazon": [f"{percent(r)} ({_int(n)}/{_int(d)})" for r, n, d in
                   zip(rec["amazon_rate"], rec["amazon_numerator"], rec["amazon_denominator"])],
        "difference": [_points(d) for d in rec["difference"]],
        "reason": rec["likely_reason"],
    }).reset_index(drop=True)


def _points(d) -> str:
    """A rate difference in percentage points: '-0.47 pt'; '0.00 pt' when it rounds to nothing (no '-0.00')."""
    if d is None or pd.isna(d):
        return "—"
    return "0.00 pt" if abs(d) < 0.00005 else f"{d * 100:+.2f} pt"


def _int(value) -> str:
    return "?" if value is None or pd.isna(value) else str(int(value))


def reconciliation_styled(rec: pd.DataFrame):
    """``reconciliation_table`` as a Styler: matches green, differences amber, reasons wrapped."""
    table = reconciliation_table(rec)
    table["window"] = [_short_window(w) for w in table["window"]]
    return tidy(table.style.map(lambda s: f"background-color: {STATUS_COLOURS['good' if s == 'match' else 'at_risk']}",
                                subset=["reason"]), wrap=("reason",), right=("ours", "amazon", "difference"))


def _short_window(text: str) -> str:
    """'2026-09-03 to 2026-11-01' -> '03 Sep – 01 Nov 2026' (the year once)."""
    start, _, end = text.partition(" to ")
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    return f"{a:%d %b}{'' if a.year == b.year else a.strftime(' %Y')} – {b:%d %b %Y}"


ORDER_COLUMNS = ("order_id", "reason", "purchase_date", "sku", "carrier", "feedback_rating", "claim_status")


def orders_table(orders: pd.DataFrame, columns=ORDER_COLUMNS, top: int = 10):
    """Orders behind a metric for reading: the columns that identify and explain each order, dates as days,
    blanks instead of <NA>; the full drill-down keeps every column."""
    frame = orders.head(top)
    out = pd.DataFrame({c: frame[c] for c in columns if c in frame.columns})
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col].dtype):
            out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d")
        elif col == "reason":
            out[col] = out[col].astype("string").str.replace("_", " ").str.replace("+", " + ", regex=False)
    out = out.astype(object).where(out.notna(), "")
    out = out.rename(columns={"purchase_date": "purchased", "feedback_rating": "rating", "claim_status": "claim"})
    return tidy(out.style, wrap=("sku",))


def reconciliation_text(rec: pd.DataFrame) -> str:
    """Plain text for terminals: which of Amazon's figures match ours, then each difference with its reason."""
    table = reconciliation_table(rec)
    if table.empty:
        return "(Amazon's report has no figure we compute)"
    same = table[table["reason"] == "match"]
    lines = [f"{len(same)} of {len(table)} of Amazon's figures match ours exactly: "
             + ", ".join(f"{m} {c} ({o.split(' ')[0]})" for m, c, o in zip(same["metric"], same["channel"],
                                                                          same["ours"])) + "."]
    for r in table[table["reason"] != "match"].to_dict("records"):
        lines.append(f"Differs: {r['metric']} {r['channel']} {r['window']}: ours {r['ours']}, "
                     f"Amazon's {r['amazon']} ({r['difference']}).")
        lines.append(f"  Likely reason: {r['reason']}.")
    return "\n".join(lines)


def _status_style(table: pd.DataFrame):
    return tidy(table.style.map(lambda s: f"background-color: {STATUS_COLOURS.get(s, 'white')}; font-weight: bold",
                                subset=["status"]), right=("ODR now", "target"))


def reconciliation_view(data, **kwargs):
    """For a notebook: the styled reconciliation when Amazon's performance report was loaded, else a sentence
    saying how to get one. ``data``: a ``reinstate.Analysis`` (its cached reconciliation) or a Dataset
    (``kwargs`` go to ``reinstate.reconcile``)."""
    from IPython.display import Markdown

    from ..analysis import Analysis
    if isinstance(data, Analysis):
        if data.data.performance is not None:
            return reconciliation_styled(data.reconciliation(**kwargs))
        data = data.data
    if getattr(data, "performance", None) is None:
        return Markdown("No Amazon performance report among the inputs. Download it (Seller Central API "
                        "`GET_V2_SELLER_PERFORMANCE_REPORT`, a JSON file) into the data folder to compare "
                        "these figures with Amazon's own.")
    from .reconcile import reconcile

    return reconciliation_styled(reconcile(data, **kwargs))
