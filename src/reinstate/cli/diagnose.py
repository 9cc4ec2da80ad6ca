"""`reinstate diagnose PATHS... --as-of YYYY-MM-DD [--marketplace US] [--account A] [--json] [--tags FILE]`.

Prints the ranked root-cause hypotheses (readable summary, or with ``--json`` the contract
``{"as_of", "defects_total", "causes": [...], "unexplained"}``). ``--tags FILE`` also writes a CSV
``order_id,tags,text`` (tags joined by ';') for every loaded order with a defect or a buyer text; an
existing file is never overwritten (a numbered suffix is added and the path printed on stderr).
The summary is wrapped to the terminal (``--wide``: one line per hypothesis). ``--out FILE`` writes the causes
and the failing orders (with their tags, no buyer text) as .xlsx (a sheet each), .csv, .parquet or .json.
"""
from __future__ import annotations

import argparse
import re
import sys
import textwrap

from ..files import write_new_csv
from . import add_skip_bad_files, add_source_arguments


def add_parser(sub):
    p = sub.add_parser("diagnose", help="rank the root causes of defects with evidence",
                       description="Find specific, evidenced root causes for defective orders and misses.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="export files or folders (or --table)")
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
    p.add_argument("--out", metavar="FILE", help="also write the causes and failing orders to FILE: .xlsx, .csv, "
                                                 ".parquet or .json (never overwrites)")
    p.add_argument("--wide", action="store_true", help="do not wrap the summary to the terminal width")
    add_skip_bad_files(p)
    add_source_arguments(p)
    return p


CAUSE_COLUMNS = ("rank", "cause", "dimension", "value", "start", "end", "defects_explained", "share", "scope_rate",
                 "rest_rate", "lift", "p_adjusted", "confidence", "nested_in", "statement", "example_orders")


def causes_table(dx):
    """The hypotheses for a spreadsheet: ranked ones first, then the nested views of the same defects."""
    h = dx.hypotheses
    return h[[c for c in CAUSE_COLUMNS if c in h.columns]]


def failing_orders_table(dx):
    """Every defective order with its tags (the buyer's own text is left out of exports)."""
    t = dx.tags
    keep = t[t["any_defect"] | t["defect"]]
    return keep[[c for c in ("order_id", "tags") if c in keep.columns]].reset_index(drop=True)


def wrap_summary(text: str, width: int) -> str:
    """Each line of the summary wrapped to ``width``, continuation lines indented under the text."""
    out = []
    for line in text.splitlines():
        lead = re.match(r"^(\s*(?:\d+\.\s*)?(?:\[\w+\]\s*)?)", line).group(1)
        out += textwrap.wrap(line, width=width - 1, subsequent_indent=" " * len(lead), break_on_hyphens=False) or [""]
    return "\n".join(out)


def tags_table(dx):
    """Rows for --tags: every loaded order with a defect (any window) or a text signal (diagnosis.tags)."""
    from ..diagnosis.tags import tags_table as table
    return table(dx.tags)


def run(args: argparse.Namespace) -> int:
    from ..errors import ConfigError
    from ..export_tables import check_suffix, write_tables
    from . import analysis_for, day_option
    from .metrics import steps, terminal_width

    as_of = day_option(args.as_of, "--as-of")
    if not 0 < args.alpha < 1:
        raise ConfigError(f"--alpha {args.alpha}: expected a probability in (0, 1)")
    if args.min_support < 1:
        raise ConfigError(f"--min-support {args.min_support}: expected an integer >= 1")
    start = day_option(args.start, "--start")
    end = day_option(args.end, "--end")
    if args.out:
        check_suffix(args.out)
    with steps(2, "diagnose") as bar:
        bar.set_postfix_str("loading")
        analysis = analysis_for(args, as_of=as_of,
                                **({"marketplace": args.marketplace} if args.marketplace else {}))
        bar.update()
        bar.set_postfix_str(f"{analysis.data.orders['order_id'].nunique():,} orders")
        dx = analysis.diagnosis(min_support=args.min_support, alpha=args.alpha, lexicon_dirs=tuple(args.lexicon),
                                start=start, end=end)
        bar.update()
    if args.out:
        for path in write_tables(args.out, {"causes": causes_table(dx), "failing_orders": failing_orders_table(dx)}):
            print(f"reinstate diagnose: wrote {path}", file=sys.stderr)
    if args.tags:
        target = write_new_csv(args.tags, tags_table(dx))  # formula-safe, like every CSV export
        print(f"reinstate diagnose: wrote per-order tags to {target}", file=sys.stderr)
    if args.json:
        sys.stdout.write(dx.to_json(indent=2) + "\n")
    else:
        summary = dx.summary(top=10)
        print(summary if args.wide else wrap_summary(summary, terminal_width()))
    return 0
