"""Spark input: the canonical order table read from an existing Spark table or view gives the DuckDB result on
the same orders loaded from files (local mode; skipped with the reason when PySpark or Java 17+ is missing)."""
from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest

import reinstate
from reinstate.cli import main
from reinstate.dataset import Dataset
from reinstate.errors import ConfigError
from reinstate.metrics.contract import health_to_json
from reinstate.paths import SAMPLE_DIR

AS_OF = "2026-11-16"


@pytest.fixture(scope="module")
def sample():
    return reinstate.load(SAMPLE_DIR)


@pytest.fixture(scope="module")
def orders_view(spark_engine, sample):
    """The sample's canonical order table as a Spark temporary view (what a warehouse table would hold)."""
    from reinstate.engine import spark_session
    session = spark_session(spark_engine)
    session.createDataFrame(pa.Table.from_pandas(sample.orders, preserve_index=False)) \
        .createOrReplaceTempView("sample_orders")
    return "sample_orders"


@pytest.mark.slow
def test_health_from_a_spark_table_equals_duckdb_on_the_files(spark_engine, orders_view, sample):
    a = reinstate.analyze(table=orders_view, engine="spark", spark_master=spark_engine, as_of=AS_OF)
    pd.testing.assert_frame_equal(a.data.orders, sample.orders, check_exact=True)  # nothing lost on the way
    assert a.data.rejects.empty and a.data.files[0].rows_read == len(sample.orders)
    duck = reinstate.account_health(Dataset(orders=sample.orders), as_of=AS_OF, engine="duckdb")
    got = a.health()
    assert len(got) > 10 and got["numerator"].sum() > 0
    pd.testing.assert_frame_equal(got, duck, check_exact=True)


@pytest.mark.slow
def test_cli_table_option(spark_engine, orders_view, sample, capsys):
    code = main(["metrics", "--table", orders_view, "--engine", "spark", "--spark-master", spark_engine,
                 "--as-of", AS_OF, "--json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    duck = reinstate.account_health(Dataset(orders=sample.orders), as_of=AS_OF)
    assert doc == json.loads(json.dumps(health_to_json(duck, pd.Timestamp(AS_OF).date())))


@pytest.mark.slow
def test_a_missing_table_is_a_clear_error(spark_engine, capsys):
    with pytest.raises(ConfigError, match="Spark table 'no_such_table' not found"):
        reinstate.analyze(table="no_such_table", engine="spark", spark_master=spark_engine)
    assert main(["metrics", "--table", "no_such_table", "--spark-master", spark_engine, "--as-of", AS_OF]) == 2
    err = capsys.readouterr().err
    assert "no_such_table" in err and "Traceback" not in err


def test_a_table_needs_the_spark_engine():
    with pytest.raises(ConfigError, match="Spark engine"):
        reinstate.analyze(table="anything", engine="duckdb")
