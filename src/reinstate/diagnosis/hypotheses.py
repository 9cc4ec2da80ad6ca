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

Ranking: significant localised hypotheses (adjusted p < alpha), then significant account-wide ones, then
the rest; within each group by defects explained, then confidence, then adjusted p.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

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
    N: int = 0  # orders in the cause's population
    K: int = 0  # defects of the cause in that population

    d: int = 0  # defects explained (= len(oids))

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


def _count_matrices(hit: np.ndarray, ev: np.ndarray, elig: np.ndarray):
    """``hit`` and ``ev`` as sparse int64 matrices (few orders carry a tag), and ``elig`` as its distinct
    columns (one per channel rule) plus each cause's column among them: summing the dense 1M x causes
    matrices per dimension was most of ``_scoped`` at 1M orders."""
    distinct: list[np.ndarray] = []
    which = np.empty(elig.shape[1], dtype=np.int64)
    for j in range(elig.shape[1]):  # a handful of columns: compare them, np.unique(axis=0) is very slow here
        same = [i for i, col in enumerate(distinct) if np.array_equal(col, elig[:, j])]
        if not same:
            distinct.append(elig[:, j])
        which[j] = same[0] if same else len(distinct) - 1
    dense = np.column_stack(distinct).astype(np.int64) if distinct else np.zeros((len(elig), 0), dtype=np.int64)
    return _sparse_counts(hit), _sparse_counts(ev), (dense, which)


def _sparse_counts(flags: np.ndarray) -> sparse.csr_matrix:
    """A boolean (orders x causes) matrix as a sparse int64 one, found from the few rows with any flag (the
    dense conversion scanned every cell of every order)."""
    some = np.flatnonzero(flags.any(axis=1))
    r, c = np.nonzero(flags[some])
    return sparse.csr_matrix((np.ones(len(r), dtype=np.int64), (some[r], c)), shape=flags.shape)


def _one_hot(codes: np.ndarray, oid: np.ndarray, n_groups: int, n_orders: int) -> sparse.csr_matrix:
    """(groups x orders) 0/1 matrix of the membership pairs: its product with an (orders x causes) count
    matrix sums every cause column per group in one pass, without gathering the rows per dimension (one
    ``np.bincount`` per cause and dimension on gathered rows was most of ``_scoped`` at 1M orders)."""
    return sparse.csr_matrix((np.ones(len(oid), dtype=np.int64), (codes, oid)), shape=(n_groups, n_orders))


def _scoped(hit, ev, elig, members, causes) -> pd.DataFrame:
    """Every (dimension value, cause) pair with >= 1 defect: defects d, tagged orders k of n, K of N
    overall, and the Fisher p-value of k/n against (K-k)/(N-n).

    ``elig[i, j]``: order i counts in the population of cause j (analysed, and on the cause's channel);
    ``ev[i, j]``: order i carries tag j (evidence, defect or not); ``hit``: ev and the order is a defect.
    """
    N = elig.sum(axis=0)
    K = ev.sum(axis=0)
    frames = []
    counts = None
    for dim, pairs in members.items():
        oid = pairs["oid"].to_numpy()
        codes, values = _codes(pairs)
        if len(values) < 2:  # one value covers everything: that is the account-wide case
            continue
        if counts is None:  # made once for every dimension
            counts = _count_matrices(hit, ev, elig)
        onehot = _one_hot(codes, oid, len(values), len(hit))
        hit_s, ev_s, (distinct, which) = counts
        d, k = ((onehot @ m).toarray().astype(np.int64) for m in (hit_s, ev_s))
        n = np.asarray(onehot @ distinct, dtype=np.int64)[:, which]
        vi, cj = np.nonzero((d > 0) & (n < N[None, :]))
        if not len(vi):
            continue
        frames.append(pd.DataFrame({"dimension": dim, "value": np.asarray(values, dtype=object)[vi],
                                    "cause": np.asarray(causes, dtype=object)[cj], "d": d[vi, cj], "k": k[vi, cj],
                                    "n": n[vi, cj], "K": K[cj], "N": N[cj], "code": vi}))
    if not frames:
        return pd.DataFrame(columns=["dimension", "value", "cause", "d", "k", "n", "K", "N", "code", "p_value"])
    out = pd.concat(frames, ignore_index=True)
    out["p_value"] = stats.fisher_greater(out["k"], out["n"], out["K"], out["N"])
    return out


_NAT = np.iinfo(np.int64).min
_DAY_NS = 86_400 * 10**9


def _event_day_ns(facts: pd.DataFrame, cause: str, policy: dict, cache: dict) -> np.ndarray:
    """``event_days`` as int64 nanoseconds (NaT = int64 min), cached per column list: the pandas version
    per cause was most of ``_periods`` at 1M orders."""
    cols = tuple(c for c in policy["event_day"].get(cause, policy["event_day"]["default"]) if c in facts.columns)
    if cols not in cache:
        day = np.full(len(facts), _NAT, dtype=np.int64)
        for c in cols:
            if c not in cache:
                cache[c] = facts[c].to_numpy(dtype="datetime64[ns]").view(np.int64)
            fill = day == _NAT
            day[fill] = cache[c][fill]
        cache[cols] = day
    return cache[cols]


def _day_index(facts: pd.DataFrame, cause: str, policy: dict, cache: dict) -> np.ndarray:
    """Each order's event day for ``cause`` as a day number from the earliest one (-1: no day), cached per
    column list: dividing the nanoseconds per cause was most of ``_periods`` at 1M orders."""
    day = _event_day_ns(facts, cause, policy, cache)
    key = ("index", id(day))
    if key not in cache:
        valid = day != _NAT
        first = day[valid].min() if valid.any() else 0
        cache[key] = (np.where(valid, (day - first) // _DAY_NS, -1), int(first))
    return cache[key]


def _periods(facts, hit, ev, elig, causes, policy, min_support) -> list[Candidate]:
    out = []
    per = policy["period"]
    cache: dict = {}
    hits = hit.sum(axis=0)
    for j, cause in enumerate(causes):
        if hits[j] < min_support:
            continue
        gday, gfirst = _day_index(facts, cause, policy, cache)
        ok = elig[:, j] & (gday >= 0)
        if not ok.any():
            continue
        # Day counts on the shared day numbers, then cut to the cause's first day (as if numbered from it).
        n_all = np.bincount(gday[ok])
        start = int(np.flatnonzero(n_all)[0])
        n_day = n_all[start:]
        k_day = np.bincount(gday[ok & ev[:, j]], minlength=len(n_all))[start:].astype(float)
        d0 = pd.Timestamp(gfirst + start * _DAY_NS, unit="ns")
        span = best_span(k_day, n_day, min_days=int(per["min_days"]), max_days=int(per["max_days"]),
                         min_support=min_support)
        if span is None:
            continue
        i0, i1, _ = span
        inside = ok & (gday >= start + i0) & (gday <= start + i1)
        k, n = int(k_day[i0:i1 + 1].sum()), int(n_day[i0:i1 + 1].sum())
        N, K = int(n_day.sum()), int(k_day.sum())
        if (inside & hit[:, j]).sum() < min_support:
            continue
        p = float(stats.fisher_greater([k], [n], [K], [N])[0])
        if per.get("bonferroni_over_starts", True):
            p = min(1.0, p * len(n_day))
        if per.get("bonferroni_over_lengths", False):
            # The best span is also the best of several lengths per start. Spans of neighbouring lengths
            # overlap almost entirely, so the lengths count as about one test per doubling of the length
            # (log2(max/min) + 1 scales, as in multi-scale scan statistics), not one per length. Without this a
            # chance run of 6 late answers in a clean account was rated high (1 of 20 null scenarios); one
            # test per length (x27) also lost a true late-answer period in the recall benchmark.
            scales = int(np.ceil(np.log2(int(per["max_days"]) / int(per["min_days"])))) + 1
            p = min(1.0, p * scales)
        c = Candidate(cause, "period", None, k, n, p, np.flatnonzero(inside & hit[:, j]),
                      d0 + pd.Timedelta(days=i0), d0 + pd.Timedelta(days=i1))
        c.d = len(c.oids)
        c.N, c.K = N, K
        out.append(c)
    return out


def _finish(c: Candidate):
    c.scope_rate = c.k / c.n if c.n else float("nan")
    if c.dimension == "account":
        return
    c.rest_rate = (c.K - c.k) / (c.N - c.n) if c.N > c.n else None
    c.lift = float(stats.lift([c.k], [c.n], [c.K], [c.N])[0])


def _codes(pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(pairs["value"])``, taken from ``memberships``' ``code`` column when present."""
    if "code" in pairs.columns and isinstance(pairs["value"].dtype, pd.CategoricalDtype):
        # Every value numbered, also those whose pairs were left out (``memberships(keep=...)``).
        return pairs["code"].to_numpy(np.int64), pairs["value"].cat.categories.to_numpy(dtype=object)
    if "code" in pairs.columns:
        codes = pairs["code"].to_numpy(np.int64)
        # Codes number values by first appearance: a value's first pair is where the running maximum rises.
        running = np.maximum.accumulate(codes) if len(codes) else codes
        first = np.flatnonzero(np.r_[True, running[1:] > running[:-1]]) if len(codes) else codes
        return codes, pairs["value"].iloc[first].to_numpy(dtype=object)
    return pd.factorize(pairs["value"], sort=False)


def _shared(a: np.ndarray, b: np.ndarray) -> int:
    """``len(np.intersect1d(a, b))`` for sorted arrays of distinct row positions (every ``Candidate.oids``
    is: np.flatnonzero or np.unique), by binary search of the smaller in the larger; ``intersect1d``
    re-sorted both for each test and was most of ``_merge`` at 1M orders."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if not len(small):
        return 0
    at = np.minimum(np.searchsorted(large, small), len(large) - 1)
    return int((large[at] == small).sum())


def _overlap(a: Candidate, b: Candidate) -> float:
    if not len(a.oids) or not len(b.oids):
        return 0.0
    return _shared(a.oids, b.oids) / min(len(a.oids), len(b.oids))


def _merge(cands: list[Candidate], policy: dict) -> list[Candidate]:
    """Nest overlapping hypotheses into one headline each (see module docstring)."""
    depth, thr = policy["depth"], float(policy["nest_overlap"])
    share = float(policy["specific_excess_share"])
    accepted: list[Candidate] = []
    for c in cands:
        for i, a in enumerate(accepted):
            if _overlap(a, c) < thr:
                # Also nest into a group whose nested hypotheses already describe these defects.
                if any(_overlap(n, c) >= thr for n in a.nested):
                    a.nested.append(c)
                    break
                continue
            if c.cause == a.cause:
                better = c.n < a.n and c.excess() >= share * a.excess()
            else:
                # A deeper cause takes the headline only if it covers most of the other's defects.
                shared = _shared(a.oids, c.oids)
                better = depth.get(c.cause, 9) < depth.get(a.cause, 9) and shared >= thr * len(a.oids)
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


def eligibility(facts: pd.DataFrame, analysed: np.ndarray, causes: list[str], policy: dict) -> np.ndarray:
    """``elig[i, j]``: order i is analysed and on the channel cause j can happen on (policy)."""
    chan = facts["fulfillment_channel"].astype("string")
    need = policy.get("eligible_channel") or {}
    # One comparison per channel named (not an object array of every order's channel).
    on = {v: chan.eq(v).fillna(False).to_numpy(bool) for v in set(need.values())}
    cols = [analysed & on[need[c]] if c in need else analysed for c in causes]
    return np.column_stack(cols) if cols else np.zeros((len(facts), 0), dtype=bool)


def build(facts: pd.DataFrame, hit: np.ndarray, analysed: np.ndarray, members: dict, causes: list[str], *,
          policy: dict, min_support: int, alpha: float, evidence: np.ndarray | None = None) -> list[Candidate]:
    """Ranked headline hypotheses (each with its nested ones) for the defects in ``hit``.

    ``hit[i, j]``: order i is an analysed defect tagged with cause j; ``analysed[i]``: order i is analysed;
    ``evidence[i, j]``: order i carries tag j, defect or not (default ``hit``). Tests compare how often
    the cause occurs (evidence) in a scope and in the rest: defects only count inside their own metric
    windows, so testing defects alone would "discover" those windows as periods.
    """
    # Only analysed orders take part in any test: everything below runs on them alone (row i here is order
    # rows[i]), and the explained orders are mapped back to row positions of ``facts`` at the end. Column
    # order (Fortran) because every step reads one cause's column at a time.
    rows = np.flatnonzero(np.asarray(analysed, dtype=bool))
    evidence = hit if evidence is None else evidence
    cols = ["fulfillment_channel", *{c for cs in policy["event_day"].values() for c in cs}]
    facts = facts[[c for c in facts.columns if c in cols]].iloc[rows].reset_index(drop=True)
    elig = np.asfortranarray(eligibility(facts, np.ones(len(rows), dtype=bool), causes, policy))
    ev = np.asfortranarray(evidence[rows] & elig)
    hit = np.asfortranarray(hit[rows] & elig)
    members = _compact_members(members, rows, len(analysed))
    if not elig.any() or not hit.any():
        return []
    heads = _build(facts, hit, ev, elig, members, causes, policy=policy, min_support=min_support, alpha=alpha)
    seen: set = set()
    for h in heads:
        for c in (h, *h.nested):
            if id(c) not in seen:
                seen.add(id(c))
                c.oids = rows[c.oids]
    return heads


def _compact_members(members: dict, rows: np.ndarray, n_orders: int) -> dict:
    """``members`` with only the pairs of orders in ``rows`` (sorted row positions), ``oid`` renumbered to
    the position in ``rows``; the value codes of all the pairs are kept (``value`` categorical)."""
    pos = np.full(n_orders, -1, dtype=np.int64)
    pos[rows] = np.arange(len(rows))
    out = {}
    for dim, pairs in members.items():
        new = pos[pairs["oid"].to_numpy()]
        kept = np.flatnonzero(new >= 0)
        if "code" in pairs.columns and isinstance(pairs["value"].dtype, pd.CategoricalDtype):
            # memberships(keep=analysed) made them: usually nothing to leave out.
            out[dim] = (pairs if len(kept) == len(pairs) else pairs.iloc[kept]).assign(oid=new[kept])
            continue
        codes, values = _codes(pairs)  # numbered over every pair, before any is left out
        out[dim] = pd.DataFrame({"oid": new[kept], "value": pd.Categorical.from_codes(codes[kept], categories=values),
                                 "code": codes[kept]})
    return out


def _build(facts, hit, ev, elig, members, causes, *, policy, min_support, alpha) -> list[Candidate]:
    table = _scoped(hit, ev, elig, members, causes)
    periods = _periods(facts, hit, ev, elig, causes, policy, min_support)
    K, Ns = ev.sum(axis=0), elig.sum(axis=0)
    ref = policy["account_reference_rate"]
    accounts = []
    for j, c in enumerate(causes):
        if K[j] > 0:
            a = Candidate(c, "account", None, int(K[j]), int(Ns[j]),
                          float(stats.binomial_greater([K[j]], [Ns[j]], [ref.get(c, ref["default"])])[0]),
                          np.flatnonzero(hit[:, j]))
            a.N, a.K, a.d = int(Ns[j]), int(K[j]), len(a.oids)
            accounts.append(a)
    singles = periods + accounts
    padj = stats.adjust(np.concatenate([table["p_value"].to_numpy(float), [c.p_value for c in singles]]),
                        policy["correction"])
    table["p_adjusted"] = padj[: len(table)]
    for c, q in zip(singles, padj[len(table):]):
        c.p_adjusted = float(q)
        _finish(c)

    # Materialise only the pairs that can be reported.
    scoped = [c for c in periods]
    keep = table[(table["d"] >= min_support) & (table["p_adjusted"] < alpha)]
    groups = {}
    for r in keep.itertuples(index=False):
        if r.dimension not in groups:
            # Pairs grouped by value once (stable, so each value's orders stay in pair order) and sliced per
            # row: a full scan of the codes per reported row was quadratic in the benchmark profile.
            pairs = members[r.dimension]
            codes = _codes(pairs)[0]
            # Stable sort; 16-bit codes take numpy's radix sort (the int64 merge sort was visible at 1M).
            by = np.argsort(codes.astype(np.uint16) if len(codes) and codes.max() < 2**16 else codes, kind="stable")
            bounds = np.searchsorted(codes[by], np.arange(codes.max() + 2 if len(codes) else 1))
            groups[r.dimension] = (pairs["oid"].to_numpy()[by], bounds)
        oid, bounds = groups[r.dimension]
        j = causes.index(r.cause)
        mine = oid[bounds[r.code]:bounds[r.code + 1]]
        c = Candidate(r.cause, r.dimension, str(r.value), int(r.k), int(r.n), float(r.p_value),
                      np.unique(mine[hit[mine, j]]))
        c.N, c.K, c.p_adjusted, c.d = int(r.N), int(r.K), float(r.p_adjusted), int(r.d)
        _finish(c)
        scoped.append(c)
    dim_rank = {d: i for i, d in enumerate([*policy["dimensions"], "period"])}
    strong = [c for c in scoped if c.d >= min_support and c.p_adjusted < alpha and (c.lift or 0) > 1]
    for c in strong:
        c.confidence = stats.confidence([c.p_adjusted], [c.d], [c.lift], policy["confidence"])[0]
    strong.sort(key=lambda c: (-c.d, CONF_ORDER[c.confidence], c.p_adjusted, dim_rank.get(c.dimension, 99)))
    heads = _merge(strong, policy)

    # Account-wide remainder per cause: tagged defects no scoped headline (or nested one) explains.
    covered = np.zeros(len(facts), dtype=bool)
    for h in heads:
        for c in (h, *h.nested):
            covered[c.oids] = True
    by_cause = {a.cause: a for a in accounts}
    cap = CONF_ORDER[policy["account_max_confidence"]]
    for j, cause in enumerate(causes):
        rest = np.flatnonzero(hit[:, j] & ~covered)
        if len(rest) < min_support:
            continue
        a = by_cause[cause]
        rate = ref.get(cause, ref["default"])
        ev_rest = int((ev[:, j] & ~covered).sum())
        if ev_rest != a.k:  # re-test the remainder alone, with the same multiplicity factor
            p = float(stats.binomial_greater([ev_rest], [a.n], [rate])[0])
            factor = a.p_adjusted / a.p_value if a.p_value > 0 else 1.0
            a.p_value, a.p_adjusted = p, min(1.0, p * factor)
        a.k, a.oids, a.d = ev_rest, rest, len(rest)
        a.scope_rate = a.k / a.n
        a.lift = a.scope_rate / rate
        conf = stats.confidence([a.p_adjusted], [a.d], [a.lift], policy["confidence"])[0]
        a.confidence = conf if CONF_ORDER[conf] >= cap else policy["account_max_confidence"]
        heads.append(a)
    # Localised significant causes first (a reviewer wants "which SKU, carrier, period"), then significant
    # account-wide ones, then the rest; within each group by defects explained, then confidence.
    heads.sort(key=lambda c: (0 if c.p_adjusted < alpha and c.dimension != "account" else
                              1 if c.p_adjusted < alpha else 2, -c.d, CONF_ORDER[c.confidence], c.p_adjusted,
                              dim_rank.get(c.dimension, 99)))
    return heads
