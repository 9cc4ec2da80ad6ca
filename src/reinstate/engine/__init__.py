"""Where the metric rules run: an Ibis backend, DuckDB in-process by default, PySpark when asked.

The rules themselves are Ibis expressions (``engine.facts``); this module only connects to a backend and
supplies the two things that are spelled differently per backend (UTC -> local time). One connection per
(engine, master) is kept for the process, so a Spark session starts once.

    backend("duckdb")                         # in-process, no set-up
    backend("spark")                          # local[*], or REINSTATE_SPARK_MASTER
    backend("spark", spark_master="spark://host:7077")
"""

import os
from functools import cache, lru_cache

from ..errors import ConfigError

ENGINES = ("duckdb", "spark")
DEFAULT_ENGINE = "duckdb"


def resolve(engine: "str | None") -> str:
    """The engine name to use (default duckdb); a clear error for an unknown one."""
    name = (engine or DEFAULT_ENGINE).lower()
    if name not in ENGINES:
        raise ConfigError(f"unknown engine '{engine}' (expected {' or '.join(ENGINES)})")
    return name


def spark_master(master: str | None = None) -> str:
    """``master``, else ``REINSTATE_SPARK_MASTER``, else ``local[*]`` (Spark on this machine)."""
    return master or os.environ.get("REINSTATE_SPARK_MASTER") or "local[*]"


def backend(engine: str | None = None, *, spark_master: str | None = None):
    """The Ibis backend for ``engine`` (kept for the process)."""
    name = resolve(engine)
    if name == "duckdb":
        return _duckdb()
    return _spark(globals()["spark_master"](spark_master))


@lru_cache(maxsize=1)
def _duckdb():
    import ibis

    # Timestamps are compared and converted in UTC whatever the machine's zone.
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")
    return con


@cache
def _spark(master: str):
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError("--engine spark needs PySpark: pip install 'reinstate[spark]' (and Java 17+)") from exc
    import ibis

    session = (SparkSession.builder.master(master).appName("reinstate")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .getOrCreate())
    return ibis.pyspark.connect(session)


def spark_session(master: str | None = None):
    """The SparkSession behind ``backend("spark")`` (to read an existing table, or to stop it)."""
    return backend("spark", spark_master=master)._session


_VIEWS = iter(range(1, 1 << 62))


def arrow_table(con, table):
    """A pyarrow ``table`` as an Ibis table expression on ``con``.

    DuckDB: ``ibis.memtable``. Spark: a temporary view made from the Arrow table itself (PySpark 4 reads
    Arrow); Ibis' own upload goes through pandas, where a missing string becomes NaN and then a non-null
    value on Spark, which turned every order into an A-to-z claim."""
    import ibis

    if con.name != "pyspark":
        return ibis.memtable(table)
    name = f"reinstate_input_{next(_VIEWS)}"
    con._session.createDataFrame(table).createOrReplaceTempView(name)
    return con.table(name)


def local_time(con, timestamp, zone):
    """UTC ``timestamp`` -> wall-clock time in IANA ``zone`` (an Ibis string expression), per backend."""
    return _local_time_udf(con.name)(zone, timestamp) if con.name == "duckdb" else \
        _local_time_udf(con.name)(timestamp, zone)


@cache
def _local_time_udf(name: str):
    import ibis
    import ibis.expr.datatypes as dt

    if name == "duckdb":
        @ibis.udf.scalar.builtin(name="timezone")
        def to_local(zone: str, ts: dt.Timestamp(timezone="UTC")) -> dt.Timestamp():
            """DuckDB: timezone(zone, timestamptz) is the wall-clock time there."""
        return to_local
    if name == "pyspark":
        @ibis.udf.scalar.builtin(name="from_utc_timestamp")
        def to_local(ts: dt.Timestamp(timezone="UTC"), zone: str) -> dt.Timestamp():
            """Spark: from_utc_timestamp(ts, zone) shifts a UTC instant to the zone's wall clock."""
        return to_local
    raise ConfigError(f"no local-time function for backend '{name}'")
