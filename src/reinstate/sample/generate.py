"""``generate_sample``: a seeded, vectorised synthetic seller with documented, injected problems."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..reference import timezone_of
from . import events, inject, logistics, policy, tables
from .clock import Clock

# Injectable causes (ids from the diagnosis issue), in the order truth.json lists them.
CAUSES = ("transit_damage", "carrier_delay", "no_tracking", "late_shipment", "unresponsive_service",
          "not_as_described")
# One independent random stream per concern: switching a cause on/off leaves the others unchanged.
_STREAMS = ("orders", "ids", "items", "ship", "positions", "status", "problems", "events", "texts", "messages",
            *CAUSES)
TABLES = ("orders", "feedback", "claims", "chargebacks", "returns", "messages")


@dataclass(frozen=True)
class Sample:
    """Generated canonical tables (``orders`` one row per item; the others keyed by ``order_id``) and the
    ground truth of what was injected (the content of truth.json)."""
    tables: dict[str, pd.DataFrame] = field(repr=False)
    truth: dict

    @property
    def as_of(self) -> str:
        """Suggested analysis date: the day after the data ends."""
        return self.truth["as_of"]


def _causes(causes) -> tuple[str, ...]:
    if causes is None:
        return ()
    if isinstance(causes, str):
        text = causes.strip().lower()
        if text in ("default", "all"):
            return CAUSES
        if text in ("none", ""):
            return ()
        causes = [c.strip() for c in text.split(",") if c.strip()]
    chosen = list(causes)
    unknown = [c for c in chosen if c not in CAUSES]
    if unknown:
        raise ConfigError(f"unknown cause {unknown[0]!r} (expected 'default', 'none' or some of: {', '.join(CAUSES)})")
    return tuple(c for c in CAUSES if c in chosen)


def _check(orders, days, seed, end, strength) -> dt.date:
    for name, value, low in (("orders", orders, 1), ("days", days, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ConfigError(f"sample option {name}={value!r} is invalid (expected an integer >= {low})")
    if days > 3660:
        raise ConfigError(f"sample option days={days} is invalid (expected at most 3660)")
    try:
        end_date = dt.date.fromisoformat(str(end))
    except ValueError:
        raise ConfigError(f"sample option end={end!r} is invalid (expected a date YYYY-MM-DD)") from None
    if not isinstance(strength, (int, float)) or isinstance(strength, bool) or not 0 <= strength <= 100:
        raise ConfigError(f"sample option strength={strength!r} is invalid (expected a number >= 0)")
    return end_date


def generate_sample(*, orders: int = 3000, days: int = 120, seed: int = 7, end: str | dt.date = "2026-11-15",
                    account: str = "demo-seller", marketplace: str = "US", causes="default",
                    strength: float = 1.0) -> Sample:
    """Generate ``orders`` orders placed over the ``days`` days ending ``end`` (marketplace-local), with the
    problems named in ``causes`` injected at ``strength`` x their catalogue rate, deterministically from ``seed``.

    ``causes``: "default" (all of CAUSES), "none" / [] (background noise only), or a list / comma string.
    Policy (products, carriers, rates) is in catalog.yaml, texts in texts.yaml, next to this module.

    >>> s = generate_sample(orders=500, seed=1); s.tables["orders"].shape[1], s.as_of
    (20, '2026-11-16')
    """
    end_date = _check(orders, days, seed, end, strength)
    chosen = _causes(causes)
    marketplace = str(marketplace).upper()
    tz = timezone_of(marketplace)
    cat, txt = policy.catalog(), policy.texts()
    rng = {name: np.random.default_rng(s) for name, s in zip(_STREAMS, np.random.SeedSequence(seed).spawn(len(_STREAMS)))}

    first = np.datetime64(end_date, "D") - (days - 1)
    clock = Clock(tz, first - 1, days + 400)  # margin: deliveries and claims run past the end
    first_day, last_day = 1, days
    cutoff = int(clock.end_of_day(np.asarray(last_day)))

    o = logistics.make_orders(cat, clock, rng, n=int(orders), first_day=first_day, days=days)
    logistics.ship(o, cat, clock, rng, marketplace=marketplace)
    pos = inject.positions(o, cat, rng["positions"], first_day=first_day, last_day=last_day)
    inj = cat["inject"]
    rate = {c: min(1.0, inj[c]["rate"] * strength) for c in CAUSES}
    injected: dict[str, np.ndarray] = {}
    lost_untracked = np.zeros(o.n, dtype=bool)
    if "late_shipment" in chosen:
        injected["late_shipment"] = inject.vacation_late_shipments(o, clock, rng["late_shipment"],
                                                                   span=pos["vacation"], rate=rate["late_shipment"])
    if "no_tracking" in chosen:
        injected["no_tracking"], lost_untracked = inject.missing_scans(
            o, rng["no_tracking"], carrier=pos["carrier"], rate=rate["no_tracking"], lost=inj["no_tracking"]["lost"])
    if "carrier_delay" in chosen:
        injected["carrier_delay"] = inject.carrier_delays(o, clock, rng["carrier_delay"], carrier=pos["carrier"],
                                                          rate=rate["carrier_delay"],
                                                          extra_days=inj["carrier_delay"]["extra_days"])
    events.status(o, cat, rng["status"], cutoff=cutoff)
    events.problems(o, cat, clock, rng, pos=pos, causes=chosen, strength=strength, injected=injected,
                    lost_untracked=lost_untracked)
    ev = events.consequences(o, cat, txt, clock, rng, cutoff=cutoff)
    made_late = events.responses(ev["messages"], cat, clock, rng, vacation=pos["vacation"],
                                 rate=rate["unresponsive_service"] if "unresponsive_service" in chosen else None,
                                 never=inj["unresponsive_service"]["never"], cutoff=cutoff)
    if "unresponsive_service" in chosen:
        injected["unresponsive_service"] = np.bincount(ev["messages"]["order"][made_late], minlength=o.n) > 0

    frames = {"orders": tables.orders_table(o, cat, account=account, marketplace=marketplace, cutoff=cutoff),
              **tables.event_tables(o, ev)}
    truth = _truth(o, cat, clock, ev, pos, injected, chosen, cutoff=cutoff, params=dict(
        orders=int(orders), days=int(days), seed=int(seed), end=end_date.isoformat(), account=account,
        marketplace=marketplace, causes=list(chosen), strength=float(strength)))
    return Sample(tables=frames, truth=truth)


def _defective(o, ev) -> np.ndarray:
    """Orders with an ODR defect in the generated events (same rules as metrics/flags.py)."""
    d = np.zeros(o.n, dtype=bool)
    f = ev["feedback"]
    d[f["order"][(f["rating"] <= 2) & ~f["removed"]]] = True
    c = ev["claims"]
    d[c["order"][~np.isin(c["status"], ["denied", "withdrawn", "amazon_funded"])]] = True
    b = ev["chargebacks"]
    d[b["order"][(b["type"] == "service") & (b["outcome"] != "won")]] = True
    return d


def _truth(o, cat, clock, ev, pos, injected, chosen, *, cutoff, params) -> dict:
    products = cat["products"]
    signal = np.zeros(o.n, dtype=bool)  # an order's problem is visible only through an event by the cutoff
    for name in ("feedback", "claims", "chargebacks", "returns", "messages"):
        signal[ev[name]["order"]] = True
    defective = _defective(o, ev)
    shipped_by_cutoff = o.shipped
    vac = (clock.date(pos["vacation"][0]), clock.date(pos["vacation"][1]))
    nad = (clock.date(pos["nad"][0]), clock.date(pos["nad"][1]))
    carrier = o.carrier_names[pos["carrier"]]
    damage_sku, nad_sku = products[pos["damage_sku"]]["sku"], products[pos["nad_sku"]]["sku"]

    def scope(dimension, value=None, start=None, end=None):
        return {"dimension": dimension, "value": value, "start": start, "end": end}

    spec = {
        "transit_damage": (scope("sku", damage_sku), injected.get("transit_damage", 0) & signal,
                           f"Seller-packed parcels of {damage_sku} ({products[pos['damage_sku']]['noun']}) "
                           f"arrived broken: negative feedback, returns and claims saying damaged/cracked."),
        "carrier_delay": (scope("carrier", carrier),
                          injected.get("carrier_delay", 0) & shipped_by_cutoff & (o.latest_delivery <= cutoff),
                          f"{carrier} held seller-fulfilled parcels for extra days, so they were delivered after "
                          f"the promised date."),
        "no_tracking": (scope("carrier", carrier), injected.get("no_tracking", 0) & shipped_by_cutoff,
                        f"{carrier} never scanned some seller-fulfilled labels (invalid tracking); many of those "
                        f"parcels never arrived and became item-not-received claims."),
        "late_shipment": (scope("period", None, *vac), injected.get("late_shipment", 0) & shipped_by_cutoff,
                          f"The seller was away {vac[0]} to {vac[1]}: orders due then were ship-confirmed after "
                          f"the ship-by date."),
        "unresponsive_service": (scope("period", None, *vac), injected.get("unresponsive_service", 0),
                                 f"Buyer messages received during the seller's absence {vac[0]} to {vac[1]} were "
                                 f"answered after more than 24 hours or not at all."),
        "not_as_described": (scope("sku", nad_sku, *nad), injected.get("not_as_described", 0) & signal,
                             f"A wrong listing (size chart, colour, material) for {nad_sku} ({products[pos['nad_sku']]['noun']}) "
                             f"between {nad[0]} and {nad[1]} (purchase dates) led to not-as-described complaints."),
    }
    entries = []
    for cause in chosen:
        sc, mask, description = spec[cause]
        mask = np.asarray(mask, dtype=bool) & np.ones(o.n, dtype=bool)
        ids = o.order_id[mask].tolist()
        entries.append({"cause": cause, "scope": sc, "orders": ids, "count": len(ids),
                        "defects": int((mask & defective).sum()), "description": description})
    as_of = (dt.date.fromisoformat(params["end"]) + dt.timedelta(days=1)).isoformat()
    return {"params": params, "as_of": as_of, "injected": entries}
