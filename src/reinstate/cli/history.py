"""`reinstate history [--store FILE] [--account A] [--marketplace M] [--metric M] [--json]`
and `reinstate history --compare D1 D2 [--json]`.

Lists the Account Health snapshots saved by `reinstate metrics ... --save` (``{"snapshots": [{as_of, account,
marketplace, metric, channel, window_days, window_start, window_end, numerator, denominator, rate, target,
condition, status, note, saved_at}]}``), or compares two saved days (``{"compare": [{account, marketplace,
metric, channel, window_days, rate_1, rate_2, delta, status_1, status_2}]}``). Rates are null for no_data.
"""
from __future__ import annotations

import argparse
import json
import math
import sys


def add_parser(sub):
    p = sub.add_parser("history", help="list or compare saved Account Health snapshots",
                       description="List the Account Health snapshots saved with `reinstate metrics --save`, "
                                   "or compare two saved days.")
    p.add_argument("--store", metavar="FILE", help="the history file (default ./reinstate-history.duckdb "
                                                   "or REINSTATE_STORE)")
    p.add_argument("--account", help="only this account")
    p.add_argument("--marketplace", metavar="CODE", help="only this marketplace (e.g. US)")
    p.add_argument("--metric", help="only this metric (e.g. order_defect_rate)")
    p.add_argument("--compare", nargs=2, metavar=("D1", "D2"), help="compare the snapshots of two days")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return p


def _value(v):
    """A JSON-safe value: dates as YYYY-MM-DD, timestamps ISO, NaN/NA as null, numpy scalars as Python."""
    if v is None:
        return None
    if hasattr(v, "isoformat"):
        text = v.isoformat()
        return text[:10] if len(text) > 10 and text[10:] == "T00:00:00" and not hasattr(v, "hour") else text
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
        return None if isinstance(v, float) and math.isnan(v) else v
    try:
        import pandas as pd
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def records(frame) -> list[dict]:
    """Rows of a history frame as JSON-safe dicts."""
    return [{k: _value(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def _table(rows: list[dict], columns) -> str:
    def cell(v):
        if v is None:
            return "—"
        if isinstance(v, float):
            return f"{v:.4%}" if abs(v) <= 1 else f"{v:g}"
        return str(v)
    lines = [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(line[i]) for line in lines]) for i, c in enumerate(columns)]
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    out += ["  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() for line in lines]
    return "\n".join(out)


def add_engine_arguments(p):
    """The options `reinstate metrics` takes for history and engines: --save/--store, --engine/--spark-master,
    --table."""
    p.add_argument("--save", action="store_true", help="save this day's rows in the history store")
    p.add_argument("--store", metavar="FILE", help="history file for --save (default ./reinstate-history.duckdb "
                                                   "or REINSTATE_STORE)")
    from . import add_source_arguments
    add_source_arguments(p)


def engine_options(args) -> dict:
    """account_health keyword arguments for --engine/--spark-master (none when neither is given)."""
    opts = {}
    if getattr(args, "engine", None):
        opts["engine"] = args.engine
    if getattr(args, "spark_master", None):
        opts["spark_master"] = args.spark_master
    return opts


def save_history(health, as_of, store) -> None:
    """Save the day's rows (--save); the count goes to stderr so --json output stays one document."""
    from ..history.store import default_store, save_snapshot

    n = save_snapshot(health, as_of, store=store)
    print(f"saved {n} rows for {as_of} in {store or default_store()}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from ..history import store

    filters = dict(store=args.store, account=args.account, marketplace=args.marketplace, metric=args.metric)
    if args.compare:
        rows = records(store.compare(args.compare[0], args.compare[1], **filters))
        doc, columns = {"compare": rows}, store.COMPARE_COLUMNS
    else:
        frame = store.snapshots(**filters)
        for col in ("as_of", "window_start", "window_end"):
            frame[col] = frame[col].map(lambda d: d.strftime("%Y-%m-%d") if d is not None and d == d else None)
        rows = records(frame)
        doc = {"snapshots": rows}
        columns = ["as_of", "account", "marketplace", "metric", "channel", "window_days", "numerator",
                   "denominator", "rate", "status", "saved_at"]
    if args.json:
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif not rows:
        print("no snapshots match")
    else:
        print(_table(rows, columns))
    return 0
