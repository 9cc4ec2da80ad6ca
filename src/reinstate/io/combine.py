"""Joining the files of one load into one order table.

Rules (each source frame is already typed and validated, with ``_file``/``_line`` provenance columns):

* **Order files** are taken in this precedence: canonical, All Orders, Archived Orders, Olist, order report,
  Unshipped Orders, FBA Amazon Fulfilled Shipments (files of the same format in path order). The first
  file that has an order provides its item rows. A later file's rows for an order already present only
  *fill* that order's missing order-level values (ship-by and deliver-by dates, confirmation, carrier,
  tracking, ...); values already present are never overwritten. A later file's orders that are new are
  appended as item rows.
* **Per-order files** (feedback, claims, chargebacks, returns, whatever their source format) hold one row
  per order: when an order has several, the latest by date is kept and the others are rejected as
  superseded. They are merged onto every item row of the order by ``order_id``, filling missing values;
  rows whose order is in none of the order files are rejected.
* **Olist** orders and order items are joined into item rows (items without their order are rejected);
  the products table (and its English translation) fills ``product_category`` by ``sku``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import schema

ORDER_PRECEDENCE = ("canonical", "amazon_all_orders", "amazon_archived_orders", "olist",
                    "amazon_order_report", "amazon_unshipped_orders", "amazon_fulfilled_shipments")
SUPPLEMENT_KIND = {"canonical_feedback": "feedback", "amazon_feedback": "feedback", "olist_reviews": "feedback",
                   "canonical_claims": "claim", "canonical_chargebacks": "chargeback", "canonical_returns": "return"}
KIND_COLUMNS = {"feedback": schema.FEEDBACK_COLUMNS, "claim": schema.CLAIM_COLUMNS,
                "chargeback": schema.CHARGEBACK_COLUMNS, "return": schema.RETURN_COLUMNS}
PROVENANCE = ["_file", "_line"]


def isin(values: pd.Series, allowed: pd.Series) -> np.ndarray:
    """``values.isin(allowed)`` as a bool array, through pyarrow's hash set when both are strings.

    pandas' ``isin`` on Arrow-backed strings turns every allowed value into a Python object first (about
    1 s per 100k order ids; it was most of ``load`` in the benchmark profile).
    """
    try:
        arr = pa.array(values.array, from_pandas=True)
        allowed_arr = pa.array(getattr(allowed, "array", allowed), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return values.isin(allowed).to_numpy(dtype=bool)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)) or \
            not (pa.types.is_string(allowed_arr.type) or pa.types.is_large_string(allowed_arr.type)
                 or pa.types.is_null(allowed_arr.type)):
        return values.isin(allowed).to_numpy(dtype=bool)
    allowed_arr = allowed_arr.cast(arr.type)
    if len(allowed_arr) > 4 * len(arr):
        # A few ids looked up among many (a feedback file against every order): hashing the many costs
        # most of the time, so hash the few, keep the many that match, and look the few up among those.
        allowed_arr = allowed_arr.filter(pc.is_in(allowed_arr, value_set=arr))
    found = pc.is_in(arr, value_set=allowed_arr)
    return np.asarray(found.fill_null(False), dtype=bool)


def _arrow_strings(values):
    """The values as a pyarrow string array, or None when they are not strings."""
    try:
        arr = pa.array(getattr(values, "array", values), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else None


def positions(values: pd.Series, unique_index: pd.Index) -> np.ndarray:
    """``unique_index.get_indexer(values)`` (-1 = absent), through pyarrow's hash table for strings
    (5x faster than pandas' get_indexer on Arrow-backed strings at 1M rows)."""
    arr, keys = _arrow_strings(values), _arrow_strings(unique_index)
    if arr is None or keys is None:
        return unique_index.get_indexer(values.to_numpy())
    return np.asarray(pc.index_in(arr, value_set=keys.cast(arr.type)).fill_null(-1), dtype=np.intp)


def _fill(target: pd.DataFrame, source_by_order: pd.DataFrame, columns) -> pd.DataFrame:
    """Fill ``columns`` of ``target`` from ``source_by_order`` (indexed by order_id) where missing."""
    out = target.copy()
    # One lookup of every target row's source position, shared by all columns (a reindex per column
    # re-ran it each time); -1 = no source row.
    pos = positions(out["order_id"], source_by_order.index) if source_by_order.index.is_unique else None
    for col in columns:
        src = source_by_order[col]
        # take/reindex (not map): keeps the source dtype, also when the source is empty.
        values = src.array.take(pos, allow_fill=True) if pos is not None else \
            src.reindex(out["order_id"].to_numpy()).array
        mapped = pd.Series(values, index=out.index)
        if col in out.columns:
            out[col] = out[col].fillna(mapped.astype(out[col].dtype))
        else:
            out[col] = mapped
    return out


def combine_orders(sources: list[pd.DataFrame]) -> pd.DataFrame | None:
    """Stack order sources by the precedence rule (see module docstring)."""
    result = None
    for src in sources:
        if result is None:
            result = src
            continue
        known = isin(src["order_id"], result["order_id"])
        if known.any():
            part = src[known].drop_duplicates("order_id").set_index("order_id")
            cols = [c.name for c in schema.COLUMNS if c.order_level and c.name in part.columns
                    and c.name not in ("account", "marketplace", "order_id")]
            result = _fill(result, part, cols)
        if (~known).any():
            result = pd.concat([result, src[~known]], ignore_index=True)
    return result


def latest_per_order(frame: pd.DataFrame, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per order: the latest by date, superseded rows). Ties keep the row read last."""
    date_col = f"{kind}_date"
    order = frame.reset_index(drop=True)
    sort_key = order[date_col] if date_col in order.columns else pd.Series(0, index=order.index)
    ranked = order.assign(_date=sort_key, _pos=np.arange(len(order))).sort_values(
        ["_date", "_pos"], na_position="first", kind="stable")
    keep = ~ranked.duplicated("order_id", keep="last")
    kept = ranked[keep].drop(columns=["_date", "_pos"])
    superseded = ranked[~keep].drop(columns=["_date", "_pos"])
    return kept, superseded


def attach_supplement(orders: pd.DataFrame, supplement: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Fill the per-order columns of ``kind`` onto every item row of the matching order."""
    cols = [c for c in supplement.columns if c not in ("order_id", "account", "marketplace", *PROVENANCE)]
    return _fill(orders, supplement.set_index("order_id"), cols)


def join_olist(orders: pd.DataFrame | None, items: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(item rows with their order's columns, items whose order is missing)."""
    order_cols = orders.drop(columns=["account", *PROVENANCE]).drop_duplicates("order_id")
    matched = items["order_id"].isin(order_cols["order_id"]).to_numpy()
    joined = items[matched].drop(columns=["marketplace"]).merge(order_cols, on="order_id", how="left")
    lonely = orders[~orders["order_id"].isin(items["order_id"])]
    return pd.concat([joined, lonely], ignore_index=True), items[~matched]
