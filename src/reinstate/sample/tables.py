"""Per-order arrays and event tables -> canonical DataFrames (the loader's dtypes: tz-aware UTC timestamps,
``string``, ``Int64``, ``boolean``)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..io.schema import CHARGEBACK_COLUMNS, CLAIM_COLUMNS, FEEDBACK_COLUMNS, MESSAGE_COLUMNS, RETURN_COLUMNS
from .textgen import digits

STATUS_NAMES = ("Shipped", "Unshipped", "Pending", "Cancelled")
ORDER_COLUMNS = ("order_id", "account", "marketplace", "purchase_date", "fulfillment_channel", "order_status",
                 "sku", "asin", "product_category", "ship_from", "quantity", "latest_ship_date",
                 "ship_confirmed_at", "cancelled_by", "carrier", "tracking_id", "tracking_valid", "first_scan_at",
                 "latest_delivery_date", "delivered_at")


def _str(values, valid: np.ndarray | None = None) -> pd.Series:
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, type=pa.string())
    if valid is not None:
        arr = pc.if_else(pa.array(valid), arr, pa.scalar(None, pa.string()))
    return pd.Series(pd.array(arr, dtype="string"))


def _cat(codes: np.ndarray, names, valid: np.ndarray | None = None) -> pd.Series:
    taken = pc.take(pa.array(list(names), type=pa.string()), pa.array(np.asarray(codes, dtype=np.int64)))
    return _str(taken, valid)


def _ts(seconds: np.ndarray, valid: np.ndarray | None = None) -> pd.Series:
    ns = np.asarray(seconds, dtype=np.int64) * 10**9
    if valid is not None:
        ns = np.where(valid, ns, np.iinfo(np.int64).min)  # int64 min is NaT
    return pd.Series(ns.view("datetime64[ns]")).dt.tz_localize("UTC")


def _int(values: np.ndarray) -> pd.Series:
    return pd.Series(pd.array(np.asarray(values, dtype=np.int64), dtype="Int64"))


def _bool(values: np.ndarray, valid: np.ndarray | None = None) -> pd.Series:
    mask = np.zeros(len(values), dtype=bool) if valid is None else ~np.asarray(valid, dtype=bool)
    return pd.Series(pd.arrays.BooleanArray(np.asarray(values, dtype=bool), mask))


def orders_table(o: SimpleNamespace, cat: dict, *, account: str, marketplace: str, cutoff: int) -> pd.DataFrame:
    """One row per order item; order-level fields repeated on each item row."""
    i = o.item_order
    products = cat["products"]
    shipped = o.shipped[i]
    scanned = o.has_scan & (o.first_scan <= cutoff)
    scan_pending = o.has_scan & (o.first_scan > cutoff)
    delivered = o.shipped & ~o.lost & (o.delivered <= cutoff)
    zeros = np.zeros(i.size, dtype=np.int64)
    cols = {
        "order_id": _str(o.order_id[i]),
        "account": _cat(zeros, [account]),
        "marketplace": _cat(zeros, [marketplace]),
        "purchase_date": _ts(o.purchase[i]),
        "fulfillment_channel": _cat(o.afn[i].astype(np.int64), ["MFN", "AFN"]),
        "order_status": _cat(o.status[i], STATUS_NAMES),
        "sku": _cat(o.item_sku, [p["sku"] for p in products]),
        "asin": _cat(o.item_sku, [p["asin"] for p in products]),
        "product_category": _cat(o.item_sku, [p["category"] for p in products]),
        "ship_from": _cat(o.ship_from[i], o.ship_from_names),
        "quantity": _int(o.item_qty),
        "latest_ship_date": _ts(o.latest_ship[i]),
        "ship_confirmed_at": _ts(o.confirm[i], shipped),
        "cancelled_by": _cat(o.seller_cancel[i].astype(np.int64), ["buyer", "seller"], o.cancelled[i]),
        "carrier": _cat(o.carrier[i], o.carrier_names, shipped),
        "tracking_id": _str(o.tracking_id[i], shipped & ~o.no_tracking_id[i]),
        "tracking_valid": _bool(scanned[i], shipped & ~scan_pending[i]),
        "first_scan_at": _ts(o.first_scan[i], shipped & scanned[i]),
        "latest_delivery_date": _ts(o.latest_delivery[i]),
        "delivered_at": _ts(o.delivered[i], delivered[i]),
    }
    return pd.DataFrame(cols, columns=list(ORDER_COLUMNS))


def _sorted(event: dict, key: str) -> np.ndarray:
    """Rows by date, ties by order index (both integers: the same order on every platform)."""
    return np.lexsort((event["order"], event[key]))


def event_tables(o: SimpleNamespace, ev: dict) -> dict[str, pd.DataFrame]:
    """The separate files' frames: feedback, claims, chargebacks, returns, messages."""
    out = {}
    e, s = ev["feedback"], _sorted(ev["feedback"], "date")
    out["feedback"] = pd.DataFrame(dict(zip(("order_id", *FEEDBACK_COLUMNS), (
        _str(o.order_id[e["order"][s]]), _ts(e["date"][s]), _int(e["rating"][s]), _str(e["text"].take(s)),
        _bool(e["removed"][s])))))
    e, s = ev["claims"], _sorted(ev["claims"], "date")
    out["claims"] = pd.DataFrame(dict(zip(("order_id", *CLAIM_COLUMNS), (
        _str(o.order_id[e["order"][s]]), _ts(e["date"][s]), _str(e["reason"].take(s)),
        _str(e["status"][s].astype(object))))))
    e, s = ev["chargebacks"], _sorted(ev["chargebacks"], "date")
    out["chargebacks"] = pd.DataFrame(dict(zip(("order_id", *CHARGEBACK_COLUMNS), (
        _str(o.order_id[e["order"][s]]), _ts(e["date"][s]), _str(e["type"][s].astype(object)),
        _str(e["outcome"][s].astype(object))))))
    e, s = ev["returns"], _sorted(ev["returns"], "date")
    out["returns"] = pd.DataFrame(dict(zip(("order_id", *RETURN_COLUMNS), (
        _str(o.order_id[e["order"][s]]), _ts(e["date"][s]), _str(e["reason"].take(s)),
        _str(e["comment"].take(s))))))
    e, s = ev["messages"], _sorted(ev["messages"], "received")
    responded = e["responded"][s]
    ids = pc.binary_join_element_wise("M", digits(np.arange(1, s.size + 1), 9), "")
    out["messages"] = pd.DataFrame(dict(zip(MESSAGE_COLUMNS, (
        _str(ids), _str(o.order_id[e["order"][s]]), _ts(e["received"][s]), _ts(responded, responded >= 0),
        _bool(e["no_response_needed"][s])))))
    return out
