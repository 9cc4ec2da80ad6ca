"""Per-metric attribution: which of the breached metric's own failing orders each root cause explains.

The diagnosis ranks hypotheses over every problem order of every metric. A letter answers one metric, so
its causes are re-counted here over that metric's failing orders only (``metrics.drilldown``: the
ODR-defective orders of the 60-day window, the late orders of the 30-day window, ...), in one channel.

The attribution rule (documented in the README, "How the letter is argued"):

1. Candidates are the diagnosis hypotheses (headline and nested) of the causes the template argues,
   with high or medium confidence (low-confidence ones only when no other candidate holds an order).
2. Largest first: take the candidate holding the most failing orders not yet attributed; ties go to the
   narrower scope (SKU/ASIN, then carrier/warehouse/category, then a period, then the whole account), then to
   the better diagnosis rank. Its not-yet-attributed failing orders are attributed to it.
3. One entry per cause: once a cause is argued, its other scopes are not.
4. Stop when no candidate holds ``min_orders`` unattributed orders or ``max_causes`` causes are argued.
   What is left is ``unexplained``.

So every failing order sits under at most one cause, and sum(orders) + unexplained == defective_orders.

    att = attribute(data, metric="order_defect_rate", health=health, diagnosis=dx, as_of="2026-11-16")
    att.channel, att.defective_orders, [(c.cause, len(c.order_ids)) for c in att.causes]
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..errors import ConfigError

HIGHER_IS_BETTER = ("valid_tracking_rate", "on_time_delivery_rate")
SPECIFICITY = {"sku": 3, "asin": 3, "account": 0, "period": 1}  # anything else (carrier, ship_from, ...) is 2
CONFIDENT = ("high", "medium")
STATUS_RANK = {"breached": 3, "at_risk": 2, "good": 1, "no_data": 0}


@dataclass
class AttributedCause:
    """One argued cause: its scope and the failing orders attributed to it (ids in purchase order)."""
    cause: str
    dimension: str
    value: str | None
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    order_ids: list[str]
    hypothesis: dict = field(default_factory=dict, repr=False)   # the diagnosis row it came from


@dataclass
class Attribution:
    """The metric a letter argues, the row of Account Health it answers, and its causes."""
    metric: str
    account: str | None
    marketplace: str | None
    channel: str | None
    window_start: pd.Timestamp | None
    window_end: pd.Timestamp | None
    window_days: int | None
    defective_orders: int
    causes: list[AttributedCause]
    unexplained_ids: list[str]
    channel_chosen: str = "highest rate"      # "analyst" when --channel was given
    other_breached: list[dict] = field(default_factory=list)   # other breached channels of the metric
    failing: pd.DataFrame = field(default=None, repr=False)     # the drilldown rows

    def to_dict(self) -> dict:
        """The attribution part of the `letter --json` contract."""
        def day(x):
            return None if x is None or pd.isna(x) else pd.Timestamp(x).date().isoformat()
        return {
            "metric": self.metric, "account": self.account, "marketplace": self.marketplace,
            "channel": self.channel,
            "window": {"start": day(self.window_start), "end": day(self.window_end)},
            "defective_orders": self.defective_orders,
            "causes": [{"cause": c.cause,
                        "scope": {"dimension": c.dimension, "value": c.value, "start": day(c.start),
                                  "end": day(c.end)},
                        "orders": len(c.order_ids), "order_ids": list(c.order_ids)} for c in self.causes],
            "unexplained_orders": len(self.unexplained_ids),
        }


def _badness(row: dict) -> tuple:
    rate = row.get("rate")
    rate = 0.0 if rate is None or pd.isna(rate) else float(rate)
    return (STATUS_RANK.get(row.get("status"), 0), -rate if row["metric"] in HIGHER_IS_BETTER else rate)


def pick_row(health: pd.DataFrame, metric: str, *, channel: str | None = None, account=None,
             marketplace: str | None = None) -> tuple[dict, list[dict], str]:
    """(the health row the letter answers, other breached rows of the metric in other channels, how chosen).

    Without a channel: the breached (else at-risk, else any) row with the worst rate. With one: the worst row
    of that channel."""
    frame = health[health["metric"] == metric]
    if account is not None and "account" in frame:
        frame = frame[frame["account"].astype(str) == str(account)]
    if marketplace and "marketplace" in frame and (frame["marketplace"] == marketplace).any():
        frame = frame[frame["marketplace"] == marketplace]
    rows = frame.to_dict("records")
    if channel is not None:
        mine = [r for r in rows if r.get("channel") == channel]
        if not mine:
            shown = ", ".join(sorted({str(r.get("channel")) for r in rows})) or "none"
            raise ConfigError(f"--channel {channel}: no {metric} row for that channel (channels: {shown})")
        rows_for_pick, how = mine, "analyst"
    else:
        rows_for_pick, how = rows, "highest rate"
    if not rows_for_pick:
        raise ConfigError(f"no {metric} in the Account Health table (no orders in its window?)")
    best = max(rows_for_pick, key=_badness)
    others = [r for r in rows if r.get("status") == "breached" and r.get("channel") != best.get("channel")
              and r.get("account") == best.get("account")]
    # One row per other channel: its worst window.
    seen: dict = {}
    for r in sorted(others, key=_badness, reverse=True):
        seen.setdefault(r.get("channel"), r)
    return best, list(seen.values()), how


def _specificity(dimension) -> int:
    return SPECIFICITY.get(dimension, 2)


def _candidates(diagnosis, allowed, failing: set, *, confident_only: bool) -> list[dict]:
    hyp = getattr(diagnosis, "hypotheses", diagnosis)
    if hyp is None or not len(hyp) or "order_ids" not in hyp:
        return []
    out = []
    for i, row in enumerate(hyp.to_dict("records")):
        if allowed is not None and row.get("cause") not in allowed:
            continue
        if confident_only and row.get("confidence") not in CONFIDENT:
            continue
        ids = {str(o) for o in (row.get("order_ids") or [])} & failing
        if ids:
            rank = row.get("rank")
            nested = row.get("nested_in")
            order = rank if rank is not None and not pd.isna(rank) else (nested if nested is not None
                                                                         and not pd.isna(nested) else 999)
            out.append({"row": row, "ids": ids, "rank": float(order), "pos": i})
    return out


def _greedy(cands: list[dict], failing_order: list[str], *, min_orders: int, max_causes: int):
    remaining = set(failing_order)
    chosen, used = [], set()
    while len(chosen) < max_causes:
        live = [c for c in cands if c["row"]["cause"] not in used]
        if not live:
            break
        best = max(live, key=lambda c: (len(c["ids"] & remaining), _specificity(c["row"].get("dimension")),
                                        -c["rank"], -c["pos"]))
        take = best["ids"] & remaining
        if len(take) < min_orders:
            break
        chosen.append((best["row"], [o for o in failing_order if o in take]))
        remaining -= take
        used.add(best["row"]["cause"])
    return chosen, [o for o in failing_order if o in remaining]


def _clean_value(value):
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def attribute(data, *, metric: str, health: pd.DataFrame, diagnosis, as_of, channel: str | None = None,
              account=None, marketplace: str | None = None, allowed_causes=None, causes=None,
              min_orders: int = 2, max_causes: int = 6, flags=None) -> Attribution:
    """Attribute the failing orders of `metric` (one account, marketplace, channel and window) to causes.

    ``causes``: the analyst's cause ids; only those are argued (in that order, each with the failing orders
    of its best scope; a chosen cause without any keeps zero orders). ``allowed_causes``: the template's list.
    ``flags``: an ``order_flags`` pass at ``as_of`` to reuse (see ``reinstate.Analysis``).
    """
    from ..metrics.health import drilldown

    row, others, how = pick_row(health, metric, channel=channel, account=account, marketplace=marketplace)
    chan = row.get("channel")
    failing = drilldown(data, as_of=as_of, metric=metric, channel=chan, account=row.get("account"),
                        marketplace=row.get("marketplace"), window_days=int(row["window_days"]), flags=flags)
    failing = failing[failing["account"].astype(str) == str(row.get("account"))] if "account" in failing else failing
    order_ids = [str(o) for o in pd.unique(failing["order_id"].dropna().astype(str))]
    wanted = set(order_ids)
    if causes:
        chosen, rest, remaining = [], [], set(order_ids)
        for cause in causes:
            cands = _candidates(diagnosis, {cause}, remaining, confident_only=False)
            if cands:
                best = max(cands, key=lambda c: (len(c["ids"]), _specificity(c["row"].get("dimension")),
                                                 -c["rank"]))
                chosen.append((best["row"], [o for o in order_ids if o in best["ids"]]))
                remaining -= best["ids"]
            else:
                chosen.append(({"cause": cause, "dimension": "account"}, []))
        rest = [o for o in order_ids if o in remaining]
    else:
        allowed = set(allowed_causes) if allowed_causes else None
        cands = _candidates(diagnosis, allowed, wanted, confident_only=True)
        chosen, rest = _greedy(cands, order_ids, min_orders=min_orders, max_causes=max_causes)
        if not chosen:  # nothing significant: weaker hypotheses are better than no argument at all
            cands = _candidates(diagnosis, allowed, wanted, confident_only=False)
            chosen, rest = _greedy(cands, order_ids, min_orders=min_orders, max_causes=max_causes)
    out = [AttributedCause(cause=r["cause"], dimension=_clean_value(r.get("dimension")) or "account",
                           value=_clean_value(r.get("value")),
                           start=None if pd.isna(r.get("start", None)) else r.get("start"),
                           end=None if pd.isna(r.get("end", None)) else r.get("end"),
                           order_ids=ids, hypothesis=r) for r, ids in chosen]
    return Attribution(metric=metric, account=_clean_value(row.get("account")),
                       marketplace=_clean_value(row.get("marketplace")), channel=_clean_value(chan),
                       window_start=row.get("window_start"), window_end=row.get("window_end"),
                       window_days=int(row["window_days"]), defective_orders=len(order_ids), causes=out,
                       unexplained_ids=rest, channel_chosen=how, other_breached=others, failing=failing)
