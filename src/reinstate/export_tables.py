"""Result tables to files a spreadsheet user opens: .xlsx, .csv, .parquet or .json, chosen by the suffix.

``write_tables("health.xlsx", {"health": frame, "failing_orders": orders})`` writes one workbook with a sheet per
table (header frozen, percentages formatted, statuses coloured). A .json file holds every table as
``{name: [records]}``. CSV and Parquet hold one table each: the first goes to the path given, the others next to
it as ``<stem>.<name><suffix>``. Nothing is overwritten (``reinstate.files.write_new`` numbers a taken name),
and text that a spreadsheet would run as a formula (starting with = + - @ or a tab) is prefixed with ``'``.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd

from .errors import ConfigError
from .files import write_new

SUFFIXES = (".xlsx", ".csv", ".parquet", ".json")
# Columns holding fractions shown as percentages in a workbook.
PERCENT_COLUMNS = {"rate", "target", "share", "scope_rate", "rest_rate", "amazon_rate", "our_rate", "difference"}
STATUS_FILLS = {"breached": "F6D5D5", "at_risk": "FBE8C8", "good": "D9EED9", "no_data": "ECECEC",
                "match": "D9EED9", "high": "D9EED9", "medium": "FBE8C8", "low": "ECECEC"}
STATUS_COLUMNS = {"status", "confidence", "likely_reason"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """A text cell that a spreadsheet would evaluate (``=HYPERLINK(...)``, ``+1``, ``@SUM``) -> ``'`` + text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy safe for any file format: lists/tuples joined by '; ', time zones dropped (times kept in UTC),
    text formula-escaped."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_convert("UTC").dt.tz_localize(None)
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(_cell, na_action="ignore").astype(object)
    return out


def _cell(value):
    if isinstance(value, (list, tuple, set)):
        value = "; ".join(map(str, value))
    return escape_formula(value)


def check_suffix(path) -> Path:
    """``path`` as a Path if its suffix is one we write; else a ConfigError naming the choices."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ConfigError(f"--out {path}: unknown file type '{path.suffix}' (expected {', '.join(SUFFIXES)})")
    return path


def write_tables(path, tables: dict[str, pd.DataFrame]) -> list[Path]:
    """Write ``tables`` (name -> frame, first = main) to ``path`` in the format its suffix names; returns the
    files written (never overwriting: a taken name gets a numbered sibling)."""
    path = check_suffix(path)
    kind = path.suffix.lower()
    tables = {name: plain(frame) for name, frame in tables.items()}
    if kind == ".xlsx":
        return [write_new(path, workbook_bytes(tables))]
    if kind == ".json":
        doc = {name: json.loads(frame.to_json(orient="records", date_format="iso")) for name, frame in tables.items()}
        return [write_new(path, (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))]
    written = []
    for i, (name, frame) in enumerate(tables.items()):
        target = path if i == 0 else path.with_name(f"{path.stem}.{name}{path.suffix}")
        if kind == ".csv":
            data = frame.to_csv(index=False).encode("utf-8")
        else:
            buf = io.BytesIO()
            frame.to_parquet(buf, index=False)
            data = buf.getvalue()
        written.append(write_new(target, data))
    return written


def failing_orders(data, health, *, as_of, include_cancelled_in_odr: bool = False, odr_offset_days: int = 15,
                   flags=None):
    """The orders behind every breached or at-risk metric row (what to look at first), one row per order and
    metric, buyer PII never included. ``flags``: an ``order_flags`` pass at ``as_of`` to reuse."""
    from .metrics.health import drilldown

    frames = []
    bad = health[health["status"].isin(("breached", "at_risk"))]
    for (account, marketplace, metric, channel), _ in bad.groupby(["account", "marketplace", "metric", "channel"],
                                                                   sort=False):
        frames.append(drilldown(data, as_of=as_of, metric=metric, channel=None if channel == "ALL" else channel,
                                account=account, marketplace=marketplace,
                                include_cancelled_in_odr=include_cancelled_in_odr, odr_offset_days=odr_offset_days,
                                flags=flags))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=["account", "marketplace", "metric", "channel", "order_id", "reason"])
    return pd.concat(frames, ignore_index=True).dropna(axis=1, how="all")


def health_tables(data, health, *, as_of, reconciliation=None, **drill) -> dict[str, pd.DataFrame]:
    """The tables of a metrics export: health, the failing orders and (when given) the reconciliation."""
    tables = {"health": health, "failing_orders": failing_orders(data, health, as_of=as_of, **drill)}
    if reconciliation is not None:
        tables["reconciliation"] = reconciliation
    return tables


def workbook_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook: a sheet per table, bold frozen header, percentage formats, coloured status cells,
    column widths fitted to the content (capped)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in tables.items():
        ws = wb.create_sheet(title=_sheet_title(name))
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            ws.append([_xlsx_value(v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for j, col in enumerate(frame.columns, start=1):
            letter = get_column_letter(j)
            cells = ws[letter][1:]
            if col in PERCENT_COLUMNS:
                for cell in cells:
                    cell.number_format = "0.00%"
            elif pd.api.types.is_datetime64_any_dtype(frame[col].dtype):
                for cell in cells:
                    cell.number_format = "yyyy-mm-dd hh:mm"
            if col in STATUS_COLUMNS:
                for cell in cells:
                    fill = STATUS_FILLS.get(str(cell.value))
                    if fill:
                        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
            longest = max([len(str(col))] + [len(str(v)) for v in frame[col].head(500) if v is not None])
            ws.column_dimensions[letter].width = min(max(8, longest + 2), 60)
        if len(frame.columns):
            ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(name: str) -> str:
    return "".join(c for c in str(name) if c not in "[]:*?/\\")[:31] or "sheet"


def _xlsx_value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and pd.isna(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        # Excel has no time zones: a zoned time (e.g. in an object column) is written in UTC, like plain() does.
        stamp = pd.Timestamp(value)
        return (stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp).to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    return value
