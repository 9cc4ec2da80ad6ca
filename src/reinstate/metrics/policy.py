"""Targets, conditions and statuses: policy read from ``src/reinstate/policy/reference/targets.csv``.

The table has one row per (marketplace, metric); ``*`` is the default for every marketplace and a row for a
specific marketplace overrides it (e.g. IN cancel rate < 2%, US OTDR >= 90%).

Status rules (project choices where Amazon is silent, see docs/metrics.md):

* ``breached``: the condition fails (ODR 1.0% against "< 1%" is breached).
* ``at_risk``: the condition holds but the rate has gone ``margin`` (default 0.8) of the way from perfect
  (0% for lower-is-better, 100% for higher-is-better) to the target: ODR >= 0.8%, VTR <= 96%.
* ``no_data``: no denominator (or the needed columns are absent).
* ``good``: otherwise.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..paths import REFERENCE_DIR

CONDITIONS = ("<", "<=", ">", ">=")
STATUS_ORDER = ("no_data", "good", "at_risk", "breached")  # worst last
DEFAULT_MARGIN = 0.8
_EPS = 1e-12  # rates are ratios of small integers; absorb float noise at the at-risk boundary


@lru_cache(maxsize=None)
def _read(path: str) -> pd.DataFrame:
    table = pd.read_csv(path, dtype={"marketplace": str, "metric": str, "condition": str})
    missing = {"marketplace", "metric", "target", "condition"} - set(table.columns)
    if missing:
        raise ConfigError(f"{path}: missing column(s) {', '.join(sorted(missing))} "
                          "(expected marketplace, metric, target, condition)")
    for i, cond in enumerate(table["condition"], start=2):
        if cond not in CONDITIONS:
            raise ConfigError(f"{path}, line {i}, column 'condition': '{cond}' (expected one of < <= > >=)")
    return table


def targets(path=None) -> pd.DataFrame:
    """The targets table (marketplace, metric, target, condition, source)."""
    return _read(str(path or REFERENCE_DIR / "targets.csv")).copy()


@lru_cache(maxsize=None)
def _lookup(path: str) -> dict:
    table = _read(path)
    return {(m, r): (float(t), c) for m, r, t, c in
            table[["marketplace", "metric", "target", "condition"]].itertuples(index=False)}


def target_of(marketplace: str, metric: str, *, path=None) -> tuple[float, str]:
    """(target, condition) for one marketplace and metric; a marketplace row beats the ``*`` default."""
    table = _lookup(str(path or REFERENCE_DIR / "targets.csv"))
    hit = table.get((str(marketplace), metric)) or table.get(("*", metric))
    return hit if hit is not None else (float("nan"), None)


def attach_targets(frame: pd.DataFrame, *, path=None) -> pd.DataFrame:
    """Add ``target`` and ``condition`` columns to a frame with ``marketplace`` and ``metric`` columns."""
    # Look up each distinct (marketplace, metric) pair once, then spread by integer codes (frames can be large).
    pairs = pd.MultiIndex.from_arrays([frame["marketplace"].astype(object).to_numpy(),
                                       frame["metric"].astype(object).to_numpy()])
    codes, uniques = pairs.factorize()
    looked = [target_of(m, r, path=path) for m, r in uniques]
    target = np.array([t for t, _ in looked], dtype=float)
    condition = np.array([c for _, c in looked], dtype=object)
    out = frame.copy()
    out["target"] = target[codes] if len(codes) else np.array([], float)
    out["condition"] = condition[codes] if len(codes) else np.array([], object)
    return out


def status_of(rate, target, condition, *, margin: float = DEFAULT_MARGIN) -> np.ndarray:
    """Vectorised status for arrays of rate (NaN = no data), target and condition."""
    rate = np.asarray(rate, dtype=float)
    target = np.asarray(target, dtype=float)
    condition = np.asarray(condition, dtype=object)
    if not 0 < margin <= 1:
        raise ConfigError(f"margin {margin}: expected a fraction in (0, 1]")
    lower = np.isin(condition, ("<", "<="))
    ok = np.select(
        [condition == "<", condition == "<=", condition == ">", condition == ">="],
        [rate < target, rate <= target, rate > target, rate >= target], default=False)
    warn_lower = rate >= margin * target - _EPS
    warn_upper = rate <= 1 - margin * (1 - target) + _EPS
    at_risk = np.where(lower, warn_lower, warn_upper)
    status = np.where(ok, np.where(at_risk, "at_risk", "good"), "breached")
    return np.where(np.isnan(rate) | np.isnan(target), "no_data", status).astype(object)


def worst_status(statuses) -> str:
    """The worst of several statuses (breached > at_risk > good > no_data)."""
    ranks = [STATUS_ORDER.index(s) for s in statuses]
    return STATUS_ORDER[max(ranks)] if ranks else "no_data"
