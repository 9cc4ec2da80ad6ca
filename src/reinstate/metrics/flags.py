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

from ..reference import timezone_of

# Claim statuses and chargeback kinds that do not make an order defective (see docs, metrics issue).
EXCLUDED_CLAIM_STATUSES = ("denied", "withdrawn", "amazon_funded")
EXCLUDED_CHARGEBACK_TYPES = ("fraud",)
EXCLUDED_CHARGEBACK_OUTCOMES = ("won",)
COUNTED_CANCELLERS = ("seller", "amazon")  # plus unknown (NA)

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


def local_start_utc(day, marketplace: pd.Series) -> pd.Series:
    """Start of a local calendar day (``as_of``) per row's marketplace, as UTC timestamps."""
    day = pd.Timestamp(day).normalize()
    out = pd.Series(pd.NaT, index=marketplace.index, dtype="datetime64[ns, UTC]")
    for code in pd.unique(marketplace.dropna()):
        mask = (marketplace == code).to_numpy()
        out[mask] = day.tz_localize(timezone_of(code)).tz_convert("UTC")
    return out


def _col(frame: pd.DataFrame, name: str, dtype=None) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype=dtype or "object")


def _na_bool(index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype="boolean")


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


def order_flags(orders: pd.DataFrame, *, as_of: dt.date | str | None = None,
                groups: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """Collapse canonical order items to one row per order with the metric flags described above.

    ``as_of`` (the day the analyst looks at Account Health, default today) only matters for orders whose
    deadline passed without a confirmation or delivery. ``groups``: ``order_groups(orders)`` when the
    caller already has it.

    >>> order_flags(load("data/sample").orders, as_of="2026-11-01").defective.sum()  # doctest: +SKIP
    """
    as_of = pd.Timestamp(as_of or dt.date.today()).normalize()
    items = orders
    has = items.columns.__contains__
    key = ORDER_KEY

    first_cols = [c for c in ("fulfillment_channel", "order_status", "purchase_date", "product_category",
                              "carrier", "ship_from", "latest_ship_date", "ship_confirmed_at", "tracking_id",
                              "tracking_valid", "first_scan_at", "latest_delivery_date", "delivered_at",
                              "feedback_rating", "feedback_removed", "claim_status", "claim_date",
                              "chargeback_type", "chargeback_date", "chargeback_outcome") if has(c)]
    # One factorisation of the order key, reused for everything below (string keys are costly to hash).
    # Order-level fields are taken from each order's first item row (the schema says they agree on every
    # item row), which is much cheaper than a per-column groupby "first".
    gid, first_pos = order_groups(items) if groups is None else groups
    n_orders = len(first_pos)
    out = items[key + first_cols].iloc[first_pos].reset_index(drop=True)  # gather only the needed columns

    def per_order_sum(values) -> np.ndarray:
        return np.bincount(gid, weights=np.asarray(values, dtype=float), minlength=n_orders).astype("int64")

    qty = _col(items, "quantity", "Int64").fillna(1).astype("int64").to_numpy()
    out["units"] = per_order_sum(qty)

    # Item-level cancellation: the order is cancelled, an item carries a cancelled_by value, or Amazon's
    # All Orders report marks the item itself Cancelled (item-status) in an order that otherwise shipped.
    canceller = _col(items, "cancelled_by", "string").astype("string")
    item_cancelled = (items["order_status"].eq("Cancelled") | canceller.notna()
                      | _col(items, "item_status", "string").astype("string").eq("Cancelled"))
    item_cancelled = item_cancelled.fillna(False).to_numpy(bool)
    known = canceller.isin(COUNTED_CANCELLERS).fillna(False).to_numpy(bool)
    no_initiator = canceller.isna().to_numpy(bool)
    counted = item_cancelled & (known | no_initiator)
    unknown = item_cancelled & no_initiator
    out["active_units"] = per_order_sum(np.where(item_cancelled, 0, qty))
    out["seller_cancelled"] = per_order_sum(counted) > 0
    out["cancel_by_unknown"] = (per_order_sum(unknown) > 0) & out["seller_cancelled"].to_numpy()

    idx = out.index
    mkt = out["marketplace"]
    out["cancelled"] = out["order_status"].eq("Cancelled").fillna(False).to_numpy(dtype=bool)
    out["purchase_day"] = local_day(out["purchase_date"], mkt)
    out["ship_by_day"] = local_day(out["latest_ship_date"], mkt) if has("latest_ship_date") else pd.NaT
    out["delivery_by_day"] = local_day(out["latest_delivery_date"], mkt) if has("latest_delivery_date") else pd.NaT

    # --- ODR components ---------------------------------------------------------------------------
    if has("feedback_rating"):
        removed = _col(out, "feedback_removed", "boolean").astype("boolean").fillna(False)
        out["negative_feedback"] = (out["feedback_rating"].isin([1, 2]) & ~removed).astype("boolean")
    else:
        out["negative_feedback"] = _na_bool(idx)
    if has("claim_status") or has("claim_date"):
        status = _col(out, "claim_status", "string").astype("string")
        present = status.notna() | _col(out, "claim_date").notna()
        out["a_to_z_claim"] = (present & ~status.isin(EXCLUDED_CLAIM_STATUSES).fillna(False)).astype("boolean")
    else:
        out["a_to_z_claim"] = _na_bool(idx)
    if has("chargeback_type") or has("chargeback_date") or has("chargeback_outcome"):
        cb_type = _col(out, "chargeback_type", "string").astype("string")
        cb_outcome = _col(out, "chargeback_outcome", "string").astype("string")
        present = cb_type.notna() | _col(out, "chargeback_date").notna() | cb_outcome.notna()
        excluded = cb_type.isin(EXCLUDED_CHARGEBACK_TYPES).fillna(False) | \
            cb_outcome.isin(EXCLUDED_CHARGEBACK_OUTCOMES).fillna(False)
        out["chargeback"] = (present & ~excluded).astype("boolean")
    else:
        out["chargeback"] = _na_bool(idx)
    comps = out[["negative_feedback", "a_to_z_claim", "chargeback"]]
    out["defective"] = comps.fillna(False).any(axis=1).astype("boolean")
    if comps.isna().all(axis=None):
        out["defective"] = _na_bool(idx)

    # --- Late shipment ------------------------------------------------------------------------------
    if has("latest_ship_date") and has("ship_confirmed_at"):
        deadline, confirmed = out["latest_ship_date"], out["ship_confirmed_at"]
        as_of_start = local_start_utc(as_of, mkt)
        late = (confirmed > deadline) | (confirmed.isna() & (deadline < as_of_start))
        out["late_shipment"] = late.where(deadline.notna()).astype("boolean")
    else:
        out["late_shipment"] = _na_bool(idx)

    # --- Tracking and delivery ----------------------------------------------------------------------
    out["shipped"] = _col(out, "ship_confirmed_at").notna().astype("boolean") if has("ship_confirmed_at") \
        else _na_bool(idx)
    if has("tracking_valid"):
        derived = _col(out, "tracking_id").notna() & _col(out, "first_scan_at").notna()
        out["tracking_valid"] = out["tracking_valid"].astype("boolean").fillna(derived)
    elif has("tracking_id"):
        out["tracking_valid"] = (out["tracking_id"].notna() & _col(out, "first_scan_at").notna()).astype("boolean")
    else:
        out["tracking_valid"] = _na_bool(idx)
    if has("latest_delivery_date") and has("delivered_at"):
        delivered_day = local_day(out["delivered_at"], mkt)
        late = (delivered_day > out["delivery_by_day"]) | (delivered_day.isna() & (out["delivery_by_day"] < as_of))
        out["late_delivery"] = late.where(out["delivery_by_day"].notna()).astype("boolean")
    else:
        out["late_delivery"] = _na_bool(idx)
    return out
