"""Hypotheses = cause x scope, tested, merged and ranked.

Every (cause, scope) pair with at least one defect is tested: a dimension value or a day span against the
rest of the analysed orders (one-sided Fisher exact), the whole account against the rate a healthy account
shows (one-sided binomial, policy ``account_reference_rate``). All p-values are adjusted together
(Benjamini-Hochberg by default), so one unlucky small SKU among hundreds is not reported as a cause.

Reported hypotheses need ``min_support`` defects. Scoped ones also need an adjusted p below ``alpha`` and
a lift above 1. Hypotheses that cover mostly the same defects are merged: the deeper cause (policy
``depth``: a carrier's missing scans before the buyers' "not received") or, for one cause, the narrower
scope that holds most of the broader one's excess defects becomes the headline and the other is nested in
it. Defects of a cause that no scoped hypothesis explains form an account-wide hypothesis.

Ranking: significant hypotheses (adjusted p < alpha) before the rest; within each group by defects
explained, then confidence, then adjusted p.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import stats
from .scopes import best_span

CONF_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass
class Candidate:
    cause: str
    dimension: str
    value: str | None
    k: int
    n: int
    p_value: float
    oids: np.ndarray  # explained defects (row positions)
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    p_adjusted: float = float("nan")
    lift: float | None = None
    scope_rate: float = float("nan")
    rest_rate: float | None = None
    confidence: str = "low"
    nested: list = field(default_factory=list)

    def excess(self) -> float:
        return self.k - self.n * (self.rest_rate or 0.0)


def event_days(facts: pd.DataFrame, cause: str, policy: dict) -> pd.Series:
    """The local day that places each order's ``cause`` defect in time (policy ``event_day``)."""
    cols = policy["event_day"].get(cause, policy["event_day"]["default"])
    day = pd.Series(pd.NaT, index=facts.index, dtype="datetime64[ns]")
    for c in cols:
        if c in facts.columns:
            day = day.fillna(facts[c])
    return day


def _scoped(facts, hit, analysed, members, causes, min_support) -> list[Candidate]:
    """Dimension-value candidates with counts and Fisher p-values (every pair with >= 1 defect)."""
    N = int(analysed.sum())
    K = hit[analysed].sum(axis=0)
    out = []
    for dim, pairs in members.items():
        pairs = pairs[analysed[pairs["oid"].to_numpy()]]
        if pairs.empty:
            continue
        n = pairs.groupby("value", sort=False).size()
        if len(n) < 2:  # one value covers everything: that is the account-wide case
            continue
        k = pd.DataFrame(hit[pairs["oid"].to_numpy()], columns=causes).groupby(
            pairs["value"].to_numpy(), sort=False).sum()
        long = k.stack().rename("k").reset_index()
        long.columns = ["value", "cause", "k"]
        long = long[long["k"] > 0]
        long["n"] = n.reindex(long["value"]).to_numpy()
        long = long[long["n"] < N]
        if long.empty:
            continue
        Kc = K[[causes.index(c) for c in long["cause"]]]
        p = stats.fisher_greater(long["k"], long["n"], Kc, N)
        for (value, cause, kk, nn), pv in zip(long[["value", "cause", "k", "n"]].itertuples(index=False), p):
            oids = np.empty(0, dtype=np.int64)
            if kk >= min_support:
                members_v = pairs.loc[pairs["value"] == value, "oid"].to_numpy()
                oids = members_v[hit[members_v, causes.index(cause)]]
            out.append(Candidate(cause, dim, str(value), int(kk), int(nn), float(pv), oids))
    return out


def _periods(facts, hit, analysed, causes, policy, min_support) -> list[Candidate]:
    out = []
    per = policy["period"]
    for j, cause in enumerate(causes):
        if hit[analysed, j].sum() < min_support:
            continue
        day = event_days(facts, cause, policy)
        ok = analysed & day.notna().to_numpy()
        if not ok.any():
            continue
        d0 = day[ok].min()
        idx = ((day[ok] - d0).dt.days).to_numpy()
        n_day = np.bincount(idx)
        k_day = np.bincount(idx, weights=hit[ok, j].astype(float), minlength=len(n_day))
        span = best_span(k_day, n_day, min_days=int(per["min_days"]), max_days=int(per["max_days"]),
                         min_support=min_support)
        if span is None:
            continue
        i0, i1, _ = span
        inside = np.zeros(len(facts), dtype=bool)
        inside[np.flatnonzero(ok)] = (idx >= i0) & (idx <= i1)
        k, n = int(hit[inside, j].sum()), int(inside.sum())
        N, K = int(ok.sum()), int(hit[ok, j].sum())
        p = float(stats.fisher_greater([k], [n], [K], [N])[0])
        if per.get("bonferroni_over_starts", True):
            p = min(1.0, p * len(n_day))
        out.append(Candidate(cause, "period", None, k, n, p, np.flatnonzero(inside & hit[:, j]),
                             d0 + pd.Timedelta(days=i0), d0 + pd.Timedelta(days=i1)))
    return out


def _finish(c: Candidate, hit, analysed, causes, N):
    j = causes.index(c.cause)
    K = int(hit[analysed, j].sum())
    c.scope_rate = c.k / c.n if c.n else float("nan")
    if c.dimension == "account":
        return
    c.rest_rate = (K - c.k) / (N - c.n) if N > c.n else None
    c.lift = float(stats.lift([c.k], [c.n], [K], [N])[0])


def _overlap(a: Candidate, b: Candidate) -> float:
    if not len(a.oids) or not len(b.oids):
        return 0.0
    return len(np.intersect1d(a.oids, b.oids)) / min(len(a.oids), len(b.oids))


def _merge(cands: list[Candidate], policy: dict) -> list[Candidate]:
    """Nest overlapping hypotheses into one headline each (see module docstring)."""
    depth, thr = policy["depth"], float(policy["nest_overlap"])
    share = float(policy["specific_excess_share"])
    accepted: list[Candidate] = []
    for c in cands:
        for i, a in enumerate(accepted):
            if _overlap(a, c) < thr:
                continue
            if c.cause == a.cause:
                better = c.n < a.n and c.excess() >= share * a.excess()
            else:
                better = depth.get(c.cause, 9) < depth.get(a.cause, 9)
            if better:
                c.nested.extend([a, *a.nested])
                a.nested = []
                accepted[i] = c
            else:
                a.nested.append(c)
            break
        else:
            accepted.append(c)
    return accepted


def build(facts: pd.DataFrame, hit: np.ndarray, analysed: np.ndarray, members: dict, causes: list[str], *,
          policy: dict, min_support: int, alpha: float) -> list[Candidate]:
    """Ranked headline hypotheses (each with its nested ones) for the defects in ``hit``.

    ``hit[i, j]``: order i is an analysed defect tagged with cause j; ``analysed[i]``: order i is analysed.
    """
    N = int(analysed.sum())
    if N == 0 or not hit.any():
        return []
    scoped = _scoped(facts, hit, analysed, members, causes, min_support)
    scoped += _periods(facts, hit, analysed, causes, policy, min_support)
    K = hit[analysed].sum(axis=0)
    ref = policy["account_reference_rate"]
    accounts = [Candidate(c, "account", None, int(K[j]), N,
                          float(stats.binomial_greater([K[j]], [N], [ref.get(c, ref["default"])])[0]),
                          np.flatnonzero(hit[:, j] & analysed))
                for j, c in enumerate(causes) if K[j] > 0]
    everything = scoped + accounts
    padj = stats.adjust([c.p_value for c in everything], policy["correction"])
    for c, q in zip(everything, padj):
        c.p_adjusted = float(q)
        _finish(c, hit, analysed, causes, N)
    dim_rank = {d: i for i, d in enumerate([*policy["dimensions"], "period"])}
    strong = [c for c in scoped if c.k >= min_support and c.p_adjusted < alpha and (c.lift or 0) > 1]
    for c in strong:
        c.confidence = stats.confidence([c.p_adjusted], [c.k], [c.lift], policy["confidence"])[0]
    strong.sort(key=lambda c: (-c.k, CONF_ORDER[c.confidence], c.p_adjusted, dim_rank.get(c.dimension, 99)))
    heads = _merge(strong, policy)

    # Account-wide remainder per cause: tagged defects no scoped headline (or nested one) explains.
    covered = np.zeros(len(facts), dtype=bool)
    for h in heads:
        for c in (h, *h.nested):
            covered[c.oids] = True
    by_cause = {a.cause: a for a in accounts}
    cap = CONF_ORDER[policy["account_max_confidence"]]
    for j, cause in enumerate(causes):
        rest = np.flatnonzero(hit[:, j] & analysed & ~covered)
        if len(rest) < min_support:
            continue
        a = by_cause[cause]
        if len(rest) != a.k:  # re-test the remainder alone, with the same multiplicity factor
            p = float(stats.binomial_greater([len(rest)], [N], [ref.get(cause, ref["default"])])[0])
            factor = a.p_adjusted / a.p_value if a.p_value > 0 else 1.0
            a.p_value, a.p_adjusted = p, min(1.0, p * factor)
        a.k, a.oids = len(rest), rest
        a.scope_rate = a.k / N
        a.lift = a.scope_rate / ref.get(cause, ref["default"])
        conf = stats.confidence([a.p_adjusted], [a.k], [a.lift], policy["confidence"])[0]
        a.confidence = conf if CONF_ORDER[conf] >= cap else policy["account_max_confidence"]
        heads.append(a)
    heads.sort(key=lambda c: (not (c.p_adjusted < alpha), -c.k, CONF_ORDER[c.confidence], c.p_adjusted,
                              dim_rank.get(c.dimension, 99)))
    return heads
