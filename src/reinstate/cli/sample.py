"""`reinstate sample`: generate the synthetic canonical data set (with truth.json) into a folder."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ConfigError


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "sample", help="generate synthetic sample data with injected, documented problems",
        description="Generate synthetic order data in the canonical format (orders.csv, feedback.csv, claims.csv, "
                    "chargebacks.csv, returns.csv, messages.csv) plus truth.json describing the injected problems.")
    p.add_argument("--orders", type=int, default=3000, help="number of orders (default 3000; ~1.16 item rows each)")
    p.add_argument("--days", type=int, default=120, help="days of purchases, ending --end (default 120)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write (must be empty)")
    p.add_argument("--end", default="2026-11-15", metavar="YYYY-MM-DD", help="last purchase day (default 2026-11-15)")
    p.add_argument("--account", default="demo-seller", help="account name (default demo-seller)")
    p.add_argument("--marketplace", default="US", help="marketplace code (default US)")
    p.add_argument("--causes", default="default", metavar="default|none|a,b",
                   help="problems to inject: default (all), none, or a comma list of transit_damage, carrier_delay, "
                        "no_tracking, late_shipment, unresponsive_service, not_as_described")
    p.add_argument("--strength", type=float, default=1.0, help="multiplier of the injected excess rates (default 1)")
    p.add_argument("--no-performance-report", dest="performance", action="store_false",
                   help="do not write performance.json (Amazon's own figures for the sample, to reconcile against)")
    p.add_argument("--force", action="store_true", help="write into a non-empty folder, replacing the files")
    return p


def run(args) -> int:
    from ..sample import generate_sample, write_sample

    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a folder (expected a folder for --out)")
    if out.is_dir() and any(out.iterdir()) and not args.force:
        raise ConfigError(f"{out}: folder is not empty (expected an empty or new folder; use --force to overwrite)")
    sample = generate_sample(orders=args.orders, days=args.days, seed=args.seed, end=args.end,
                             account=args.account, marketplace=args.marketplace, causes=args.causes,
                             strength=args.strength)
    paths = write_sample(sample, out, performance=args.performance)
    for path in paths:
        rows = len(sample.tables[path.stem]) if path.stem in sample.tables else None
        print(f"wrote {path}" + (f" ({rows} rows)" if rows is not None else ""))
    injected = ", ".join(f"{e['cause']} ({e['scope']['dimension']}"
                         f"{'=' + e['scope']['value'] if e['scope']['value'] else ''}: {e['count']} orders)"
                         for e in sample.truth["injected"]) or "nothing (background noise only)"
    print(f"injected: {injected}")
    print(f"suggested as_of: {sample.as_of}")
    return 0
