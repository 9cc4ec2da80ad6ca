"""Turn string columns into the canonical dtypes, vectorised, reporting every value that does not parse.

Each ``parse_*`` function takes a Series (strings, or already-typed values from Parquet) and returns
``(typed_series, bad_mask)``; ``bad_mask`` marks values that were present but could not be understood
(they become ``<NA>`` and the caller rejects their rows). Nothing here loops over rows in Python.

Time rules (see ``reinstate.io.schema``): a value with an offset (``Z``, ``+02:00``, ``PST``) is converted to
UTC; a value without one is marketplace-local time (``reference.timezone_of``); a date-only value in a
deadline column means 23:59:59 that local day. Local times that fall in a DST gap are shifted forward,
and ambiguous ones (the repeated autumn hour) are read as standard time.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..reference import marketplaces, timezone_of
from .schema import ENUMS, KIND_DTYPES

UTC_NS = KIND_DTYPES["timestamp"]
INT_LIMIT = 2**53  # the largest integer a float holds exactly
TRUE = ("true", "1", "yes", "y", "t")
FALSE = ("false", "0", "no", "n", "f")
# Time-zone abbreviations seen in Seller Central downloads -> offsets (only unambiguous ones).
TZ_ABBREVIATIONS = {"UTC": "+00:00", "GMT": "+00:00", "PST": "-08:00", "PDT": "-07:00", "MST": "-07:00",
                    "MDT": "-06:00", "CST": "-06:00", "CDT": "-05:00", "EST": "-05:00", "EDT": "-04:00",
                    "BST": "+01:00", "CET": "+01:00", "CEST": "+02:00", "JST": "+09:00"}
# Spelled with [0-9] and [ ] (not \d, \s) so pandas can hand them to pyarrow's RE2 instead of Python's re.
# A time (hours alone, as in T23Z, or with minutes and seconds) followed by an offset: Z, +01, +0, -0800, +5:30.
_HAS_OFFSET = (r"[T ][0-9]{1,2}(?::[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?)?[ ]*"
               r"(?:[zZ]|[+-][0-9]{1,2}(?::?[0-9]{2})?)$")
_DATE_ONLY = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"


def clean_strings(values: pd.Series) -> pd.Series:
    """String dtype, surrounding spaces removed, empty -> <NA>."""
    s = values.astype("string").str.strip()
    return s.mask(s == "")


def parse_string(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    s = clean_strings(values)
    return s, pd.Series(False, index=s.index)


def _lookup(values: pd.Series, mapping: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    s = clean_strings(values)
    codes, uniques = pd.factorize(s.str.lower())
    # Built in Arrow (a take of the few mapped values): an object array of a million strings turned into
    # a string Series was most of this function in the benchmark profile. Code -1 (NA) takes a null.
    mapped = pa.array([mapping.get(u) for u in uniques], type=pa.string())
    taken = mapped.take(pa.array(codes, mask=codes < 0)) if len(mapped) else pa.nulls(len(codes), pa.string())
    out = pd.Series(taken.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get), dtype="string")
    out.index = s.index
    return out, s.notna() & out.isna()


def enum_mapping(name: str) -> dict[str, str]:
    """Accepted spelling (lower case) -> canonical spelling for an enumerated column."""
    if name == "marketplace":
        table = marketplaces()
        mapping = {code.lower(): code for code in table.index}
        mapping.update({mid.lower(): code for code, mid in table["marketplace_id"].items()})
        mapping.update({dom.lower(): code for code, dom in table["domain"].items()})
        mapping["gb"] = "UK"
        return mapping
    return {alias.lower(): canon for canon, aliases in ENUMS[name].items() for alias in (canon, *aliases)}


def parse_enum(values: pd.Series, name: str) -> tuple[pd.Series, pd.Series]:
    return _lookup(values, enum_mapping(name))


def parse_bool(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean"), pd.Series(False, index=values.index)
    mapping = {**{t: "1" for t in TRUE}, **{f: "0" for f in FALSE}}
    out, bad = _lookup(values.astype("string"), mapping)
    return out.map({"1": True, "0": False}, na_action="ignore").astype("boolean"), bad


def parse_int(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_integer_dtype(values.dtype):
        return values.astype("Int64"), pd.Series(False, index=values.index)
    s = clean_strings(values) if not pd.api.types.is_float_dtype(values.dtype) else values
    if not pd.api.types.is_float_dtype(values.dtype):
        # Plain integers (the usual case) in one strict pyarrow cast; anything else ("1.0", "two",
        # out of range) raises and goes through to_numeric below, which was the slow part at 1M rows.
        try:
            ints = pc.cast(pa.array(s.array, from_pandas=True), pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            ints = None
        if ints is not None:
            out = pd.arrays.IntegerArray(np.asarray(ints.fill_null(0), dtype=np.int64),
                                         np.asarray(ints.is_null(), dtype=bool))
            return pd.Series(out, index=s.index), pd.Series(False, index=s.index)
    num = pd.to_numeric(s, errors="coerce").astype("Float64")
    # 1e20, inf and 2**63 are numbers but no integer column holds them: casting would wrap them round to
    # -9223372036854775808 (and a reason such as "negative quantity"). Beyond 2**53 a float is not exact.
    huge = (num.abs() > INT_LIMIT).fillna(False)
    bad = (s.notna() & (num.isna() | (num != num.round()) | huge)).fillna(True) & s.notna()
    return num.where(~bad).round().astype("Int64"), bad.astype(bool)


def int_reasons(values: pd.Series, bad: pd.Series) -> list[str]:
    """Why each bad value of ``parse_int`` is bad: out of range (1e20, inf) or not an integer at all."""
    s = clean_strings(values[bad]) if not pd.api.types.is_numeric_dtype(values.dtype) else values[bad]
    num = pd.to_numeric(s, errors="coerce").astype("Float64")
    huge = (num.abs() > INT_LIMIT).fillna(False).to_numpy(dtype=bool)
    return ["number too large (expected a whole number such as 1 or 12)" if h else "not an integer"
            for h in huge]


def parse_float(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    s = clean_strings(values) if not pd.api.types.is_numeric_dtype(values.dtype) else values
    num = pd.to_numeric(s, errors="coerce").astype("Float64")
    return num, (s.notna() & num.isna()).astype(bool)


def parse_timestamp(values: pd.Series, marketplace: pd.Series, *, deadline: bool = False
                    ) -> tuple[pd.Series, pd.Series]:
    """Timestamps (strings or datetimes) -> ``datetime64[ns, UTC]``; naive values are marketplace-local."""
    index = values.index
    out = pd.Series(pd.NaT, index=index, dtype=UTC_NS)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").astype(UTC_NS), pd.Series(False, index=index)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return _localize(values, marketplace).astype(UTC_NS), pd.Series(False, index=index)
    s = clean_strings(values)
    present = s.notna()
    if not present.any():
        return out, pd.Series(False, index=index)
    fast = _all_offset_iso(s)
    if fast is not None:
        return fast, pd.Series(False, index=index)
    # Only values that start like an ISO date are dates: pandas reads "now" and "today" as the clock.
    s = s.mask(~s.str.contains(r"^[0-9]{4}", regex=True).fillna(False))
    has_offset = s.str.contains(_HAS_OFFSET, regex=True).fillna(False).astype(bool)
    rest = present & ~has_offset
    # Zone abbreviations ("2013-01-07 07:35:42 PST") are looked for only among values without an offset.
    if rest.any() and s[rest].str.contains(r"[ ][A-Z]{3,4}$", regex=True).fillna(False).any():
        fixed = s[rest]
        for abbr, offset in TZ_ABBREVIATIONS.items():
            fixed = fixed.str.replace(rf"[ ]{abbr}$", offset, regex=True)
        s = s.copy()
        s[rest] = fixed
        has_offset = s.str.contains(_HAS_OFFSET, regex=True).fillna(False).astype(bool)
    if has_offset.any():
        out[has_offset] = _in_range(pd.to_datetime(s[has_offset], format="ISO8601", utc=True, errors="coerce"))
    naive = present & ~has_offset & s.notna()
    if naive.any():
        text = s[naive]
        if deadline:
            # A bare date in a deadline column is the end of that local day.
            text = text.mask(text.str.fullmatch(_DATE_ONLY).fillna(False), text + " 23:59:59")
        # Parsed as if UTC and then made naive: the wall-clock time, and never "Mixed timezones" or
        # "Already tz-aware" for a value whose offset the pattern above did not recognise.
        parsed = _in_range(pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")).dt.tz_localize(None)
        out[naive] = _localize(parsed, marketplace[naive])
    return out.astype(UTC_NS), (present & out.isna()).astype(bool)


def _in_range(parsed: pd.Series) -> pd.Series:
    """UTC timestamps outside 1900-2199 (year 1, year 9999) as NaT: no export holds them, and nanosecond
    timestamps cannot (they end in 2262)."""
    parsed = pd.Series(parsed)
    years = parsed.dt.year
    ok = ((years >= 1900) & (years < 2200)).fillna(False).to_numpy(dtype=bool)
    return parsed.where(ok).astype(UTC_NS)


def _all_offset_iso(s: pd.Series) -> pd.Series | None:
    """The column parsed by pyarrow's strict ISO 8601 cast when EVERY value carries a UTC offset (what
    canonical exports and the sample generator write), else None (the general path then decides per value).

    One C++ pass instead of regex tests plus ``to_datetime``: the timestamp parsing was the largest cost
    of loading a canonical CSV in the benchmark profile. The cast refuses values without an offset, so
    marketplace-local times never take this path.
    """
    try:
        parsed = pc.cast(pa.array(s.array, from_pandas=True), pa.timestamp("ns", "UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    return pd.Series(parsed.to_pandas(), index=s.index).astype(UTC_NS)


def _localize(naive: pd.Series, marketplace: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=naive.index, dtype=UTC_NS)
    for code in pd.unique(marketplace.dropna()):
        mask = (marketplace == code).to_numpy(dtype=bool, na_value=False)
        part = naive[mask]
        local = part.dt.tz_localize(timezone_of(code), ambiguous=np.zeros(len(part), dtype=bool),
                                    nonexistent="shift_forward")
        out[mask] = local.dt.tz_convert("UTC").astype(UTC_NS)
    return out


def parse_local_date(values: pd.Series, order: str) -> pd.Series:
    """Locale dates ('1/13/17', '13.1.17', '17/01/13', '2017-01-13') -> ISO 'YYYY-MM-DD' strings.

    ``order`` is the marketplace's ``feedback_date_order`` (MDY, DMY or YMD). A two-digit year is 20xx.
    Values that do not fit are returned unchanged, so the timestamp parser rejects them by name.
    """
    s = clean_strings(values)
    parts = s.str.extract(r"^(\d{1,4})[./\-](\d{1,2})[./\-](\d{1,4})$")
    if order == "YMD" or parts[0].str.len().eq(4).all():
        y, m, d = parts[0], parts[1], parts[2]
    elif order == "MDY":
        m, d, y = parts[0], parts[1], parts[2]
    else:
        d, m, y = parts[0], parts[1], parts[2]
    four_digit_first = parts[0].str.len() == 4  # an ISO date is ISO whatever the marketplace
    y, m, d = (y.mask(four_digit_first, parts[0]), m.mask(four_digit_first, parts[1]),
               d.mask(four_digit_first, parts[2]))
    year = pd.to_numeric(y, errors="coerce")
    year = year.where(year >= 100, year + 2000)
    iso = (year.astype("Int64").astype("string") + "-" + m.str.zfill(2) + "-" + d.str.zfill(2))
    return iso.fillna(s).astype("string")
