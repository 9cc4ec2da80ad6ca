"""Background operations: orders, items, and how each order was shipped and delivered.

Everything is per-order numpy arrays in a ``SimpleNamespace`` (``o``), times in UTC epoch seconds
(see clock.py); the item table is ``o.item_order`` (order index per item row), ``o.item_sku``, ``o.item_qty``.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyarrow.compute as pc

from .clock import EVERY_DAY, HOUR, MON_FRI, MON_SAT, Clock
from .textgen import digits, random_digits


def _p(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def daily_weights(cat: dict, first: np.datetime64, days: int) -> np.ndarray:
    """Probability of each calendar day: weekday pattern x piecewise-linear seasonal curve (no trig: the
    same floats on every platform, so the committed sample is reproducible everywhere)."""
    dates = first + np.arange(days)
    dow = (dates.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    doy = (dates - dates.astype("datetime64[Y]")).astype(np.int64) + 1
    knots = sorted((int(k), float(v)) for k, v in cat["seasonal_knots"].items())
    season = np.interp(doy, [k for k, _ in knots], [v for _, v in knots])
    return _p(np.asarray(cat["weekday_weights"], dtype=float)[dow] * season)


def order_ids(rng: np.random.Generator, n: int, prefixes) -> np.ndarray:
    """Unique Amazon-style ids ``3-7-7`` digits, e.g. 113-4829301-0048213."""
    pre = np.asarray(prefixes, dtype=np.int64)[rng.integers(0, len(prefixes), n)]
    mid = rng.integers(0, 10**7, n)
    last = rng.integers(0, 10**7, n)
    while True:  # collisions are rare (birthday bound ~n^2/8e14); redraw until unique
        key = pre * 10**14 + mid * 10**7 + last
        order = np.argsort(key, kind="stable")
        dup_sorted = np.r_[False, key[order][1:] == key[order][:-1]]
        if not dup_sorted.any():
            break
        dup = order[dup_sorted]
        last[dup] = rng.integers(0, 10**7, dup.size)
    joined = pc.binary_join_element_wise(digits(pre, 3), digits(mid, 7), digits(last, 7), "-")
    return joined.to_numpy(zero_copy_only=False)


def make_orders(cat: dict, clock: Clock, rng: dict, *, n: int, first_day: int, days: int) -> SimpleNamespace:
    """Purchase times, channel, ids and items of ``n`` orders over ``days`` local days from ``first_day``."""
    r = rng["orders"]
    p_day = daily_weights(cat, clock.base + np.timedelta64(first_day, "D"), days)
    day = first_day + r.choice(days, n, p=p_day)
    hour = r.choice(24, n, p=_p(cat["hour_weights"]))
    purchase = clock.at(day, hour * HOUR + r.integers(0, HOUR, n))
    order = np.argsort(purchase, kind="stable")  # ids and rows in purchase order, like a real report
    purchase = purchase[order]
    o = SimpleNamespace(n=n, purchase=purchase, day=clock.day_of(purchase))
    o.afn = r.random(n) < cat["afn_share"]
    o.mfn = ~o.afn
    o.order_id = order_ids(rng["ids"], n, cat["order_id_prefixes"])

    r = rng["items"]
    products = cat["products"]
    k = 1 + r.choice(3, n, p=_p(cat["items_per_order"]))
    item_order = np.repeat(np.arange(n), k)
    sku = r.choice(len(products), item_order.size, p=_p([p["weight"] for p in products]))
    key = item_order * len(products) + sku
    keep = np.ones(key.size, dtype=bool)  # the same SKU twice in an order -> keep one row
    keep[1:] = key[1:] != key[:-1]
    # rows of one order are adjacent; a duplicate can also be two rows apart (A, B, A)
    keep[2:] &= key[2:] != key[:-2]
    o.item_order, o.item_sku = item_order[keep], sku[keep]
    o.item_qty = 1 + r.choice(3, o.item_order.size, p=_p(cat["units_per_item"]))
    starts = np.flatnonzero(np.r_[True, o.item_order[1:] != o.item_order[:-1]])
    handling = np.asarray([p["handling_days"] for p in products], dtype=np.int64)
    o.handling = np.maximum.reduceat(handling[o.item_sku], starts)
    o.primary_sku = o.item_sku[starts]
    return o


def has_sku(o: SimpleNamespace, sku: int) -> np.ndarray:
    """Per-order: does any item of the order have this SKU index?"""
    return np.bincount(o.item_order[o.item_sku == sku], minlength=o.n) > 0


def ship(o: SimpleNamespace, cat: dict, clock: Clock, rng: dict, *, marketplace: str) -> None:
    """Fill in ship-from, carrier, deadlines, confirmation, tracking, scans and delivery (normal operations)."""
    r, n, bg = rng["ship"], o.n, cat["background"]
    wh, fc = list(cat["warehouses"]), list(cat["fulfillment_centers"])
    o.ship_from_names = wh + fc
    o.ship_from = np.where(o.afn, len(wh) + r.choice(len(fc), n, p=_p(list(cat["fulfillment_centers"].values()))),
                           r.choice(len(wh), n, p=_p(list(cat["warehouses"].values()))))
    carriers = cat["carriers"].get(marketplace, cat["carriers"]["default"])
    o.carrier_info = [dict(name=name, **info) for name, info in carriers.items()] + [dict(cat["afn_carrier"])]
    o.carrier_names = [c["name"] for c in o.carrier_info]
    o.n_mfn_carriers = len(carriers)
    o.carrier = np.where(o.afn, len(carriers), r.choice(len(carriers), n, p=_p([c["share"] for c in carriers.values()])))

    u = r.random(n)
    o.buyer_cancel = u < bg["cancel_buyer"]
    o.seller_cancel = (u >= bg["cancel_buyer"]) & (u < bg["cancel_buyer"] + bg["cancel_seller"])
    o.cancelled = o.buyer_cancel | o.seller_cancel

    # Ship-by: handling time in business days; an order placed on a weekend counts from Monday.
    weekend = ~clock.is_busday(o.day, MON_FRI)
    mfn_by = clock.busday(o.day, o.handling - weekend, MON_FRI)
    o.ship_by = np.where(o.afn, clock.busday(o.day, 1, EVERY_DAY), mfn_by)
    o.latest_ship = clock.end_of_day(o.ship_by)

    # Seller confirms on a business day between the first possible day and the ship-by day, early days likelier.
    after_cut = clock.seconds_of_day(o.purchase) >= bg["same_day_cutoff_hour"] * HOUR
    earliest = clock.busday(o.day + after_cut, 0, MON_FRI)
    earliest = np.minimum(earliest, o.ship_by)
    span = np.busday_count(clock.base + earliest.astype("timedelta64[D]"),
                           clock.base + o.ship_by.astype("timedelta64[D]"), weekmask=MON_FRI) + 1
    k = np.minimum(r.integers(0, span), r.integers(0, span))
    confirm_day = clock.busday(earliest, k, MON_FRI)
    late = r.random(n) < bg["late_confirm"]
    confirm_day = np.where(late, clock.busday(o.ship_by, r.integers(1, 3, n), MON_FRI), confirm_day)
    mfn_confirm = np.maximum(clock.at(confirm_day, r.integers(10 * HOUR, 19 * HOUR, n)), o.purchase + 1800)
    afn_confirm = np.minimum(o.purchase + r.integers(3 * HOUR, 30 * HOUR, n), o.latest_ship - HOUR)
    o.confirm = np.where(o.afn, afn_confirm, mfn_confirm)
    o.first_scan = o.confirm + np.where(o.afn, r.integers(1 * HOUR, 6 * HOUR, n), r.integers(2 * HOUR, 20 * HOUR, n))

    o.tracking_id = np.full(n, None, dtype=object)
    for c, info in enumerate(o.carrier_info):
        rows = np.flatnonzero(o.carrier == c)
        prefix, width = info["tracking"]
        num = random_digits(r, rows.size, int(width))
        o.tracking_id[rows] = pc.binary_join_element_wise(str(prefix), num, "").to_numpy(zero_copy_only=False) \
            if rows.size else []
    o.no_tracking_id = o.mfn & (r.random(n) < bg["no_tracking_id"])
    no_scan = o.mfn & (r.random(n) < bg["no_first_scan"])
    o.has_scan = ~(o.no_tracking_id | no_scan)
    lost_unscanned = ~o.has_scan & (r.random(n) < bg["lost_after_no_scan"])
    lost_scanned = o.has_scan & (r.random(n) < bg["lost_in_transit"])
    o.lost = lost_unscanned | lost_scanned

    transit = np.zeros(n, dtype=np.int64)
    for c, info in enumerate(o.carrier_info):
        rows = np.flatnonzero(o.carrier == c)
        transit[rows] = 1 + r.choice(len(info["transit"]), rows.size, p=_p(info["transit"]))
    deliver_day = clock.busday(clock.day_of(o.first_scan), transit, MON_SAT)
    o.delivered = np.maximum(clock.at(deliver_day, r.integers(9 * HOUR, 20 * HOUR, n)), o.first_scan + 3 * HOUR)
    promise = cat["promise_business_days"]
    o.promise_day = np.where(o.afn, clock.busday(o.ship_by, promise["AFN"], MON_SAT),
                             clock.busday(o.ship_by, promise["MFN"], MON_FRI))
    o.latest_delivery = clock.end_of_day(o.promise_day)
    o.late_confirm_bg = late & o.mfn


def late_delivered(o: SimpleNamespace, clock: Clock) -> np.ndarray:
    """Delivered after the promised local day (undelivered orders are not counted here)."""
    return ~o.lost & (clock.day_of(o.delivered) > o.promise_day)
