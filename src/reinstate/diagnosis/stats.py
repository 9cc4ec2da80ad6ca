"""Significance for small counts, multiple-comparison correction and confidence levels (vectorised).

``fisher_greater(k, n, K, N)`` is the one-sided Fisher exact test of "the scope has a higher rate than the
rest": with N orders of which K carry the cause, the chance that a scope of n orders holds k or more of
them. It is the hypergeometric upper tail, identical to ``scipy.stats.fisher_exact(alternative="greater")``
on the table [[k, n-k], [K-k, N-n-K+k]], but computed for every (cause, scope) pair at once.
"""
from __future__ import annotations

import numpy as np
from scipy import stats


def fisher_greater(k, n, K, N) -> np.ndarray:
    """One-sided Fisher exact p-values (scope rate > rest rate), elementwise."""
    k, n, K, N = (np.asarray(x, dtype="int64") for x in (k, n, K, N))
    return np.clip(stats.hypergeom.sf(k - 1, N, K, n), 0.0, 1.0)


def binomial_greater(k, n, p) -> np.ndarray:
    """One-sided binomial p-values P(X >= k) for X ~ Bin(n, p), elementwise."""
    k, n = np.asarray(k, dtype="int64"), np.asarray(n, dtype="int64")
    return np.clip(stats.binom.sf(k - 1, n, np.asarray(p, dtype=float)), 0.0, 1.0)


def adjust(p, method: str = "fdr_bh") -> np.ndarray:
    """Benjamini-Hochberg (``fdr_bh``) or Holm (``holm``) adjusted p-values; NaN stays NaN."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if not ok.any():
        return out
    if method == "fdr_bh":
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    elif method == "holm":
        q = p[ok]
        m = len(q)
        order = np.argsort(q)
        stepped = np.maximum.accumulate((m - np.arange(m)) * q[order])
        res = np.empty(m)
        res[order] = np.minimum(stepped, 1.0)
        out[ok] = res
    else:
        raise ValueError(f"unknown correction '{method}' (expected fdr_bh or holm)")
    return out


def lift(k, n, K, N) -> np.ndarray:
    """Scope rate / rest rate; a rest with no case counts as half a case (so the lift stays finite)."""
    k, n, K, N = (np.asarray(x, dtype=float) for x in (k, n, K, N))
    scope = np.divide(k, n, out=np.zeros_like(k), where=n > 0)
    rest_k = np.where(K - k > 0, K - k, 0.5)
    rest = np.divide(rest_k, N - n, out=np.full_like(k, np.nan), where=(N - n) > 0)
    return np.divide(scope, rest, out=np.full_like(k, np.nan), where=rest > 0)


def confidence(p_adjusted, defects, lift_, rules: dict) -> np.ndarray:
    """'high' / 'medium' / 'low' from the policy thresholds (all three conditions of a level must hold)."""
    p = np.nan_to_num(np.asarray(p_adjusted, dtype=float), nan=1.0)
    d = np.asarray(defects, dtype=float)
    lf = np.nan_to_num(np.asarray(lift_, dtype=float), nan=0.0)
    out = np.full(len(p), "low", dtype=object)
    for level in ("medium", "high"):
        r = rules[level]
        hit = (p < r["p_adjusted"]) & (d >= r["min_defects"]) & (lf >= r["min_lift"])
        out[hit] = level
    return out
