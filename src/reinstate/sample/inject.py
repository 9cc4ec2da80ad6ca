"""Where the injected problems sit (drawn from the seed) and the operational ones (shipping, delivery).

Each cause draws from its own random stream, and the positions are drawn whether or not a cause is on, so
switching a cause off leaves the background and the other causes' positions unchanged.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .clock import HOUR, MON_FRI, MON_SAT, Clock
from .logistics import late_delivered


def positions(o: SimpleNamespace, cat: dict, rng: np.random.Generator, *, first_day: int, last_day: int) -> dict:
    """Which SKU, carrier and dates each cause hits (day indices inclusive)."""
    products = cat["products"]
    inj = cat["inject"]
    popular = [p["weight"] >= inj["candidate_min_weight"] for p in products]
    fragile = [i for i, p in enumerate(products) if p.get("fragile") and popular[i]]
    variants = [i for i, p in enumerate(products) if p.get("variants") and popular[i]]
    carriers = [i for i, c in enumerate(o.carrier_info[:o.n_mfn_carriers]) if c["share"] >= 0.15]
    pos = {"damage_sku": fragile[rng.integers(len(fragile))],
           "nad_sku": variants[rng.integers(len(variants))],
           "carrier": carriers[rng.integers(len(carriers))]}
    # Vacation: 7-10 days, ending 3..(30-length) days before the last day, so it lies in the last 30 days
    # (LSR 10/30-day windows of an analysis on the day after the data ends).
    lo, hi = inj["late_shipment"]["days"]
    length = int(rng.integers(lo, hi + 1))
    vac_end = last_day - int(rng.integers(3, 30 - length + 1))
    pos["vacation"] = (max(first_day, vac_end - length + 1), max(first_day, vac_end))
    # Not-as-described burst: 14-21 days of purchase dates inside the ODR window of that analysis
    # ([end-73, end-14]), so it weighs on the ODR an appeal has to explain.
    lo, hi = inj["not_as_described"]["days"]
    length = int(rng.integers(lo, hi + 1))
    start = int(rng.integers(last_day - 73, last_day - 14 - length + 2))
    start = max(first_day, min(start, last_day - length + 1))
    pos["nad"] = (start, min(last_day, start + length - 1))
    return pos


def vacation_late_shipments(o: SimpleNamespace, clock: Clock, rng: np.random.Generator, *, span, rate: float):
    """The seller is away: MFN orders due for confirmation during ``span`` are confirmed after it.

    Returns the orders this made late (they were on time before)."""
    n = o.n
    confirm_day = clock.day_of(o.confirm)
    due = o.mfn & ~o.cancelled & (confirm_day >= span[0]) & (confirm_day <= span[1])
    hit = due & (rng.random(n) < rate)
    back = clock.busday(np.full(n, span[1] + 1), rng.integers(0, 2, n), MON_FRI)
    new_confirm = clock.at(back, rng.integers(9 * HOUR, 17 * HOUR, n))
    delta = np.where(hit, np.maximum(new_confirm - o.confirm, 0), 0)
    was_late = o.confirm > o.latest_ship
    o.confirm = o.confirm + delta
    o.first_scan = o.first_scan + delta
    o.delivered = o.delivered + delta
    return hit & (o.confirm > o.latest_ship) & ~was_late


def carrier_delays(o: SimpleNamespace, clock: Clock, rng: np.random.Generator, *, carrier: int, rate: float,
                   extra_days) -> np.ndarray:
    """Shipments of ``carrier`` sit in its network for extra days. Returns the orders this made late."""
    n = o.n
    on = o.mfn & ~o.cancelled & (o.carrier == carrier) & ~o.lost
    hit = on & (rng.random(n) < rate)
    extra = rng.integers(extra_days[0], extra_days[1] + 1, n)
    was_late = late_delivered(o, clock)
    moved = clock.busday(clock.day_of(o.delivered), extra, MON_SAT)
    o.delivered = np.where(hit, clock.at(moved, clock.seconds_of_day(o.delivered)), o.delivered)
    return hit & late_delivered(o, clock) & ~was_late


def missing_scans(o: SimpleNamespace, rng: np.random.Generator, *, carrier: int, rate: float, lost: float):
    """Labels of ``carrier`` never scanned (invalid tracking); some parcels never arrive.

    Returns (orders left without a scan, of those the ones never delivered)."""
    n = o.n
    u, v = rng.random(n), rng.random(n)
    hit = o.mfn & ~o.cancelled & (o.carrier == carrier) & o.has_scan & (u < rate)
    gone = hit & ~o.lost & (v < lost)
    o.has_scan = o.has_scan & ~hit
    o.lost = o.lost | gone
    return hit, gone
