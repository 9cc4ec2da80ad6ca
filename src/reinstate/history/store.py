"""The history store: one DuckDB file, one table ``snapshots``, one row per saved Account Health row.

Rules:

* A snapshot is the set of health rows of one ``as_of`` day for one (account, marketplace). Saving a day again
  replaces that day's rows for the accounts and marketplaces being saved (delete + insert in one transaction),
  so a day is never duplicated, and saving account B never removes account A's rows of the same day (batch
  saves one account at a time).
* DuckDB lets one process at a time open a file for writing. Every operation opens the file, does its work
  in one transaction and closes it at once, and an open that finds the file locked by another process is
  retried with a growing, jittered pause for up to ``LOCK_TIMEOUT`` seconds, so two processes saving at the
  same time both succeed, one after the other.
* The default file is ``reinstate-history.duckdb`` in the user's folder (``reinstate.paths.home()``), or the
  path in ``REINSTATE_STORE``.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from ..paths import home

STORE_NAME = "reinstate-history.duckdb"
LOCK_TIMEOUT = 60.0  # seconds to keep retrying a store locked by another process

KEY = ["account", "marketplace", "metric", "channel", "window_days"]
SNAPSHOT_COLUMNS = ["as_of", *KEY, "window_start", "window_end", "numerator", "denominator", "rate", "target",
                    "condition", "status", "note", "saved_at"]
COMPARE_COLUMNS = [*KEY, "rate_1", "rate_2", "delta", "status_1", "status_2"]

_DDL = """
CREATE TABLE IF NOT EXISTS snapshots (
    as_of        DATE NOT NULL,
    account      VARCHAR NOT NULL,
    marketplace  VARCHAR NOT NULL,
    metric       VARCHAR NOT NULL,
    channel      VARCHAR NOT NULL,
    window_days  INTEGER NOT NULL,
    window_start DATE,
    window_end   DATE,
    numerator    BIGINT,
    denominator  BIGINT,
    rate         DOUBLE,
    target       DOUBLE,
    condition    VARCHAR,
    status       VARCHAR,
    note         VARCHAR,
    saved_at     TIMESTAMP NOT NULL
)"""


def default_store() -> Path:
    """``REINSTATE_STORE`` if set, else ``<home>/reinstate-history.duckdb``."""
    env = os.environ.get("REINSTATE_STORE")
    return Path(env).expanduser() if env else home() / STORE_NAME


def _is_lock_error(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


@contextmanager
def _connect(path: Path, *, read_only: bool = False, timeout: float = LOCK_TIMEOUT):
    """A connection to the store, retried while another process holds the file's lock; closed on exit."""
    import duckdb

    deadline = time.monotonic() + timeout
    pause = 0.02
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                raise ConfigError(f"{path}: cannot open the history store ({exc})") from exc
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 1.0)
        except duckdb.Error as exc:
            raise ConfigError(f"{path}: not a readable history store ({exc})") from exc
    try:
        yield con
    finally:
        con.close()


def _day(value, what: str) -> dt.date:
    from ..metrics.windows import to_day
    return to_day(value, what)


def save_snapshot(health: pd.DataFrame, as_of, *, store=None) -> int:
    """Save ``health`` (an ``account_health`` frame) as the snapshot of ``as_of``; returns the rows saved.

    Rows already stored for that day and the same (account, marketplace) pairs are replaced.
    """
    as_of = _day(as_of, "as_of")
    path = Path(store) if store is not None else default_store()
    path.parent.mkdir(parents=True, exist_ok=True)
    missing = [c for c in SNAPSHOT_COLUMNS if c not in ("as_of", "saved_at") and c not in health.columns]
    if missing:
        raise ConfigError(f"cannot save a snapshot: health rows lack {', '.join(missing)}")
    rows = pd.DataFrame({
        "as_of": pd.Series([as_of] * len(health), dtype="object"),
        **{c: health[c].astype(object).where(health[c].notna(), None).to_numpy()
           for c in ("account", "marketplace", "metric", "channel", "condition", "status", "note")},
        "window_days": health["window_days"].astype("int64").to_numpy(),
        "window_start": pd.to_datetime(health["window_start"]).dt.date.to_numpy(),
        "window_end": pd.to_datetime(health["window_end"]).dt.date.to_numpy(),
        "numerator": health["numerator"].astype("int64").to_numpy(),
        "denominator": health["denominator"].astype("int64").to_numpy(),
        "rate": health["rate"].astype(float).to_numpy(),
        "target": health["target"].astype(float).to_numpy(),
    })
    rows["saved_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    rows["account"] = rows["account"].astype(str)
    rows["marketplace"] = rows["marketplace"].astype(str)
    rows = rows[SNAPSHOT_COLUMNS]
    pairs = rows[["account", "marketplace"]].drop_duplicates()
    with _connect(path) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(_DDL)
            con.register("new_rows", rows)
            con.register("new_pairs", pairs)
            con.execute("DELETE FROM snapshots WHERE as_of = ? AND (account, marketplace) IN "
                        "(SELECT account, marketplace FROM new_pairs)", [as_of])
            con.execute(f"INSERT INTO snapshots SELECT {', '.join(SNAPSHOT_COLUMNS)} FROM new_rows")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return len(rows)


def _filters(account, marketplace, metric) -> tuple[str, list]:
    where, params = [], []
    for col, want in (("account", account), ("marketplace", marketplace), ("metric", metric)):
        if want is not None:
            values = [want] if isinstance(want, str) else list(want)
            if col == "marketplace":
                values = [str(v).upper().replace("GB", "UK") for v in values]
            where.append(f"{col} IN ({', '.join('?' * len(values))})")
            params += values
    return (" AND ".join(where) if where else "TRUE"), params


def _read(store, sql: str, params: list) -> pd.DataFrame:
    path = Path(store) if store is not None else default_store()
    if not path.is_file():
        raise ConfigError(f"{path}: no history store (save one with `reinstate metrics DATA --as-of D --save`)")
    with _connect(path, read_only=True) as con:
        if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'snapshots'"
                           ).fetchone()[0]:
            raise ConfigError(f"{path}: not a reinstate history store (no snapshots table)")
        return con.execute(sql, params).df()


_ORDER = ("ORDER BY as_of, account, marketplace, metric, channel, window_days")


def snapshots(*, store=None, account=None, marketplace=None, metric=None, as_of=None) -> pd.DataFrame:
    """Saved rows (``SNAPSHOT_COLUMNS``), oldest day first; each filter is a value or a list."""
    where, params = _filters(account, marketplace, metric)
    if as_of is not None:
        where += " AND as_of = ?"
        params.append(_day(as_of, "as_of"))
    frame = _read(store, f"SELECT {', '.join(SNAPSHOT_COLUMNS)} FROM snapshots WHERE {where} {_ORDER}", params)
    return frame[SNAPSHOT_COLUMNS]


def compare(day_1, day_2, *, store=None, account=None, marketplace=None, metric=None) -> pd.DataFrame:
    """Each metric row on ``day_1`` beside the same row on ``day_2`` (``COMPARE_COLUMNS``).

    ``delta`` = rate_2 - rate_1 (null when either is). A row present on one day only keeps nulls for the other.
    """
    d1, d2 = _day(day_1, "--compare first day"), _day(day_2, "--compare second day")
    where, params = _filters(account, marketplace, metric)
    keys = ", ".join(KEY)
    sql = f"""
        WITH s AS (SELECT * FROM snapshots WHERE {where}),
             a AS (SELECT {keys}, rate, status FROM s WHERE as_of = ?),
             b AS (SELECT {keys}, rate, status FROM s WHERE as_of = ?)
        SELECT {', '.join(f'coalesce(a.{k}, b.{k}) AS {k}' for k in KEY)},
               a.rate AS rate_1, b.rate AS rate_2, b.rate - a.rate AS delta,
               a.status AS status_1, b.status AS status_2
        FROM a FULL OUTER JOIN b USING ({keys})
        ORDER BY account, marketplace, metric, channel, window_days"""
    frame = _read(store, sql, params + [d1, d2])
    return frame[COMPARE_COLUMNS]
