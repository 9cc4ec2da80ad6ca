"""`reinstate diagnose PATHS... --as-of YYYY-MM-DD [--marketplace US] [--account A] [--json] [--tags FILE]`.

Prints the ranked root-cause hypotheses (readable summary, or with ``--json`` the contract
``{"as_of", "defects_total", "causes": [...], "unexplained"}``). ``--tags FILE`` also writes a CSV
``order_id,tags,text`` (tags joined by ';') for every loaded order with a defect or a buyer text; an
existing file is never overwritten (a numbered suffix is added and the path printed on stderr).
"""
from __future__ import annotations

import argparse
import sys

from ..files import write_new_csv
from . import add_skip_bad_files


def add_parser(sub):
    p = sub.add_parser("diagnose", help="rank the root causes of defects with evidence",
                       description="Find specific, evidenced root causes for defective orders and misses.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="export files or folders")
    p.add_argument("--as-of", required=True, metavar="YYYY-MM-DD", help="the day you look at Account Health")
    p.add_argument("--marketplace", metavar="CODE", help="marketplace for files without one (default US)")
    p.add_argument("--account", help="diagnose only this account")
    p.add_argument("--json", action="store_true", help="print the JSON contract instead of a summary")
    p.add_argument("--tags", metavar="FILE", help="also write per-order tags as CSV (never overwrites)")
    p.add_argument("--min-support", type=int, default=3, metavar="N", help="fewest defects per hypothesis (3)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance after correction (0.05)")
    p.add_argument("--lexicon", action="append", default=[], metavar="DIR",
                   help="extra lexicon folder of <lang>.yaml files (repeatable)")
    p.add_argument("--start", metavar="YYYY-MM-DD", help="analyse this purchase-day span instead of the windows")
    p.add_argument("--end", metavar="YYYY-MM-DD", help="last purchase day of --start's span")
    add_skip_bad_files(p)
    return p




def tags_table(dx):
    """Rows for --tags: every order with a defect (any window) or a buyer text."""
    t = dx.tags
    keep = t[t["any_defect"] | t["defect"] | t["has_text"]]
    return keep[["order_id", "tags", "text"]]


def run(args: argparse.Namespace) -> int:
    from ..diagnosis.engine import diagnose
    from ..errors import ConfigError
    from ..metrics.windows import to_day
    from . import load_for

    as_of = to_day(args.as_of, "--as-of")
    if not 0 < args.alpha < 1:
        raise ConfigError(f"--alpha {args.alpha}: expected a probability in (0, 1)")
    if args.min_support < 1:
        raise ConfigError(f"--min-support {args.min_support}: expected an integer >= 1")
    start = to_day(args.start, "--start") if args.start else None
    end = to_day(args.end, "--end") if args.end else None
    data = load_for(args, **({"marketplace": args.marketplace} if args.marketplace else {}))
    dx = diagnose(data, as_of=as_of, account=args.account, marketplace=args.marketplace,
                  min_support=args.min_support, alpha=args.alpha, lexicon_dirs=tuple(args.lexicon),
                  start=start, end=end)
    if args.tags:
        target = write_new_csv(args.tags, tags_table(dx))  # formula-safe, like every CSV export
        print(f"reinstate diagnose: wrote per-order tags to {target}", file=sys.stderr)
    if args.json:
        sys.stdout.write(dx.to_json(indent=2) + "\n")
    else:
        print(dx.summary(top=10))
    return 0
