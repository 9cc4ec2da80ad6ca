"""`reinstate metrics PATHS... --as-of YYYY-MM-DD [--marketplace US] [--json] [--fail-on breached|at_risk]
[--out FILE] [--wide]`.

Prints every Account Health metric computed from the exports: a table fitted to the terminal (status colours
only on a terminal; ``--wide`` shows every column unwrapped) or, with ``--json``, ``{"as_of": "...", "metrics":
[{account, marketplace, metric, channel, window_days, window_start, window_end, numerator, denominator, rate,
target, condition, status}, ...]}``. When an Amazon performance report (GET_V2_SELLER_PERFORMANCE_REPORT JSON)
is among the inputs, the reconciliation follows the table (and is the JSON's added ``reconciliation`` key).
``--out FILE`` also writes health, the failing orders and the reconciliation as .xlsx/.csv/.parquet/.json.
The exit code is 0 even when a metric is breached, unless ``--fail-on`` matches (then 1), so scripts can opt in.
"""
from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import textwrap

from ..errors import ConfigError
from ..metrics.contract import JSON_FIELDS  # noqa: F401  (re-exported: the contract lives beside the metrics)
from ..metrics.contract import health_to_json as to_json
from . import add_skip_bad_files

COLOURS = {"good": "\033[32m", "at_risk": "\033[33m", "breached": "\033[31;1m", "no_data": "\033[2m"}
RESET = "\033[0m"
FAIL_LEVELS = {"breached": ("breached",), "at_risk": ("at_risk", "breached")}
SHORT_NAMES = {"order_defect_rate": "order defect rate", "negative_feedback_rate": "negative feedback",
               "a_to_z_claim_rate": "A-to-z claims", "chargeback_rate": "chargebacks",
               "late_shipment_rate": "late shipment", "pre_fulfillment_cancel_rate": "cancellation",
               "valid_tracking_rate": "valid tracking", "on_time_delivery_rate": "on-time delivery",
               "late_response_rate": "late responses"}
RECONCILE_KEYS = ("account", "marketplace", "metric", "channel", "window_start", "window_end", "our_numerator",
                  "our_denominator", "our_rate", "amazon_numerator", "amazon_denominator", "amazon_rate", "difference",
                  "likely_reason")


def add_parser(sub):
    p = sub.add_parser("metrics", help="compute Account Health metrics from exports",
                       description="Compute every Account Health metric Amazon shows, from order exports.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="export files or folders (or --table)")
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
    p.add_argument("--out", metavar="FILE", help="also write the tables to FILE: .xlsx (a sheet each), .csv, "
                                                 ".parquet or .json (never overwrites)")
    p.add_argument("--wide", action="store_true", help="every column, unwrapped (ignores the terminal width)")
    from .history import add_engine_arguments
    add_engine_arguments(p)  # --save/--store (history), --engine/--spark-master
    add_skip_bad_files(p)
    return p


def terminal_width() -> int:
    """COLUMNS, else the terminal's width, else 100."""
    return shutil.get_terminal_size(fallback=(100, 24)).columns


def to_table(health, *, colour: bool, width: int | None = None, wide: bool = False) -> str:
    """The health table as text: fitted to ``width`` (default: the terminal) with short names and the notes
    as numbered footnotes; ``wide``: every column (account, marketplace, full window, note) on one line."""
    several = lambda col: health[col].nunique() > 1 if len(health) else False
    heads = []
    if wide or several("account"):
        heads.append("account")
    if wide or several("marketplace"):
        heads.append("mkt")
    heads += ["metric", "ch", "days", "window", "count", "rate", "target", "status"]
    if wide:
        heads.append("note")
    notes: list[str] = []
    rows, statuses = [], []
    for r in health.itertuples(index=False):
        rate = "—" if r.rate != r.rate else f"{r.rate:.2%}"
        status = r.status
        note = r.note or ""
        if note and not wide:
            if note not in notes:
                notes.append(note)
            status = f"{status} [{notes.index(note) + 1}]"
        window = (f"{r.window_start:%Y-%m-%d}..{r.window_end:%Y-%m-%d}" if wide
                  else f"{r.window_start:%b %d}–{r.window_end:%b %d}")
        cells = {"account": str(r.account), "mkt": str(r.marketplace),
                 "metric": r.metric if wide else SHORT_NAMES.get(r.metric, r.metric), "ch": r.channel,
                 "days": str(r.window_days), "window": window, "count": f"{r.numerator}/{r.denominator}",
                 "rate": rate, "target": f"{r.condition} {r.target:.1%}", "status": status, "note": note}
        rows.append([cells[h] for h in heads])
        statuses.append(r.status)
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(heads)]
    width = None if wide else (width or terminal_width())
    if width:
        keep = _fit(heads, widths, width - 1)
        heads, widths = [heads[i] for i in keep], [widths[i] for i in keep]
        rows = [[row[i] for i in keep] for row in rows]
    right = {"days", "count", "rate", "target"}
    lines = ["  ".join(_cell(h, w, h in right) for h, w in zip(heads, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    status_col = heads.index("status")
    for row, status in zip(rows, statuses):
        cells = [_cell(c, w, h in right) for c, w, h in zip(row, widths, heads)]
        if colour:
            cells[status_col] = COLOURS.get(status, "") + cells[status_col] + RESET
        lines.append("  ".join(cells).rstrip())
    for i, note in enumerate(notes, start=1):
        lines += textwrap.wrap(note, width=(width or 10_000) - 1, initial_indent=f"[{i}] ", subsequent_indent="    ")
    return "\n".join(lines)


def _fit(heads: list[str], widths: list[int], width: int) -> list[int]:
    """Make a row fit ``width``: shrink the name columns (account, then metric, in place), then leave out the
    window dates (the days column stays). Figures keep their width. Returns the column indexes to show."""
    keep = list(range(len(heads)))
    total = lambda: sum(widths[i] for i in keep) + 2 * (len(keep) - 1)

    def shrink(floors):
        for name, floor in floors:
            if name in heads and total() > width:
                i = heads.index(name)
                widths[i] = max(floor, widths[i] - (total() - width))

    shrink((("account", 10), ("metric", 12)))
    if total() > width and "window" in heads:
        keep.remove(heads.index("window"))
    shrink((("account", 7), ("metric", 9)))
    return keep


def _cell(text: str, width: int, right: bool) -> str:
    if len(text) > width:
        text = text[:width - 1] + "…"
    return text.rjust(width) if right else text.ljust(width)


def reconciliation_json(rec) -> list[dict]:
    """The reconciliation rows for --json: ours, Amazon's, the difference (ours - Amazon's) and the reason."""
    rows = []
    for r in rec[list(RECONCILE_KEYS)].to_dict("records"):
        out = {}
        for key, value in r.items():
            if key in ("window_start", "window_end"):
                out[key] = value.strftime("%Y-%m-%d")
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                out[key] = None
            elif key.endswith(("numerator", "denominator")):
                out[key] = int(value)
            elif key.endswith("rate") or key == "difference":
                out[key] = float(value)
            else:
                out[key] = value
        rows.append(out)
    return rows


def reconciliation(analysis, args):
    """The Analysis' reconciliation when a performance report was loaded, else None."""
    if analysis.performance is None:
        return None
    try:
        return analysis.reconciliation(account=args.account, marketplace=args.marketplace,
                                       include_cancelled_in_odr=args.include_cancelled)
    except ConfigError as exc:  # e.g. several accounts and no --account: the metrics still stand on their own
        print(f"reinstate metrics: reconciliation skipped: {exc}", file=sys.stderr)
        return None


def wrap_lines(text: str, width: int) -> str:
    """Wrap each line to ``width``, continuation lines indented like the line they continue."""
    out = []
    for line in text.splitlines():
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        out += textwrap.wrap(line, width=width - 1, subsequent_indent=indent, break_on_hyphens=False) or [""]
    return "\n".join(out)


def steps(total: int, what: str):
    """A step progress bar on stderr (only on a terminal: pipes and tests stay clean)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=what, unit="step", file=sys.stderr, disable=None, leave=False)


def run(args: argparse.Namespace) -> int:
    from ..export_tables import check_suffix, health_tables, write_tables
    from ..metrics.display import reconciliation_text
    from . import analysis_for, day_option
    from .history import save_history

    as_of = day_option(args.as_of, "--as-of")
    if not 0 < args.margin <= 1:
        raise ConfigError(f"--margin {args.margin}: expected a fraction in (0, 1]")
    if args.out:
        check_suffix(args.out)
    with steps(2 if not args.out else 3, "metrics") as bar:
        # Without --out only the health table is needed: a canonical orders CSV in normal form then takes the
        # fast path (the file is read by DuckDB, never loaded into pandas).
        analysis = analysis_for(args, as_of=as_of, fast=not args.out,
                                **({"marketplace": args.marketplace} if args.marketplace else {}))
        bar.update()
        health = analysis.health(marketplace=args.marketplace, account=args.account,
                                 include_cancelled_in_odr=args.include_cancelled, odr_offset_days=args.odr_offset,
                                 margin=args.margin)
        rec = reconciliation(analysis, args)
        bar.update()
        if args.out:
            tables = health_tables(analysis.data, health, as_of=as_of, reconciliation=rec, flags=analysis.flags,
                                   include_cancelled_in_odr=args.include_cancelled, odr_offset_days=args.odr_offset)
            written = write_tables(args.out, tables)
            bar.update()
    if args.save:
        save_history(health, as_of, args.store)
    if args.json:
        doc = to_json(health, as_of)
        if rec is not None:
            doc["reconciliation"] = reconciliation_json(rec)
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"Account Health as of {as_of}")
        print(to_table(health, colour=sys.stdout.isatty(), wide=args.wide))
        if rec is not None:
            sources = analysis.performance.get("sources") or ["?"]
            print(f"\nReconciliation with Amazon's report ({', '.join(sources)}):")
            text = reconciliation_text(rec)
            print(text if args.wide else wrap_lines(text, terminal_width()))
    if args.out:
        for path in written:
            print(f"reinstate metrics: wrote {path}", file=sys.stderr)
    if args.fail_on and health["status"].isin(FAIL_LEVELS[args.fail_on]).any():
        return 1
    return 0
