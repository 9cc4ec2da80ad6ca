"""Validation rules, in one place: which files are refused, and which rows are rejected and why.

File-level problems raise ``InputFileError`` (the file cannot be used at all):
    a required column is missing; the data rows use another delimiter than the header.

Row-level problems never drop a row silently; each returns a *problems* frame with one row per finding
(``_row`` = position in the file's table, ``column``, ``value``, ``reason``) that the loader turns into the
rejects table (file, line, column, value, reason):
    a value that does not parse (date, integer, true/false, enumeration)        -> ``coerce_frame``
    a missing required value, rating outside 1..5, quantity outside 0..10000, a value
    outside an enumeration                                                       -> ``ROW_RULES`` (pandera)
    exact duplicate rows (the first is kept)                                     -> ``duplicate_problems``
    order-level values that disagree across an order's item rows (all rows of
    the order are rejected)                                                      -> ``order_consistency_problems``
    a row with more fields than the header                                        -> ``bad_row_problems``
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..errors import InputFileError
from . import coerce, schema
from .read import DELIMITERS, RawTable
from .schema import MAX_QUANTITY

PROBLEM_COLUMNS = ("_row", "column", "value", "reason")
TEXT_COLUMNS = {"item_status": "enum_order_status"}  # extra columns with a known kind

# Values a pandera rule checks; a value failing its rule rejects the row with this reason.
ROW_RULES: dict[str, list[pa.Check]] = {
    "feedback_rating": [pa.Check.in_range(1, 5, error="rating outside 1..5")],
    "quantity": [pa.Check.ge(0, error="negative quantity (expected an integer >= 0)"),
                 pa.Check.le(MAX_QUANTITY, error=f"quantity above {MAX_QUANTITY} (expected the units of one "
                                                 "order item)")],
}
REQUIRED_VALUES = {
    "orders": schema.REQUIRED,
    "supplement": ("order_id",),
    "messages": ("message_id", "order_id", "received_at"),
}


def empty_problems() -> pd.DataFrame:
    return pd.DataFrame({"_row": pd.Series(dtype="int64"), "column": pd.Series(dtype="string"),
                         "value": pd.Series(dtype="string"), "reason": pd.Series(dtype="string")})


def problems(rows, column, values, reason) -> pd.DataFrame:
    rows = np.asarray(rows, dtype=np.int64)
    if isinstance(reason, str):
        reason = [reason] * len(rows)
    if isinstance(column, str):
        column = [column] * len(rows)
    return pd.DataFrame({"_row": rows, "column": pd.array(column, dtype="string"),
                         "value": pd.Series(values, dtype="object").astype("string").to_numpy(),
                         "reason": pd.array(reason, dtype="string")})


def require_columns(frame: pd.DataFrame, required, path, fmt: str, *, names=None) -> None:
    """Raise ``InputFileError`` naming the first required column the header lacks."""
    present = set(names if names is not None else frame.columns)
    for col in required:
        if col not in present:
            raise InputFileError(path, f"missing required column for format {fmt}", line=1, column=col,
                                 expected="a header with " + ", ".join(required))


def check_layout(raw: RawTable) -> None:
    """Refuse a file whose data rows are split by another delimiter than its header."""
    frame = raw.frame
    if frame.shape[1] < 2 or frame.empty or raw.delimiter is None:
        return
    head = frame.head(50)
    rest_empty = head.iloc[:, 1:].isna().all(axis=None)
    first = head.iloc[:, 0].dropna().astype(str)
    for other, name in DELIMITERS.items():
        if other != raw.delimiter and rest_empty and len(first) and first.str.contains(other, regex=False).all():
            raise InputFileError(raw.path, f"wrong delimiter: the header is split by {DELIMITERS[raw.delimiter]} "
                                           f"but the data rows by {name}", line=int(raw.lines[0]),
                                 column=str(frame.columns[0]),
                                 expected=f"the same delimiter ({DELIMITERS[raw.delimiter]}) on every line")


def bad_row_problems(raw: RawTable) -> pd.DataFrame:
    """Records the reader could not line up with the header (their line numbers, not positions)."""
    if not raw.bad_rows:
        return empty_problems()
    lines, reasons = zip(*raw.bad_rows)
    out = problems(np.full(len(lines), -1), "(row)", [""] * len(lines), list(reasons))
    out["_line"] = np.asarray(lines, dtype=np.int64)
    return out


def duplicate_problems(frame: pd.DataFrame, lines: np.ndarray) -> pd.DataFrame:
    """Exact duplicates of an earlier row (every column equal): all but the first are rejected."""
    if frame.empty:
        return empty_problems()
    # Narrow the candidates column by column: only rows whose values so far occur more than once can be
    # duplicates (after the order id and the SKU, few are left). The key mixes per-column factorize codes;
    # equal rows always get equal keys, and a key collision is caught by the exact comparison below.
    cand = np.arange(len(frame))
    key = np.zeros(len(frame), dtype=np.uint64)
    for col in frame.columns:
        codes = pd.factorize(frame[col].iloc[cand])[0].astype(np.int64).view(np.uint64)
        key = key * np.uint64(1_000_003) ^ codes
        multi = pd.Series(key).duplicated(keep=False).to_numpy()
        cand, key = cand[multi], key[multi]
        if not len(cand):
            return empty_problems()
    first_pos = pd.Series(cand).groupby(key, sort=False).transform("first").to_numpy()
    rows = cand[first_pos != cand]
    first_pos = first_pos[first_pos != cand]
    if not len(rows):
        return empty_problems()
    firsts = first_pos
    same = np.ones(len(rows), dtype=bool)
    for col in frame.columns:
        a, b = frame[col].iloc[rows].reset_index(drop=True), frame[col].iloc[firsts].reset_index(drop=True)
        same &= ((a == b).fillna(False) | (a.isna() & b.isna())).to_numpy(dtype=bool)
    rows, firsts = rows[same], firsts[same]
    return problems(rows, "(row)", [""] * len(rows), [f"exact duplicate of line {lines[f]}" for f in firsts])


def coerce_frame(frame: pd.DataFrame, *, marketplace: str, account: str, kinds=None
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cast canonical columns to their dtypes; return (typed copy, problems for values that did not parse).

    ``account`` and ``marketplace`` are added when absent and filled when empty.
    """
    out = frame.reset_index(drop=True).copy()
    found = [empty_problems()]
    n = len(out)

    def note(col, bad, raw_values, reason):
        if bad.any():
            rows = np.flatnonzero(bad.to_numpy(dtype=bool))
            found.append(problems(rows, col, raw_values.iloc[rows].to_numpy(), reason))

    if "marketplace" in out.columns:
        raw_mkt = out["marketplace"]
        mkt, bad = coerce.parse_enum(raw_mkt, "marketplace")
        note("marketplace", bad, raw_mkt, "unknown marketplace code")
        out["marketplace"] = mkt.fillna(marketplace).astype("string")
    else:
        out["marketplace"] = pd.Series([marketplace] * n, dtype="string")
    if "account" in out.columns:
        out["account"] = coerce.clean_strings(out["account"]).fillna(account)
    else:
        out["account"] = pd.Series([account] * n, dtype="string")
    mkt = out["marketplace"]

    for col in list(out.columns):
        if col in ("marketplace", "account"):
            continue
        kind = (kinds or {}).get(col) or (schema.BY_NAME[col].kind if col in schema.BY_NAME else None) \
            or schema.MESSAGE_KINDS.get(col) or TEXT_COLUMNS.get(col)
        raw = out[col]
        if kind == "timestamp":
            out[col], bad = coerce.parse_timestamp(raw, mkt, deadline=col in schema.DEADLINE_COLUMNS)
            note(col, bad, raw, "unparseable date (expected ISO 8601, e.g. 2026-01-31T14:05:00-08:00 or 2026-01-31)")
        elif kind == "enum":
            out[col], bad = coerce.parse_enum(raw, col)
            note(col, bad, raw, "unknown value (expected one of " + ", ".join(schema.ENUMS[col]) + ")")
        elif kind == "enum_order_status":
            out[col], bad = coerce.parse_enum(raw, "order_status")
            note(col, bad, raw, "unknown value (expected one of " + ", ".join(schema.ENUMS["order_status"]) + ")")
        elif kind == "int":
            out[col], bad = coerce.parse_int(raw)
            if bad.any():
                note(col, bad, raw, coerce.int_reasons(raw, bad))
        elif kind == "bool":
            out[col], bad = coerce.parse_bool(raw)
            note(col, bad, raw, "not true/false (expected true, false, 1, 0, yes or no)")
        elif kind == "float":
            out[col], bad = coerce.parse_float(raw)
            note(col, bad, raw, "not a number")
        elif kind == "string":
            out[col] = coerce.clean_strings(raw)
        # Other (non-canonical) columns stay as read: already strings with <NA> for empty cells.
    return out, pd.concat(found, ignore_index=True)


def rule_problems(frame: pd.DataFrame, *, table: str = "orders") -> pd.DataFrame:
    """Row rules checked with pandera: required values present, rating 1..5, quantity >= 0."""
    columns = {}
    for col in frame.columns:
        checks = list(ROW_RULES.get(col, []))
        required = col in REQUIRED_VALUES[table]
        if checks or required:
            columns[col] = pa.Column(nullable=not required, checks=checks)
    if not columns:
        return empty_problems()
    try:
        pa.DataFrameSchema(columns).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna()]
        reason = cases["check"].astype(str).replace({"not_nullable": "missing required value"})
        return problems(cases["index"].astype("int64").to_numpy(), cases["column"].astype(str).tolist(),
                        cases["failure_case"].astype("string").to_numpy(), reason.tolist())
    return empty_problems()


def order_consistency_problems(frame: pd.DataFrame) -> pd.DataFrame:
    """Every row of an order whose order-level values disagree (per account, marketplace, order_id)."""
    key = [c for c in ("account", "marketplace", "order_id") if c in frame.columns]
    if frame.empty or "order_id" not in frame.columns:
        return empty_problems()
    multi = frame.duplicated(key, keep=False).to_numpy()
    if not multi.any():
        return empty_problems()
    part = frame[multi]
    cols = [c.name for c in schema.COLUMNS if c.order_level and c.name in frame.columns and c.name not in key]
    found = [empty_problems()]
    seen = np.zeros(len(frame), dtype=bool)
    groups = part.groupby(key, sort=False, dropna=False).ngroup()
    for col in cols:
        # Missing counts as a value (factorize gives it code -1): a deadline on one row and none on another
        # also disagrees.
        codes = pd.Series(pd.factorize(part[col])[0], index=part.index)
        counts = codes.groupby(groups, sort=False).transform("nunique")
        bad = (counts.to_numpy() > 1)
        rows = np.flatnonzero(multi)[bad]
        rows = rows[~seen[rows]]
        if len(rows):
            seen[rows] = True
            found.append(problems(rows, col, frame[col].iloc[rows].astype("string").to_numpy(),
                                  f"order-level column '{col}' disagrees across the rows of this order "
                                  f"(expected the same value on every item row)"))
    return pd.concat(found, ignore_index=True)
