"""`reinstate validate PATHS...`: say what each file is, how many rows were read, accepted and rejected.

Every file is tried and reported, also when another one cannot be read. Rejected rows are written to a
formula-safe CSV with buyer contacts masked (default ``out/rejects-<timestamp>.csv``, only when there are
any; an existing file is never overwritten: a ``-2``, ``-3`` ... suffix is added). Exit code 0 when every
file was read (even with rejected rows), 2 when a file could not be read, or with ``--strict`` and any reject.
``--json`` prints ``{"files": [{"path", "format", "status", "reason", "rows_read", "rows_accepted",
"rows_rejected", "rows_unmatched"}], "rows_rejected": int, "rows_unmatched": int, "rejects_file": str|null}``
and nothing else on stdout. ``status`` is ok, error (``reason`` says why) or skipped (a file in a folder that
is not an export); ``rows_read == rows_accepted + rows_rejected`` always, and ``rows_unmatched`` (part of
the accepted rows) are feedback/claim/return/message rows whose order is not in the loaded order files.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import warnings
from pathlib import Path

from ..errors import printable
from ..files import write_new_csv
from ..io.encoding import LoadWarning
from ..paths import out_dir


def add_parser(subparsers):
    p = subparsers.add_parser("validate", help="check exports and report rows read/accepted/rejected",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="+", metavar="PATH", help="export files or folders of them")
    p.add_argument("--marketplace", default="US", help="marketplace for rows without one (default US)")
    p.add_argument("--account", default=None, help="account name for data without one (default 'default')")
    p.add_argument("--strict", action="store_true", help="exit 2 if any row is rejected")
    p.add_argument("--keep-pii", action="store_true", help="keep buyer PII columns (not recommended)")
    p.add_argument("--json", action="store_true", help="print a JSON summary instead of a table")
    p.add_argument("--rejects", metavar="FILE", default=None,
                   help="where to write rejected rows (default out/rejects-<timestamp>.csv)")
    return p




def run(args) -> int:
    from ..io.load import load_report

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LoadWarning)
        data = load_report(args.paths, marketplace=args.marketplace, account=args.account, keep_pii=args.keep_pii)
    for w in caught:
        if issubclass(w.category, LoadWarning):
            print(printable(f"reinstate validate: warning: {w.message}"), file=sys.stderr)

    rejects_file = None
    if len(data.rejects):
        target = Path(args.rejects) if args.rejects else \
            out_dir() / f"rejects-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.csv"
        rejects_file = str(write_new_csv(target, data.rejects))

    total = sum(f.rows_rejected for f in data.files)
    unmatched = sum(f.rows_unmatched for f in data.files)
    failed = [f for f in data.files if f.status == "error"]
    if args.json:
        print(json.dumps({
            "files": [{"path": f.path, "format": f.format, "status": f.status, "reason": f.reason,
                       "rows_read": f.rows_read, "rows_accepted": f.rows_accepted, "rows_rejected": f.rows_rejected,
                       "rows_unmatched": f.rows_unmatched} for f in data.files],
            "rows_rejected": total, "rows_unmatched": unmatched, "rejects_file": rejects_file}))
    else:
        _print_table(data, rejects_file)
    if failed:
        print(printable(f"reinstate validate: error: {len(failed)} file(s) cannot be used: "
                        + " | ".join(f.reason for f in failed)), file=sys.stderr)
        return 2
    if args.strict and total:
        print(printable(f"reinstate validate: error: {total} row(s) rejected and --strict was given"
                        + (f" (see {rejects_file})" if rejects_file else "")), file=sys.stderr)
        return 2
    return 0


def _print_table(data, rejects_file) -> None:
    shown = [f for f in data.files if f.status != "skipped"]
    width = max([len(printable(f.path)) for f in shown] + [4])
    fmt_w = max([len(f.format) for f in shown] + [6])
    head = f"{'file':<{width}}  {'format':<{fmt_w}}  {'status':<6}  {'read':>9}  {'accepted':>9}  "
    lines = [head + f"{'rejected':>9}  {'unmatched':>9}"]
    for f in shown:
        lines.append(f"{printable(f.path):<{width}}  {f.format:<{fmt_w}}  {f.status:<6}  {f.rows_read:>9}  "
                     f"{f.rows_accepted:>9}  {f.rows_rejected:>9}  {f.rows_unmatched:>9}")
    read = sum(f.rows_read for f in shown)
    acc = sum(f.rows_accepted for f in shown)
    rej = sum(f.rows_rejected for f in shown)
    unm = sum(f.rows_unmatched for f in shown)
    lines.append(f"{'total':<{width}}  {'':<{fmt_w}}  {'':<6}  {read:>9}  {acc:>9}  {rej:>9}  {unm:>9}")
    for line in lines:
        print(line.rstrip())
    orders = data.orders
    n_orders = orders["order_id"].nunique() if len(orders) else 0
    print(f"{n_orders} orders, {len(orders)} item rows"
          + (f", {len(data.messages)} messages" if data.messages is not None else "")
          + (", Amazon performance report loaded" if data.performance else ""))
    if unm:
        print(f"{unm} row(s) are unmatched: well-formed, but their order is not in the loaded order files "
              "(they count in no metric until it is)")
    for f in data.files:
        if f.status == "error":
            print(printable(f"cannot use {f.reason}"))
    for f in data.files:
        if f.status == "skipped":
            print(printable(f"skipped {f.path}: {f.reason}"))
    if rejects_file:
        print(printable(f"rejected rows written to {rejects_file}"))
