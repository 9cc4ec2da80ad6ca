"""The same metric rules on Spark (local mode) give the DuckDB result row for row.

Runs whenever PySpark (the .[spark] extra) and Java 17+ are present; skipped with the reason otherwise. One
Spark session is shared by the whole test run (the ``spark_engine`` fixture of tests/conftest.py; it takes
~30 s to start on a busy 2-core machine).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reinstate.dataset import Dataset
from reinstate.metrics.flags import order_flags
from reinstate.metrics.health import account_health

GOLDEN = Path(__file__).resolve().parent / "golden"


def dataset(name):
    return Dataset(orders=pd.read_parquet(GOLDEN / f"orders_{name}.parquet"),
                   messages=pd.read_parquet(GOLDEN / f"messages_{name}.parquet"))


@pytest.mark.slow
@pytest.mark.parametrize("name,as_of", [("sample", "2026-11-16"), ("generated", "2026-03-29")])
def test_spark_health_equals_duckdb(spark_engine, name, as_of):
    data = dataset(name)
    duck = account_health(data, as_of=as_of, engine="duckdb")
    spark = account_health(data, as_of=as_of, engine="spark", spark_master=spark_engine)
    assert len(duck) > 10
    pd.testing.assert_frame_equal(spark, duck, check_exact=True)


@pytest.mark.slow
def test_spark_flags_equal_duckdb(spark_engine):
    orders = dataset("generated").orders  # US and DE: two zones, both DST changes in the window
    duck = order_flags(orders, as_of="2026-03-29", engine="duckdb")
    spark = order_flags(orders, as_of="2026-03-29", engine="spark", spark_master=spark_engine)
    pd.testing.assert_frame_equal(spark, duck, check_exact=True)
