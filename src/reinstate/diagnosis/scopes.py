"""Scopes a cause can be localised to: one value of a dimension, or a span of days.

``memberships`` maps each analysed order (by its row position ``oid``) to the dimension values it belongs
to; an order with items of two SKUs belongs to both. ``best_span`` finds, for one cause, the run of days
whose defect rate stands out most from the rest (a scan statistic on cumulative daily counts).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

KEY = ["account", "marketplace", "order_id"]
ORDER_LEVEL = ("carrier", "fulfillment_channel")


def memberships(orders: pd.DataFrame, flags: pd.DataFrame, dims, *, gid: np.ndarray | None = None,
                keep: np.ndarray | None = None) -> dict[str, pd.DataFrame]:
    """dimension -> DataFrame(oid, value, code) of distinct pairs in order of first appearance; ``code``
    numbers the values in order of first appearance (``pd.factorize(value)``) and ``value`` is categorical
    with those values as its categories. Absent or all-missing dimensions are left out. ``gid``: each item
    row's order row in ``flags`` (``metrics.flags.order_groups``); without it, item rows are matched to flags
    by key. ``keep``: a boolean per order of ``flags``; only the pairs of those orders are returned (values
    and codes are still numbered over every order, so they do not depend on ``keep``).
    """
    out = {}
    item_dims = [d for d in dims if d not in ORDER_LEVEL and d in orders.columns]
    if item_dims:
        if gid is None:
            pos = flags[KEY].assign(oid=np.arange(len(flags)))
            items = orders[KEY + item_dims].merge(pos, on=KEY, how="inner")
            item_oid = items["oid"].to_numpy()
        else:
            items, item_oid = orders, np.asarray(gid)
    keep = None if keep is None else np.asarray(keep, dtype=bool)
    for d in dims:
        if d in ORDER_LEVEL and d in flags.columns:
            oid, values = np.arange(len(flags)), flags[d]
        elif d in item_dims:
            oid, values = item_oid, items[d]
        else:
            continue
        # Distinct (order, value) pairs on integer codes: drop_duplicates on the string pairs was the
        # largest part of this function at 1M orders in the benchmark profile.
        codes, uniques = pd.factorize(values.astype("string"), sort=False)
        ok = codes >= 0
        if keep is not None:
            ok &= keep[oid]
        oid, codes = oid[ok], codes[ok]
        pair = oid.astype(np.int64) * max(len(uniques), 1) + codes
        # A pair can only repeat within an order of several items: look for repeats among those rows only
        # (most orders have one item; order-level dimensions have one value per order).
        first = np.ones(len(pair), dtype=bool)
        if d in item_dims and len(oid):
            several = np.bincount(oid)[oid] > 1
            first[several] = ~pd.Series(pair[several]).duplicated().to_numpy()
        if first.any():
            # Categorical: one string per value, not one per pair (taking the strings for every pair was the
            # largest part of this function at 1M orders).
            out[d] = pd.DataFrame({"oid": oid[first],
                                   "value": pd.Categorical.from_codes(codes[first], categories=uniques),
                                   "code": codes[first]})
    return out


def best_span(k_day: np.ndarray, n_day: np.ndarray, *, min_days: int, max_days: int,
              min_support: int) -> tuple[int, int, float] | None:
    """(first index, last index, score) of the span with the highest Poisson scan statistic, or None.

    Score (Kulldorff): K ln(K/E) + (T-K) ln((T-K)/(T-E)) for K defects where E are expected from the
    span's share of orders; only spans with K > E and K >= ``min_support`` qualify. Vectorised over all
    (start, length) pairs with cumulative sums.
    """
    days = len(k_day)
    total_k, total_n = float(k_day.sum()), float(n_day.sum())
    if days < min_days or total_k < min_support or total_n <= 0:
        return None
    ck = np.concatenate([[0.0], np.cumsum(k_day, dtype=float)])
    cn = np.concatenate([[0.0], np.cumsum(n_day, dtype=float)])
    best = None
    # A "span" that covers most of the period is the account-wide case, not a span.
    for length in range(min_days, min(max_days, max(min_days, days // 2)) + 1):
        K = ck[length:] - ck[:-length]
        N = cn[length:] - cn[:-length]
        E = total_k * N / total_n
        ok = (K > E) & (K >= min_support) & (N < total_n)
        if not ok.any():
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            rest = total_k - K
            score = K * np.log(K / E) + np.where(rest > 0, rest * np.log(rest / (total_k - E)), 0.0)
        score = np.where(ok, score, -np.inf)
        i = int(np.argmax(score))
        if best is None or score[i] > best[2]:
            best = (i, i + length - 1, float(score[i]))
    return best
