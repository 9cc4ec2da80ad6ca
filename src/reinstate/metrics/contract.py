"""The JSON contract of an Account Health table (`reinstate metrics --json`, the evidence pack, batch runs).

Kept beside the metrics, not in the CLI, so every stage that writes it (the appeal pipeline, batch) imports
down the one-way flow instead of from a front end.
"""
from __future__ import annotations

import math

JSON_FIELDS = ("account", "marketplace", "metric", "channel", "window_days", "window_start", "window_end",
               "numerator", "denominator", "rate", "target", "condition", "status")


def health_to_json(health, as_of) -> dict:
    """``{"as_of", "metrics": [{JSON_FIELDS...}]}`` for a tidy health table (rate null for no_data)."""
    rows = []
    for rec in health[list(JSON_FIELDS)].to_dict("records"):
        rate = rec["rate"]
        rows.append({
            "account": str(rec["account"]), "marketplace": str(rec["marketplace"]), "metric": rec["metric"],
            "channel": rec["channel"], "window_days": int(rec["window_days"]),
            "window_start": rec["window_start"].strftime("%Y-%m-%d"),
            "window_end": rec["window_end"].strftime("%Y-%m-%d"),
            "numerator": int(rec["numerator"]), "denominator": int(rec["denominator"]),
            "rate": None if rate is None or (isinstance(rate, float) and math.isnan(rate)) else float(rate),
            "target": float(rec["target"]), "condition": rec["condition"], "status": rec["status"]})
    return {"as_of": str(as_of), "metrics": rows}
