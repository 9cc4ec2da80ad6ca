"""Per-order facts that every metric and the diagnosis count: one row per order, no windows yet.

This module holds the *rules* (what makes an order defective, late, cancelled by the seller, ...).
Windows, rates and statuses are applied on top of it in the metric modules.

``order_flags(orders, as_of=...)`` collapses the canonical item table to orders and returns:

=======================  ====================================================================
order_id, account,       identity (account/marketplace always present)
marketplace,
fulfillment_channel,
order_status
cancelled                order_status == Cancelled
units                    sum of item quantities (default 1 per item)
active_units             units of the items that were not cancelled (OTDR counts these)
product_category         first item's category (VTR per category), when present
carrier, ship_from       order-level dimensions, when present
purchase_day             purchase_date as a marketplace-local calendar day (naive midnight)
ship_by_day              latest_ship_date as a local day
delivery_by_day          latest_delivery_date as a local day
negative_feedback        rating 1-2 and not removed
a_to_z_claim             a claim whose status is not in the excluded set
chargeback               a chargeback that is not fraud and not won
defective                any of the three
late_shipment            confirmed after the deadline, or unconfirmed with the deadline before as_of
seller_cancelled         any item cancelled by seller/amazon/unknown (never buyer)
cancel_by_unknown        that cancellation had no recorded initiator (the rate is an upper bound)
shipped                  ship_confirmed_at present
tracking_valid           given, or derived: tracking_id and first_scan_at present
late_delivery            delivered after the promised local day, or undelivered with it passed
=======================  ====================================================================

A flag whose input columns are absent is ``<NA>`` for every order; ``missing_columns(orders, metric)``
names what is missing.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..engine.facts import (  # noqa: F401  (the rules' constants, importable from here as before)
    COUNTED_CANCELLERS,
    EXCLUDED_CHARGEBACK_OUTCOMES,
    EXCLUDED_CHARGEBACK_TYPES,
    EXCLUDED_CLAIM_STATUSES,
)
from ..reference import timezone_of

# Which canonical columns each metric needs (any one of a group in a tuple is enough).
NEEDS: dict[str, tuple] = {
    "order_defect_rate": (("feedback_rating", "claim_status", "claim_date", "chargeback_type", "chargeback_date"),),
    "negative_feedback_rate": ("feedback_rating",),
    "a_to_z_claim_rate": (("claim_status", "claim_date"),),
    "chargeback_rate": (("chargeback_type", "chargeback_date", "chargeback_outcome"),),
    "late_shipment_rate": ("latest_ship_date", "ship_confirmed_at"),
    "pre_fulfillment_cancel_rate": (),
    "valid_tracking_rate": ("ship_confirmed_at", "latest_delivery_date", ("tracking_valid", "tracking_id")),
    "on_time_delivery_rate": ("latest_delivery_date", "delivered_at", ("tracking_valid", "tracking_id")),
}


def missing_columns(orders: pd.DataFrame, metric: str) -> list[str]:
    """Names of the columns ``metric`` needs that ``orders`` lacks ("a or b" for alternatives)."""
    missing = []
    for need in NEEDS.get(metric, ()):
        options = need if isinstance(need, tuple) else (need,)
        if not any(c in orders.columns for c in options):
            missing.append(" or ".join(options))
    return missing


def local_day(ts: pd.Series, marketplace: pd.Series) -> pd.Series:
    """UTC timestamps -> marketplace-local calendar day, as naive midnight datetime64 (vectorised per zone)."""
    out = pd.Series(pd.NaT, index=ts.index, dtype="datetime64[ns]")
    if ts.isna().all():
        return out
    for code in pd.unique(marketplace.dropna()):
        mask = (marketplace == code).to_numpy()
        local = ts[mask].dt.tz_convert(timezone_of(code)).dt.tz_localize(None).dt.normalize()
        out[mask] = local.astype("datetime64[ns]")
    return out








ORDER_KEY = ["account", "marketplace", "order_id"]


def _arrow_order_numbers(orders: pd.DataFrame) -> np.ndarray | None:
    """The numbering of ``groupby(ORDER_KEY, sort=False, dropna=False).ngroup()`` from pyarrow's hash
    encoding of each key column (first-appearance codes, missing values as their own code), combined into
    one integer per row; None when a key column is not Arrow-backed strings. The pandas group-by on three
    string columns was the largest single cost of ``order_flags`` at 1M orders."""
    combined = np.zeros(len(orders), dtype=np.int64)
    several, span = False, 1
    for name in ORDER_KEY:
        arr = orders[name].array
        if not isinstance(arr, pd.arrays.ArrowStringArray):
            return None
        chunked = pa.chunked_array(pa.array(arr))
        enc = pc.dictionary_encode(chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0),
                                   null_encoding="encode")
        codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        n = len(enc.dictionary)
        span *= max(n, 1)
        if span >= 2**62:  # the combined number would overflow: let pandas group
            return None
        if n > 1 and combined.any():
            several = True
        combined = combined * n + codes
    # One key column varies: its codes already number the orders by first appearance.
    return pd.factorize(combined)[0].astype(np.int64) if several else combined


def order_groups(orders: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(gid, first_pos)``: each item row's order number and each order's first item row.

    Orders are numbered 0..n-1 in order of first appearance, which is the row order of ``order_flags``:
    item row r belongs to flags row ``gid[r]``. Callers that need both (the diagnosis) compute it once and
    pass it to ``order_flags(groups=...)`` instead of hashing the string order keys again.
    """
    gid = _arrow_order_numbers(orders)
    if gid is None:
        gid = orders.groupby(ORDER_KEY, sort=False, observed=True, dropna=False).ngroup().to_numpy()
    # Groups are numbered in order of first appearance, so an order's first item row is where the running
    # maximum of the group number rises.
    running = np.maximum.accumulate(gid) if len(gid) else gid
    first_pos = np.flatnonzero(np.r_[True, running[1:] > running[:-1]]) if len(gid) else gid
    return gid, first_pos


def _arrow_columns(frame: pd.DataFrame, types: dict, rows=None) -> pa.Table:
    """The columns of ``frame`` named in ``types`` (those present), as Arrow of those types; ``rows`` gathers.

    Timestamps become UTC nanoseconds (int64), and the ``DAY_SOURCES`` also whole seconds (``<name>_s``)."""
    from ..engine.facts import DAY_SOURCES, TIMESTAMP

    arrays, names = [], []
    for name, typ in types.items():
        if name not in frame.columns:
            continue
        col = frame[name]
        if typ.equals(TIMESTAMP):
            ts = pd.to_datetime(col, utc=True) if not isinstance(col.dtype, pd.DatetimeTZDtype) else col
            ns = ts.dt.tz_convert("UTC").astype("datetime64[ns, UTC]").to_numpy(dtype="datetime64[ns]")
            ns = ns if rows is None else ns[rows]
            missing = np.isnat(ns)
            ints = ns.view("int64")
            arrays.append(pa.array(ints, mask=missing))
            names.append(name)
            if name in DAY_SOURCES:
                arrays.append(pa.array(np.floor_divide(ints, 10**9), mask=missing))
                names.append(f"{name}_s")
            continue
        arr = pa.array(col.array, from_pandas=True)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if rows is not None:
            arr = arr.take(pa.array(rows))
        if not arr.type.equals(typ):
            arr = arr.cast(typ)  # a lossy cast (a fractional quantity) raises
        arrays.append(arr)
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def order_flags(orders: pd.DataFrame, *, as_of: dt.date | str | None = None,
                groups: tuple[np.ndarray, np.ndarray] | None = None, engine: str | None = None,
                spark_master: str | None = None) -> pd.DataFrame:
    """Collapse canonical order items to one row per order with the metric flags described above.

    ``as_of`` (the day the analyst looks at Account Health, default today) only matters for orders whose
    deadline passed without a confirmation or delivery. ``groups``: ``order_groups(orders)`` when the
    caller already has it. The rules are the Ibis expressions of ``reinstate.engine.facts``, run on
    ``engine`` (``"duckdb"`` in-process by default, or ``"spark"``; ``spark_master`` picks a cluster).

    >>> order_flags(load("data/sample").orders, as_of="2026-11-01").defective.sum()  # doctest: +SKIP
    """
    from ..engine import arrow_table, backend
    from ..engine.facts import FACT_COLUMNS, HEAD_COLUMNS, ITEM_COLUMNS, order_facts

    as_of = pd.Timestamp(as_of or dt.date.today()).normalize()
    items = orders
    has = items.columns.__contains__
    first_cols = [c for c in ("fulfillment_channel", "order_status", "purchase_date", "product_category",
                              "carrier", "ship_from", "latest_ship_date", "ship_confirmed_at", "tracking_id",
                              "tracking_valid", "first_scan_at", "latest_delivery_date", "delivered_at",
                              "feedback_rating", "feedback_removed", "claim_status", "claim_date",
                              "chargeback_type", "chargeback_date", "chargeback_outcome") if has(c)]
    # One factorisation of the order key, reused for everything below (string keys are costly to hash).
    # Order-level fields are taken from each order's first item row (the schema says they agree on every
    # item row).
    gid, first_pos = order_groups(items) if groups is None else groups
    out = items[ORDER_KEY + first_cols].iloc[first_pos].reset_index(drop=True)  # gather only the needed columns

    con = backend(engine, spark_master=spark_master)
    item_table = _arrow_columns(items, ITEM_COLUMNS).append_column("gid", pa.array(gid, pa.int64()))
    head_table = _arrow_columns(items, HEAD_COLUMNS, rows=first_pos).append_column(
        "gid", pa.array(np.arange(len(first_pos)), pa.int64()))
    marketplaces = [m for m in pd.unique(out["marketplace"].dropna())]
    expr = order_facts(con, arrow_table(con, item_table), arrow_table(con, head_table), as_of.date(), marketplaces)
    facts = con.to_pyarrow(expr)
    if len(facts) != len(out):
        raise AssertionError(f"engine returned {len(facts)} orders for {len(out)}")
    for name in FACT_COLUMNS:
        col = facts.column(name)
        if name.endswith("_day"):
            out[name] = col.cast(pa.timestamp("ns")).to_pandas().to_numpy()
        elif name in ("units", "active_units"):
            out[name] = col.to_numpy().astype("int64")
        elif name in ("seller_cancelled", "cancel_by_unknown", "cancelled"):
            out[name] = col.to_numpy(zero_copy_only=False).astype(bool)
        else:
            out[name] = col.cast(pa.bool_()).to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get).array
    return out
