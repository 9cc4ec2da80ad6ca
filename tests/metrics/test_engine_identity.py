"""The metric engine gives the results of the implementation it replaced, row for row.

tests/metrics/golden/ holds, for the bundled sample and a generated US + DE data set (two time zones, both DST
changes, 200-account spread), the canonical inputs as they were loaded and what the previous pandas/numpy rule
code computed from them (see make_golden.py): per-order flags, account_health on several days, a 45-day trend.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from reinstate.dataset import Dataset
from reinstate.metrics.flags import order_flags
from reinstate.metrics.health import account_health
from reinstate.metrics.rules import ALL_METRICS
from reinstate.metrics.trend import metric_trend

GOLDEN = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(GOLDEN.parents[2] / "benchmarks"))

CASES = [("sample", "2026-11-16"), ("sample", "2026-10-01"), ("sample", "2026-09-10"),
         ("generated", "2026-03-21"), ("generated", "2026-03-29"), ("generated", "2025-11-02"),
         ("multi", "2026-03-21")]


def dataset(name: str) -> Dataset:
    if name == "multi":
        from bench_data import spread_accounts
        base = dataset("generated")
        orders, messages = spread_accounts(base.orders, base.messages, 200)
        return Dataset(orders=orders, messages=messages)
    return Dataset(orders=pd.read_parquet(GOLDEN / f"orders_{name}.parquet"),
                   messages=pd.read_parquet(GOLDEN / f"messages_{name}.parquet"))


def same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False,
                                  check_exact=True)


@pytest.mark.parametrize("name,as_of", CASES)
def test_account_health_identical(name, as_of):
    want = pd.read_parquet(GOLDEN / f"health_{name}_{as_of}.parquet")
    same(account_health(dataset(name), as_of=as_of), want)


@pytest.mark.parametrize("name,as_of", [("sample", "2026-11-16"), ("generated", "2026-03-21")])
def test_order_flags_identical(name, as_of):
    want = pd.read_parquet(GOLDEN / f"flags_{name}_{as_of}.parquet")
    got = order_flags(dataset(name).orders, as_of=as_of)
    assert list(got.columns) == list(want.columns)
    for col in want.columns:
        g, w = got[col], want[col]
        if pd.api.types.is_datetime64_any_dtype(w):
            g, w = pd.to_datetime(g).astype(w.dtype), w
        pd.testing.assert_series_equal(g.astype(object).where(g.notna(), None).reset_index(drop=True),
                                       w.astype(object).where(w.notna(), None).reset_index(drop=True),
                                       check_names=False, obj=col)


@pytest.mark.parametrize("name,as_of", [("sample", "2026-11-16"), ("generated", "2026-03-21")])
def test_trend_identical(name, as_of):
    want = pd.read_parquet(GOLDEN / f"trend_{name}_{as_of}.parquet")
    same(metric_trend(dataset(name), metric=ALL_METRICS, end=as_of, days=45), want)


def test_unknown_engine_is_a_clear_error():
    from reinstate.errors import ConfigError
    with pytest.raises(ConfigError, match="unknown engine 'polars'"):
        account_health(dataset("sample"), as_of="2026-11-16", engine="polars")
