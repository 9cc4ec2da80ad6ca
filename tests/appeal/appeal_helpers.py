"""Small hand-built inputs shaped like the metrics and diagnosis outputs."""
import pandas as pd

HEALTH_COLUMNS = ("account", "marketplace", "metric", "channel", "window_days", "window_start", "window_end",
                  "numerator", "denominator", "rate", "target", "condition", "status")


def health_row(metric, channel, numerator, denominator, status, *, target=0.01, condition="<", days=60,
               start="2026-08-03", end="2026-10-01", marketplace="US"):
    return {"account": "acct", "marketplace": marketplace, "metric": metric, "channel": channel,
            "window_days": days, "window_start": pd.Timestamp(start), "window_end": pd.Timestamp(end),
            "numerator": numerator, "denominator": denominator,
            "rate": numerator / denominator if denominator else float("nan"),
            "target": target, "condition": condition, "status": status}


def health(rows):
    return pd.DataFrame(rows, columns=list(HEALTH_COLUMNS))


def hypothesis(rank, cause, n, share, *, dimension="account", value=None, start=None, end=None,
               confidence="high", statement="", examples=(), quotes=()):
    return {"rank": rank, "cause": cause, "dimension": dimension, "value": value, "start": start, "end": end,
            "defects_explained": n, "share": share, "lift": 2.0, "p_value": 0.01, "confidence": confidence,
            "example_orders": list(examples), "quotes": list(quotes), "statement": statement}


def odr_health():
    # MFN: 14 defective of 820 orders = 1.707% (breached); AFN: 1 of 410 = 0.244% (good).
    return health([
        health_row("order_defect_rate", "MFN", 14, 820, "breached"),
        health_row("a_to_z_claim_rate", "MFN", 9, 820, "breached"),
        health_row("negative_feedback_rate", "MFN", 6, 820, "at_risk"),
        health_row("chargeback_rate", "MFN", 0, 820, "good"),
        health_row("order_defect_rate", "AFN", 1, 410, "good"),
    ])
