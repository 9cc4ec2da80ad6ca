"""The per-order metric rules, written once as Ibis expressions and run on the selected backend.

Two relations feed them, both keyed by ``gid`` (the order's number, ``metrics.flags.order_groups``):
``items`` (one row per order item: what decides cancellation and units) and ``heads`` (each order's first
item row: the order-level fields, which the schema says agree on every item row). ``order_facts`` returns one
row per order, ordered by ``gid``, with the columns listed in ``metrics.flags`` (units ... late_delivery).

SQL's three-valued logic is used as the rules need it: a comparison with a missing timestamp is unknown and
``coalesce(..., False)`` makes it "not late"; a fact whose input columns are absent is null for every order.
"""
from __future__ import annotations

import datetime as dt

import pyarrow as pa

from ..reference import timezone_of

# Claim statuses and chargeback kinds that do not make an order defective (see docs/metrics.md).
EXCLUDED_CLAIM_STATUSES = ("denied", "withdrawn", "amazon_funded")
EXCLUDED_CHARGEBACK_TYPES = ("fraud",)
EXCLUDED_CHARGEBACK_OUTCOMES = ("won",)
COUNTED_CANCELLERS = ("seller", "amazon")  # plus unknown (no initiator recorded)

# Input columns and the Arrow type each is handed to the engine as (an absent column is not sent).
# Timestamps go as int64 nanoseconds since the epoch (UTC), so comparisons are exact at any precision and no
# backend rounds them; the columns that place an order on a local day also go as whole seconds
# (``<name>_s``, floored), which every backend turns into a timestamp exactly.
TIMESTAMP = pa.int64()
DAY_SOURCES = ("purchase_date", "latest_ship_date", "latest_delivery_date", "delivered_at")
ITEM_COLUMNS = {"order_status": pa.string(), "cancelled_by": pa.string(), "item_status": pa.string(),
                "quantity": pa.int64()}
_TS = TIMESTAMP
HEAD_COLUMNS = {"marketplace": pa.string(), "order_status": pa.string(), "purchase_date": _TS,
                "latest_ship_date": _TS, "ship_confirmed_at": _TS, "tracking_id": pa.string(),
                "tracking_valid": pa.bool_(), "first_scan_at": _TS, "latest_delivery_date": _TS,
                "delivered_at": _TS, "feedback_rating": pa.int64(), "feedback_removed": pa.bool_(),
                "claim_status": pa.string(), "claim_date": _TS, "chargeback_type": pa.string(),
                "chargeback_date": _TS, "chargeback_outcome": pa.string()}

FACT_COLUMNS = ["units", "active_units", "seller_cancelled", "cancel_by_unknown", "cancelled", "purchase_day",
                "ship_by_day", "delivery_by_day", "negative_feedback", "a_to_z_claim", "chargeback", "defective",
                "late_shipment", "shipped", "tracking_valid", "late_delivery"]


def _null_bool():
    import ibis
    return ibis.null().cast("boolean")


def _false(expr):
    """Unknown counts as no (a missing date is not late, a missing status is not excluded)."""
    return expr.fill_null(False)


def item_facts(items, *, by=("gid",), extra=None):
    """Per order from its item rows: units, active_units, seller_cancelled, cancel_by_unknown.

    ``by``: the columns naming an order. ``extra``: ``{name: function(item table) -> aggregate}`` computed in
    the same aggregation (the fast path adds each order's first-row values and its normal-form gate there, so
    the file is grouped once)."""
    has = set(items.columns).__contains__
    qty = items.quantity.fill_null(1) if has("quantity") else 1
    canceller = items.cancelled_by if has("cancelled_by") else None
    cancelled = items.order_status == "Cancelled"
    if canceller is not None:
        cancelled = cancelled | canceller.notnull()
    if has("item_status"):
        cancelled = cancelled | (items.item_status == "Cancelled")
    cancelled = _false(cancelled)
    if canceller is not None:
        no_initiator = canceller.isnull()
        counted = cancelled & (_false(canceller.isin(COUNTED_CANCELLERS)) | no_initiator)
        unknown = cancelled & no_initiator
    else:  # no initiator column: every cancellation has an unknown initiator
        counted = unknown = cancelled
    by = list(by)
    per_item = items.mutate(_qty=qty, _active=cancelled.ifelse(0, qty), _counted=counted, _unknown=unknown)
    extra = {name: fn(per_item) for name, fn in (extra or {}).items()}
    agg = per_item.group_by(by).aggregate(units=per_item._qty.sum(), active_units=per_item._active.sum(),
                                          seller_cancelled=per_item._counted.any(),
                                          unknown_any=per_item._unknown.any(), **extra)
    return agg.select(*by, "units", "active_units", "seller_cancelled", *extra,
                      cancel_by_unknown=agg.unknown_any & agg.seller_cancelled)


def head_facts(con, heads, as_of: dt.date, marketplaces, keep=()):
    """Per order from its first item row: cancelled, local days, ODR components, late shipment, tracking,
    late delivery. ``marketplaces``: the codes present (each gets its time zone); ``keep``: columns of
    ``heads`` passed through unchanged (the fast path's account, channel, category)."""
    import ibis

    has = set(heads.columns).__contains__
    zones = {code: timezone_of(code) for code in marketplaces}
    mkt = heads.marketplace

    def by_marketplace(values: dict):
        if not values:
            return ibis.null()
        return ibis.cases(*((mkt == code, value) for code, value in values.items()))

    zone = by_marketplace(zones)

    def local_day(col):
        from . import local_time
        if not has(col):
            return ibis.null().cast("date")
        return local_time(con, heads[f"{col}_s"].as_timestamp("s"), zone).date()

    import pandas as pd
    # The start of as_of in each marketplace's zone, in UTC nanoseconds (the deadline columns' unit).
    as_of_start = by_marketplace({code: ibis.literal(pd.Timestamp(as_of).tz_localize(tz).value, type="int64")
                                  for code, tz in zones.items()})
    as_of_day = ibis.literal(as_of, type="date")
    out = {"gid": heads.gid, "cancelled": _false(heads.order_status == "Cancelled"),
           "purchase_day": local_day("purchase_date"), "ship_by_day": local_day("latest_ship_date"),
           "delivery_by_day": local_day("latest_delivery_date")}

    # --- ODR components: rating 1-2 not removed; a claim not denied/withdrawn/Amazon-funded; a chargeback
    # that is not fraud and not won.
    if has("feedback_rating"):
        removed = _false(heads.feedback_removed) if has("feedback_removed") else False
        out["negative_feedback"] = _false(heads.feedback_rating.isin([1, 2])) & ~removed
    else:
        out["negative_feedback"] = _null_bool()
    if has("claim_status") or has("claim_date"):
        status = heads.claim_status if has("claim_status") else ibis.null().cast("string")
        present = status.notnull() | (heads.claim_date.notnull() if has("claim_date") else False)
        out["a_to_z_claim"] = present & ~_false(status.isin(EXCLUDED_CLAIM_STATUSES))
    else:
        out["a_to_z_claim"] = _null_bool()
    if has("chargeback_type") or has("chargeback_date") or has("chargeback_outcome"):
        kind = heads.chargeback_type if has("chargeback_type") else ibis.null().cast("string")
        outcome = heads.chargeback_outcome if has("chargeback_outcome") else ibis.null().cast("string")
        present = kind.notnull() | outcome.notnull() | \
            (heads.chargeback_date.notnull() if has("chargeback_date") else False)
        excluded = _false(kind.isin(EXCLUDED_CHARGEBACK_TYPES)) | _false(outcome.isin(EXCLUDED_CHARGEBACK_OUTCOMES))
        out["chargeback"] = present & ~excluded
    else:
        out["chargeback"] = _null_bool()
    components = [c for c, needs in (("negative_feedback", ("feedback_rating",)),
                                     ("a_to_z_claim", ("claim_status", "claim_date")),
                                     ("chargeback", ("chargeback_type", "chargeback_date", "chargeback_outcome")))
                  if any(map(has, needs))]
    if components:
        defective = _false(out[components[0]])
        for c in components[1:]:
            defective = defective | _false(out[c])
        out["defective"] = defective
    else:
        out["defective"] = _null_bool()

    # --- Late shipment: confirmed after the deadline, or unconfirmed with the deadline before as_of began.
    if has("latest_ship_date") and has("ship_confirmed_at"):
        deadline, confirmed = heads.latest_ship_date, heads.ship_confirmed_at
        late = _false(confirmed > deadline) | (confirmed.isnull() & _false(deadline < as_of_start))
        out["late_shipment"] = deadline.notnull().ifelse(late, _null_bool())
    else:
        out["late_shipment"] = _null_bool()

    # --- Tracking and delivery
    out["shipped"] = heads.ship_confirmed_at.notnull() if has("ship_confirmed_at") else _null_bool()
    derived = (heads.tracking_id.notnull() if has("tracking_id") else ibis.literal(False)) & \
        (heads.first_scan_at.notnull() if has("first_scan_at") else False)
    if has("tracking_valid"):
        out["tracking_valid"] = heads.tracking_valid.fill_null(derived)
    elif has("tracking_id"):
        out["tracking_valid"] = derived
    else:
        out["tracking_valid"] = _null_bool()
    if has("latest_delivery_date") and has("delivered_at"):
        promised, delivered = out["delivery_by_day"], local_day("delivered_at")
        late = _false(delivered > promised) | (delivered.isnull() & _false(promised < as_of_day))
        out["late_delivery"] = promised.notnull().ifelse(late, _null_bool())
    else:
        out["late_delivery"] = _null_bool()
    return heads.select(*keep, **out)


def order_facts(con, items, heads, as_of: dt.date, marketplaces):
    """One row per order (ordered by gid) with ``FACT_COLUMNS``."""
    joined = item_facts(items).join(head_facts(con, heads, as_of, marketplaces), "gid")
    return joined.select("gid", *FACT_COLUMNS).order_by("gid")
