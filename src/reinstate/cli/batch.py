"""`reinstate batch --accounts DIR_OR_CSV --out DIR [--as-of YYYY-MM-DD] [--template ID]`.

Runs the notebooks once per account (papermill), writes metrics.json, diagnosis.json, the letter and an
evidence pack per account, saves each account's health rows in the history store (--store, else
REINSTATE_STORE, else OUT/reinstate-history.duckdb; --no-save to skip), then summary.csv and summary.html across accounts (progress on stderr). Nothing is
overwritten: a rerun into the same --out gets numbered folders and summary-2.*. Exit 0 when every account ran,
1 when some failed (the summary names them and why), 2 on a bad --accounts argument.
"""
from __future__ import annotations

import argparse


def add_parser(sub):
    p = sub.add_parser("batch", help="run the notebooks and the letter for many accounts",
                       description="One folder of exports per account (or a CSV account,data_path[,as_of,"
                                   "marketplace,template]); writes per-account results and a summary.")
    p.add_argument("--accounts", required=True, metavar="DIR_OR_CSV",
                   help="folder with one sub-folder per account, or a CSV listing them")
    p.add_argument("--out", default="out/batch", metavar="DIR", help="output folder (default out/batch)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="default as_of (else each folder's truth.json or today)")
    p.add_argument("--marketplace", default="US", metavar="CODE", help="default marketplace (US)")
    p.add_argument("--template", default="odr", metavar="ID", help="letter template (default odr)")
    p.add_argument("--store", metavar="FILE", help="history file every account's health rows are saved in "
                                                   "(default REINSTATE_STORE, else OUT/reinstate-history.duckdb)")
    p.add_argument("--no-save", action="store_true", help="do not save the health rows in the history store")
    return p


def run(args: argparse.Namespace) -> int:
    from ..batch import run_batch

    summary = run_batch(args.accounts, out=args.out, as_of=args.as_of, marketplace=args.marketplace,
                        template=args.template, store=args.store, save=not args.no_save)
    return 0 if (summary["run"] == "ok").all() else 1
