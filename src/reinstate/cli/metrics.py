"""`reinstate metrics PATHS... --as-of YYYY-MM-DD [--marketplace US] [--json] [--fail-on breached|at_risk]`.

Prints every Account Health metric computed from the exports: a table (status colours only on a terminal) or,
with ``--json``, ``{"as_of": "...", "metrics": [{account, marketplace, metric, channel, window_days,
window_start, window_end, numerator, denominator, rate, target, condition, status}, ...]}``. The exit code is 0
even when a metric is breached, unless ``--fail-on`` matches (then 1), so scripts can opt in.
"""
from __future__ import annotations

import argparse
import json
import math
import sys

from ..errors import ConfigError
from . import add_skip_bad_files

JSON_FIELDS = ("account", "marketplace", "metric", "channel", "window_days", "window_start", "window_end",
               "numerator", "denominator", "rate", "target", "condition", "status")
COLOURS = {"good": "\033[32m", "at_risk": "\033[33m", "breached": "\033[31;1m", "no_data": "\033[2m"}
RESET = "\033[0m"
FAIL_LEVELS = {"breached": ("breached",), "at_risk": ("at_risk", "breached")}


def add_parser(sub):
    p = sub.add_parser("metrics", help="compute Account Health metrics from exports",
                       description="Compute every Account Health metric Amazon shows, from order exports.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="export files or folders")
    p.add_argument("--as-of", required=True, metavar="YYYY-MM-DD",
                   help="the day you look at Account Health (windows end relative to it)")
    p.add_argument("--marketplace", metavar="CODE", help="marketplace for files without one, and only this one "
                                                         "in the output (e.g. US, UK, DE)")
    p.add_argument("--account", help="only this account")
    p.add_argument("--json", action="store_true", help="print the JSON contract instead of a table")
    p.add_argument("--fail-on", choices=sorted(FAIL_LEVELS), help="exit 1 if any metric has this status (or worse)")
    p.add_argument("--odr-offset", type=int, default=15, metavar="DAYS",
                   help="days between the ODR window's last day and --as-of (default 15)")
    p.add_argument("--include-cancelled", action="store_true", help="count cancelled orders in the ODR denominator")
    p.add_argument("--margin", type=float, default=0.8, help="early-warning margin for at_risk (default 0.8)")
    add_skip_bad_files(p)
    return p


def to_json(health, as_of) -> dict:
    """The CLI's JSON document for a health table (rate null for no_data)."""
    rows = []
    for rec in health[list(JSON_FIELDS)].to_dict("records"):
        rate = rec["rate"]
        rows.append({
            "account": str(rec["account"]), "marketplace": str(rec["marketplace"]), "metric": rec["metric"],
            "channel": rec["channel"], "window_days": int(rec["window_days"]),
            "window_start": rec["window_start"].strftime("%Y-%m-%d"),
            "window_end": rec["window_end"].strftime("%Y-%m-%d"),
            "numerator": int(rec["numerator"]), "denominator": int(rec["denominator"]),
            "rate": None if rate is None or (isinstance(rate, float) and math.isnan(rate)) else float(rate),
            "target": float(rec["target"]), "condition": rec["condition"], "status": rec["status"]})
    return {"as_of": str(as_of), "metrics": rows}


def to_table(health, *, colour: bool) -> str:
    """A readable fixed-width table; statuses coloured when ``colour``."""
    head = ("account", "mkt", "metric", "channel", "days", "window", "orders", "rate", "target", "status", "note")
    lines = []
    for r in health.itertuples(index=False):
        rate = "—" if r.rate != r.rate else f"{r.rate:.2%}"
        lines.append((str(r.account), str(r.marketplace), r.metric, r.channel, str(r.window_days),
                      f"{r.window_start:%Y-%m-%d}..{r.window_end:%Y-%m-%d}", f"{r.numerator}/{r.denominator}",
                      rate, f"{r.condition} {r.target:.1%}", r.status, r.note or ""))
    widths = [max(len(h), *(len(l[i]) for l in lines)) if lines else len(h) for i, h in enumerate(head)]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip()]
    for line in lines:
        cells = [c.ljust(w) for c, w in zip(line, widths)]
        if colour:
            cells[9] = COLOURS.get(line[9], "") + cells[9] + RESET
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    from ..metrics.health import account_health
    from ..metrics.windows import to_day
    from . import load_for

    as_of = to_day(args.as_of, "--as-of")
    if not 0 < args.margin <= 1:
        raise ConfigError(f"--margin {args.margin}: expected a fraction in (0, 1]")
    data = load_for(args, **({"marketplace": args.marketplace} if args.marketplace else {}))
    health = account_health(data, as_of=as_of, marketplace=args.marketplace, account=args.account,
                            include_cancelled_in_odr=args.include_cancelled, odr_offset_days=args.odr_offset,
                            margin=args.margin)
    if args.json:
        json.dump(to_json(health, as_of), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"Account Health as of {as_of}")
        print(to_table(health, colour=sys.stdout.isatty()))
    if args.fail_on and health["status"].isin(FAIL_LEVELS[args.fail_on]).any():
        return 1
    return 0
