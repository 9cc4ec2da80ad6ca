"""Build small canonical order tables for tests, by hand, with the loader's dtypes.

    orders([dict(order_id="A", purchase_date="2026-01-05T10:00:00-08:00", fulfillment_channel="MFN"), ...])

Missing required columns get sensible defaults (status Shipped, channel MFN, account "acct", marketplace US).
Timestamps are parsed with their offset; naive ones are taken as UTC (write the offset to be explicit).
"""
from __future__ import annotations

import pandas as pd

from reinstate.io.schema import BY_NAME

DEFAULTS = {"fulfillment_channel": "MFN", "order_status": "Shipped", "account": "acct", "marketplace": "US"}


def orders(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame([{**DEFAULTS, **r} for r in rows])
    for name in frame.columns:
        col = BY_NAME.get(name)
        if col is None:
            continue
        if col.kind == "timestamp":
            frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
        elif col.kind == "int":
            frame[name] = frame[name].astype("Int64")
        elif col.kind == "bool":
            frame[name] = frame[name].astype("boolean")
        else:
            frame[name] = frame[name].astype("string")
    return frame
