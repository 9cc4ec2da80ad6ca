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


def styled(health: pd.DataFrame):
    """``readable(health)`` as a pandas Styler with the status cell coloured (renders in Jupyter and nbconvert)."""
    table = readable(health)
    return (table.style.hide(axis="index")
            .map(lambda s: f"background-color: {STATUS_COLOURS.get(s, 'white')}; font-weight: bold",
                 subset=["status"])
            .set_properties(**{"text-align": "left"}))
