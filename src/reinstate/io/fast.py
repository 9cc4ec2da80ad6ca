"""The fast path for one canonical orders CSV that is already in normal form: DuckDB reads the file, a
normal-form gate decides whether the careful loader would leave every value as it is, and the per-order metric
facts are computed by the engine's rules (``engine.facts``) on the DuckDB relation, never in pandas.

    src = fast_source("orders.csv")            # None: not a candidate (then reinstate.load, as always)
    flags = src.flags(as_of)                   # None: the gate refused the file (then reinstate.load)

The gate is not a second validator. ``reinstate.load`` stays the one definition of coercion, validation and
rejects; the gate only answers "is every value already in the form the loader would leave unchanged, and is
there nothing it would reject or warn about?" (``GATE`` lists the conditions). Anything else, a single
timestamp without an offset, "canceled", "1.0" in an integer column, an unknown or repeated header, a duplicate
row, an order whose order-level fields disagree, a short row, a BOM, a stray byte, sends the whole load to
``reinstate.load``, so rejects, warnings and messages are exactly those of today. The identity tests
(``tests/io/test_fast_identity.py``) check both paths give the same health on the sample, the golden data, a
multi-marketplace set with DST days and every file of the hostile corpus.

Only these inputs are candidates: exactly one ``.csv`` file (no folder, no compression, no other export beside
it), comma-separated, a plain ASCII header of canonical order column names that includes ``account`` and
``marketplace``. The file is read once, streaming: per row the gate's value checks and hashes of every column
and the typed columns the rules need; one aggregation by order (the item rules, each order's first-row values,
the gate's per-order checks); the order rules; and only one row per order of facts comes back (Arrow, then a
compact pandas frame: categorical keys, booleans, day stamps) for the window counts of ``account_health``.

The order-level consistency check compares 64-bit hashes of an order's raw values rather than the values
themselves (holding every order's every field at once is what the fast path avoids): a disagreement could pass
the gate only if two different rows of one order had equal hashes (about 1 in 2^64 per pair); orders are
grouped by a 64-bit hash of their key, and a second, independent hash must agree within each group. A hash
collision in the duplicate check can only send a file to the careful loader.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..reference import marketplaces, timezone_of
from . import schema

ORDER_COLUMNS = tuple(c.name for c in schema.COLUMNS) + ("item_status",)
KEY = ("account", "marketplace", "order_id")
ORDER_LEVEL = tuple(c.name for c in schema.COLUMNS if c.order_level and c.name not in KEY)
ITEM_LEVEL = tuple(c.name for c in schema.COLUMNS if not c.order_level) + ("item_status",)
REQUIRED = (*schema.REQUIRED, "account", "marketplace")
SEP = "\x1f"  # stands for a missing category while the first one is picked (the gate refuses it in a value)
PARSED = "_ts_"  # prefix of each timestamp column's parsed value in the reading query
CODE = "_code_"  # prefix of an enumeration's code (its position in the canonical spellings)
ENCODED = ("marketplace", "fulfillment_channel", "order_status", "claim_status", "chargeback_type",
           "chargeback_outcome")

# The normal form of a timestamp: ISO 8601 to the second with an offset (25 characters, every field at full
# width, read by DuckDB's strict strptime), in 1900-2199 UTC: what the loader's strict pyarrow cast reads as
# the same instant.
STRPTIME = "'%Y-%m-%dT%H:%M:%S%z'"
# A first or last character str.strip() would remove (white space, Unicode's too), or a control character.
EDGE_SPACE_RE = r"^[\s\p{Z}\p{Cc}]|[\s\p{Z}\p{Cc}]$"
# The text columns the metrics read (their values, or whether there is one). The loader strips the others
# too, but a space there changes no health figure: rows are compared for duplicates before stripping (as
# here), and an order-level value that differs only by a space disagrees here (the raw values' hashes differ),
# which sends the file to the loader.
READ_STRINGS = ("order_id", "account", "product_category", "tracking_id")

# DuckDB settings for the fast path: stream and aggregate within a bounded memory, spilling to a temp folder
# (never the analyst's folder).
MEMORY_LIMIT = os.environ.get("REINSTATE_DUCKDB_MEMORY", "512MB")
BATCH_ROWS = 1 << 20  # per-order facts come back in batches of this many orders


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _kind(name: str) -> str:
    if name == "item_status":
        return "enum_order_status"
    return schema.BY_NAME[name].kind


def _enum_values(name: str) -> tuple[str, ...]:
    if name == "marketplace":
        return tuple(marketplaces().index)
    return tuple(schema.ENUMS["order_status" if name == "item_status" else name])


def value_rules(columns) -> list[tuple[str, str]]:
    """(description, SQL condition true when every value of that column is in normal form) per check."""
    rules = []
    for name in columns:
        col = _q(name)
        kind = _kind(name)
        present = f"{col} IS NULL OR "
        if name in REQUIRED:
            rules.append((f"{name}: a value on every row", f"{col} IS NOT NULL"))
            present = ""
        if kind == "string" and name in READ_STRINGS:  # the other kinds' rules below admit no space at all
            rules.append((f"{name}: no surrounding space",
                          f"{present}NOT regexp_matches({col}, {_lit(EDGE_SPACE_RE)})"))
        if kind == "timestamp":
            # DuckDB's strptime of exactly YYYY-MM-DDTHH:MM:SS+HH:MM: 25 characters with the offset's sign at
            # the 20th leave every field its full width; and a UTC year in 1900-2199. pyarrow's ISO cast (the
            # loader's) reads such a value as the same instant.
            rules.append((f"{name}: ISO 8601 with an offset",
                          (f"{present}(length({col}) = 25 AND substr({col}, 20, 1) IN ('+', '-') "
                           f"AND {_q(PARSED + name)} >= TIMESTAMPTZ '1900-01-01 00:00:00+00' "
                           f"AND {_q(PARSED + name)} < TIMESTAMPTZ '2200-01-01 00:00:00+00')")))
        elif kind in ("enum", "enum_order_status"):
            values = ", ".join(_lit(v) for v in _enum_values(name))
            rules.append((f"{name}: a canonical spelling", f"{present}{col} IN ({values})"))
        elif kind == "int":
            low, high = (1, 5) if name == "feedback_rating" else (0, schema.MAX_QUANTITY)
            rules.append((f"{name}: a plain integer in {low}..{high}",
                          (f"{present}(regexp_full_match({col}, '[0-9]{{1,5}}') "
                           f"AND TRY_CAST({col} AS BIGINT) BETWEEN {low} AND {high})")))
        elif kind == "bool":
            rules.append((f"{name}: true or false", f"{present}{col} IN ('true', 'false')"))
        if name == "tracking_id":
            rules.append(("tracking_id: not in scientific notation",
                          f"{present}NOT regexp_matches({col}, {_lit(schema.MANGLED_TRACKING_RE)})"))
    return rules


GATE = """Every condition that lets a file take the fast path (the module docstring says why): one .csv file,
comma-separated, an ASCII header of distinct canonical order columns with the required ones and account and
marketplace, no NUL byte at the start, at least one row, no reader error (every row has the header's fields,
valid UTF-8), every value in normal form (``value_rules``), no two rows equal in every column, and every
order-level column the same on every row of an order."""


def read_header(path: Path) -> list[str] | None:
    """The header's column names when the file looks like a canonical orders CSV in normal form, else None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return None
    if b"\x00" in head or b"\n" not in head:
        return None
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    if not line.isascii() or b'"' in line or b"\t" in line or b";" in line:
        return None
    names = line.decode("ascii").split(",")
    if len(set(names)) != len(names) or not set(names) <= set(ORDER_COLUMNS) or not set(REQUIRED) <= set(names):
        return None
    return names


@lru_cache(maxsize=1)
def _connection():
    """The fast path's own in-process DuckDB (its memory limit and settings leave the engine's alone)."""
    import ibis

    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")  # timestamps are compared and converted in UTC, as on the engine
    con.raw_sql(f"SET memory_limit = {_lit(MEMORY_LIMIT)}")
    con.raw_sql(f"SET temp_directory = {_lit(str(Path(tempfile.gettempdir()) / 'reinstate-duckdb'))}")
    con.raw_sql("SET preserve_insertion_order = true")  # row_number() OVER () is the file's row order
    return con


@dataclass
class FastSource:
    """One canonical orders CSV read by DuckDB. ``flags(as_of)`` is None when the gate refuses the file."""
    path: Path
    columns: list[str]
    marketplace: str = "US"
    _gate: bool | None = None
    _flags: dict = field(default_factory=dict)

    def _scan(self) -> str:
        cols = "{" + ", ".join(f"{_lit(c)}: 'VARCHAR'" for c in self.columns) + "}"
        return (f"read_csv({_lit(str(self.path))}, header = true, auto_detect = false, columns = {cols}, "
                f"delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
                f"ignore_errors = false, encoding = 'utf-8')")

    @property
    def view(self) -> str:
        return f"reinstate_fast_{id(self)}"

    def gate(self, as_of: dt.date | None = None) -> bool:
        """True when every row and value is in normal form (see ``GATE``). The gate is computed in the same
        pass as the facts (of ``as_of``, default today), so asking for it reads the file once."""
        if self._gate is None:
            self.flags(as_of or dt.date.today())
        return bool(self._gate)

    def flags(self, as_of: dt.date):
        """The per-order facts ``account_health`` counts (one row per order), or None when the gate refuses."""
        if self._gate is False:
            return None
        if as_of not in self._flags:
            flags = self._facts(as_of)
            self._gate = flags is not None
            if flags is None:
                return None
            self._flags[as_of] = flags
        return self._flags[as_of]

    def stub(self):
        """A ``Dataset`` with no rows and the columns the loaded table would have (what ``account_health``
        checks for missing inputs)."""
        import pandas as pd

        from ..dataset import Dataset
        cols = [c for c in (c.name for c in schema.COLUMNS) if c in self.columns] + \
            [c for c in self.columns if c not in schema.BY_NAME]
        return Dataset(orders=pd.DataFrame({c: pd.Series(dtype=schema.dtype_of(c) or "string") for c in cols}))

    def close(self) -> None:
        """Forget the cached facts and drop the DuckDB view."""
        self._flags.clear()
        _connection().raw_sql(f"DROP VIEW IF EXISTS {self.view}")

    def _rows(self, con) -> None:
        """The file as a DuckDB view, one row per item row in file order (``_row``, so an order's first item
        row is its smallest ``_row``, as in ``order_flags``): the columns the rules need, typed; whether every
        value of the row is in normal form (``_ok``); hashes of its order-level and item-level values."""
        from ..engine.facts import HEAD_COLUMNS, ITEM_COLUMNS

        has = set(self.columns).__contains__
        rules = " AND ".join(f"({sql})" for _, sql in value_rules(self.columns))
        order_cols = [c for c in ORDER_LEVEL if has(c)]
        item_cols = [c for c in ITEM_LEVEL if has(c)]
        h_order = f"hash({', '.join(map(_q, order_cols))})" if order_cols else "0"
        h_item = f"hash({', '.join(map(_q, item_cols))})" if item_cols else "0"
        key = ", ".join(map(_q, KEY))

        def typed(name: str) -> str:
            col = _q(name)
            if _kind(name) == "timestamp":
                return f"epoch_ns({_q(PARSED + name)}) AS {col}"
            if name in ("quantity", "feedback_rating"):
                return f"TRY_CAST({col} AS BIGINT) AS {col}"
            if name in ("tracking_valid", "feedback_removed"):
                return f"TRY_CAST({col} AS BOOLEAN) AS {col}"
            if name == "tracking_id":  # the rules only ask whether there is one
                return f"CASE WHEN {col} IS NULL THEN NULL ELSE '' END AS {col}"
            return col

        needed = [c for c in dict.fromkeys(["account", "marketplace", "fulfillment_channel", "product_category", *ITEM_COLUMNS,
                                            *HEAD_COLUMNS]) if has(c)]
        # Enumerations reach the aggregation as small codes (a state per order of one byte, not a string):
        # at 10M orders the aggregation's states are what spills.
        codes = "".join(f", CASE {_q(c)} {' '.join(f'WHEN {_lit(v)} THEN {i}' for i, v in enumerate(_enum_values(c)))}"
                        f" END::UTINYINT AS {_q(CODE + c)}" for c in ENCODED if has(c))
        parsed = "".join(f", try_strptime({_q(c)}, {STRPTIME}) AS {_q(PARSED + c)}"
                         for c in self.columns if _kind(c) == "timestamp")
        # row_number() OVER () numbers the rows as the reader delivers them, in file order (DuckDB keeps the
        # insertion order; the identity tests check the first item row's category).
        con.raw_sql(f"""CREATE OR REPLACE TEMP VIEW {self.view} AS
            SELECT row_number() OVER () AS _row, coalesce({rules}, false) AS _ok, {h_order} AS _ho,
                   ({h_item} % 4294967296)::BIGINT AS _hi, hash({key}) AS _key, hash({key}, 'reinstate') AS _key2,
                   {', '.join(typed(c) for c in needed)}{codes}
            FROM (SELECT *{parsed} FROM {self._scan()})""")

    def _facts(self, as_of: dt.date):
        """One pass: group the rows by order once (the item rules, each order's first-row values and the
        gate's per-order checks in one aggregation), then the order rules; None when the gate refuses."""
        import duckdb
        import ibis
        import pyarrow.compute as pc

        from ..engine.facts import (
            DAY_SOURCES,
            FACT_COLUMNS,
            HEAD_COLUMNS,
            head_facts,
            item_facts,
        )

        con = _connection()
        has = set(self.columns).__contains__
        self._rows(con)
        rows = con.table(self.view)
        head_names = [c for c in HEAD_COLUMNS if has(c) and c != "marketplace"]
        # One aggregation by order. Order-level values agree on every row (the gate checks it), so any row's
        # will do; the category is the first item row's (missing included), as in order_flags. The duplicate
        # check, exact for orders of up to 3 rows from the min, max and sum of their item hashes (the middle
        # one is sum - min - max): two rows of an order are equal in every column only if their item hashes
        # are; larger orders are checked by a query of their own (``_duplicates``).
        encoded = [c for c in ENCODED if has(c)]
        same = {(CODE + c if c in encoded else c): (lambda t, c=(CODE + c if c in encoded else c): t[c].arbitrary())
                for c in ["account", "marketplace", "fulfillment_channel", *head_names]}
        gate = {"_ok": lambda t: t._ok.all(), "_n": lambda t: t.count(), "_lo": lambda t: t._ho.min(),
                "_hi_o": lambda t: t._ho.max(), "_k_lo": lambda t: t._key2.min(), "_k_hi": lambda t: t._key2.max(),
                "_h_min": lambda t: t._hi.min(), "_h_max": lambda t: t._hi.max(), "_h_sum": lambda t: t._hi.sum()}
        if has("product_category"):
            same["product_category"] = lambda t: t.product_category.fill_null(SEP).argmin(t._row).nullif(SEP)
        # Orders are grouped by a 64-bit hash of their key; a second hash of it must agree within each group,
        # so two orders that met by a collision send the file to the loader instead of being merged.
        orders = item_facts(rows, by=["_key"], extra={**same, **gate})
        orders = orders.mutate(gid=orders._key, **{f"{c}_s": orders[c] // 1_000_000_000
                                                    for c in head_names if c in DAY_SOURCES},
                               **{c: ibis.cases(*((orders[CODE + c] == i, v) for i, v in enumerate(_enum_values(c))),
                                                else_=ibis.null().cast("string")) for c in encoded})
        try:
            known = list(_enum_values("marketplace"))  # every code (a file's own would cost another read)
            keep = ["account", "marketplace", "fulfillment_channel",
                    *(["product_category"] if has("product_category") else []),
                    "units", "active_units", "seller_cancelled", "cancel_by_unknown", *gate]
            gate = list(gate)
            facts = head_facts(con, orders, as_of, known, keep=keep)
            middle = facts._h_sum - facts._h_min - facts._h_max
            distinct = (facts._n == 1) | ((facts._n == 2) & (facts._h_min != facts._h_max)) | \
                ((facts._n == 3) & (middle != facts._h_min) & (middle != facts._h_max))
            passed = facts._ok & (facts._lo == facts._hi_o) & (facts._k_lo == facts._k_hi) & \
                (distinct | (facts._n > 3))
            out = facts.select(*keep[:len(keep) - len(gate)], *FACT_COLUMNS[4:], _pass=passed,
                               _large=facts._n > 3)
            # Streamed: each batch is turned into compact columns as it comes (``_Flags``).
            flags, rows, passed, large = _Flags(), 0, True, False
            for batch in con.con.sql(con.compile(out)).to_arrow_reader(BATCH_ROWS):
                rows += batch.num_rows
                passed = passed and bool(pc.all(batch.column("_pass")).as_py())
                if not passed:
                    break
                large = large or bool(pc.any(batch.column("_large")).as_py())
                flags.add(batch.drop_columns(["_pass", "_large"]))
            if passed and large and self._duplicates(con):
                passed = False
        except duckdb.Error:
            return None  # the reader refused the file (a short row, invalid UTF-8, ...): the loader says why
        finally:
            con.raw_sql(f"DROP VIEW IF EXISTS {self.view}")
        if rows == 0 or not passed:
            return None
        return flags.frame()

    def _duplicates(self, con) -> bool:
        """Whether two rows are equal in every column (same order key and item hash), over the whole file."""
        key = ", ".join(map(_q, KEY))
        item_cols = [c for c in ITEM_LEVEL if c in self.columns]
        h_item = f"hash({', '.join(map(_q, item_cols))})" if item_cols else "0"
        return bool(con.raw_sql(f"SELECT count(*) FROM (SELECT {key}, {h_item} FROM {self._scan()} "
                                f"GROUP BY ALL HAVING count(*) > 1)").fetchone()[0])


class _Flags:
    """The per-order facts, batch by batch, as the compact frame ``account_health`` counts. Built while the
    result streams out of DuckDB, so the strings of every order are never held at once: keys become
    categoricals, the group number and the day numbers that ``rules.keyed`` would add are added here, a
    missing flag counts as no (as every count does), units are int32."""

    KEYS = ("account", "marketplace", "fulfillment_channel", "product_category")
    DAYS = (("purchase_day", "_pday"), ("ship_by_day", "_sday"), ("delivery_by_day", "_dday"))

    def __init__(self):
        self.values = {k: {} for k in self.KEYS}   # value -> code, per key column
        self.parts: dict[str, list] = {}
        self.present: set[str] = set()

    def add(self, batch) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        from ..engine.facts import FACT_COLUMNS
        from ..metrics.rules import NO_DAY

        def keep(name, arr):
            self.parts.setdefault(name, []).append(arr)

        for name in self.KEYS:
            if name not in batch.schema.names:
                continue
            self.present.add(name)
            enc = pc.dictionary_encode(batch.column(name))
            seen = self.values[name]
            lut = np.array([seen.setdefault(v, len(seen)) for v in enc.dictionary.to_pylist()] or [0],
                           dtype=np.int32)
            idx = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
            keep(name, np.where(idx < 0, -1, lut[np.maximum(idx, 0)]).astype(np.int32))
        for name in FACT_COLUMNS:
            col = batch.column(name)
            if name in dict(self.DAYS):
                days = col.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
                keep(dict(self.DAYS)[name], np.where(col.is_null().to_numpy(zero_copy_only=False), NO_DAY, days))
            elif name in ("units", "active_units"):
                keep(name, col.to_numpy(zero_copy_only=False).astype(np.int32))
            else:
                keep(name, col.cast(pa.bool_()).fill_null(False).to_numpy(zero_copy_only=False))

    def frame(self):
        import numpy as np
        import pandas as pd

        out = {}
        codes = {}
        for name in self.KEYS:
            if name not in self.present:
                continue
            codes[name] = np.concatenate(self.parts.pop(name))
            cats = list(self.values[name])
            out[name] = pd.Categorical.from_codes(codes[name], categories=cats)
        # The (account, marketplace, channel) group of each order; any numbering will do (groups are named by
        # their rows and sorted by name in the result).
        gid = np.zeros(len(codes["account"]), dtype=np.int64)
        for name in ("account", "marketplace", "fulfillment_channel"):
            gid = gid * (len(self.values[name]) + 1) + (codes[name] + 1)
        out["_gid"] = gid
        for name, parts in self.parts.items():
            out[name] = np.concatenate(parts)
        return pd.DataFrame(out)


def fast_source(paths, *, marketplace: str = "US", account=None, keep_pii: bool = False, strict: bool = False,
                skip_bad_files: bool = False, unmatched=None, **others) -> FastSource | None:
    """A ``FastSource`` when ``paths`` is one canonical orders CSV the fast path may read, else None (the
    careful loader then reads it). Load options that cannot change a normal-form file's health are accepted.
    ``REINSTATE_FAST_PATH=0`` turns the fast path off (every load is careful)."""
    if others or unmatched is not None or os.environ.get("REINSTATE_FAST_PATH", "1") == "0":
        return None
    if isinstance(paths, (list, tuple)):
        if len(paths) != 1:
            return None
        paths = paths[0]
    if not isinstance(paths, (str, os.PathLike)):
        return None
    path = Path(paths)
    if path.suffix != ".csv" or not path.is_file():
        return None
    timezone_of(str(marketplace).upper())  # an unknown default marketplace is an error on either path
    columns = read_header(path)
    if columns is None:
        return None
    return FastSource(path, columns, marketplace=str(marketplace).upper())
