"""`reinstate letter --template ID PATHS... --as-of DATE [--out FILE] [--evidence DIR]`.

Loads the exports, computes Account Health and the diagnosis, builds the letter context, renders the
template, lints the letter, and writes it (format from the --out suffix: .txt, .md, .html, .docx). Without
--out the letter is printed. Free-text fields come from ``--set field=value`` (repeatable); they are data,
never template source. Seller details are fields too: store_name, seller_name, merchant_token.
"""
from __future__ import annotations

import argparse
import sys

from ..errors import ConfigError


def add_parser(sub):
    p = sub.add_parser("letter", help="write a data-backed Plan of Action",
                       description="Build a Plan of Action from exports: metrics and root causes go into the "
                                   "chosen template; the letter is linted and exported.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="export files or folders")
    p.add_argument("--template", "-t", required=True, metavar="ID", help="template id (see `reinstate templates`)")
    p.add_argument("--as-of", required=True, metavar="YYYY-MM-DD", help="the day you look at Account Health")
    p.add_argument("--marketplace", metavar="CODE", help="marketplace (default US)")
    p.add_argument("--account", help="only this account")
    p.add_argument("--set", dest="fields", action="append", default=[], metavar="FIELD=VALUE",
                   help="a template field, e.g. --set store_name='Acme' (repeatable; lists split on ';')")
    p.add_argument("--causes", metavar="ID,ID", help="cause ids to write about (default: the diagnosis)")
    p.add_argument("--actions", metavar="ID,ID", help="action ids to use (default: the library defaults)")
    p.add_argument("--asins", metavar="ASIN,ASIN", help="ASINs named in the notice")
    p.add_argument("--out", "-o", metavar="FILE", help="write the letter here (.txt, .md, .html, .docx)")
    p.add_argument("--evidence", metavar="DIR", help="also write an evidence pack folder")
    p.add_argument("--ascii", action="store_true", help="ASCII-only quotes and dashes (for .txt and .md)")
    p.add_argument("--width", type=int, default=78, help="wrap .txt at this width (0: no wrapping)")
    p.add_argument("--fail-on-lint", action="store_true", help="exit 1 when the letter fails the linter")
    return p


def parse_fields(items: list[str]) -> dict:
    """['a=1', 'b=x=y'] -> {'a': '1', 'b': 'x=y'}; the value is kept as typed."""
    fields = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--set '{item}': expected FIELD=VALUE")
        fields[name.strip()] = value
    return fields


def affected_orders(data, diagnosis):
    """One row per defective order in the analysed window: its tags and order-level facts."""

    orders = getattr(data, "orders", data)
    tags = getattr(diagnosis, "tags", None)
    if tags is None or not len(tags):
        return None
    picked = tags[tags["defect"].astype(bool)].drop(columns=["text"], errors="ignore")
    keep = [c for c in ("order_id", "purchase_date", "fulfillment_channel", "order_status", "sku", "asin",
                        "product_category", "carrier", "ship_from", "latest_ship_date", "ship_confirmed_at",
                        "tracking_valid", "latest_delivery_date", "delivered_at", "feedback_rating",
                        "claim_status", "chargeback_type", "return_reason") if c in orders.columns]
    first = orders[keep].drop_duplicates("order_id")
    return picked.merge(first, on="order_id", how="left").reset_index(drop=True)


def figures_for(data, diagnosis, *, as_of, marketplace):
    """Plots for the evidence pack; a plot that cannot be drawn is skipped with a note."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = {}
    try:
        from ..plots.metrics import plot_odr_trend, plot_recovery
        for name, fn in (("odr_trend", plot_odr_trend), ("odr_recovery", plot_recovery)):
            try:
                fig, ax = plt.subplots(figsize=(9, 3.8))
                fn(data, as_of=as_of, marketplace=marketplace, ax=ax)
                out[name] = fig
            except Exception as exc:  # noqa: BLE001 - a plot is supporting material; never block the letter for it
                print(f"note: plot {name} skipped ({exc})", file=sys.stderr)
    except ImportError:
        pass
    heads = getattr(diagnosis, "headlines", None)
    if heads is not None and len(heads):
        fig, ax = plt.subplots(figsize=(8, 3.5))
        labels = [f"{r.cause} ({r.dimension}{': ' + str(r.value) if r.value == r.value and r.value else ''})"
                  for r in heads.itertuples()]
        ax.barh(labels[::-1], list(heads["defects_explained"])[::-1], color="#4c72b0")
        ax.set_xlabel("defects explained")
        ax.set_title(f"Root causes of {diagnosis.defects_total} defects")
        out["root_causes"] = fig
    return out


def run(args: argparse.Namespace) -> int:
    from ..appeal.contacts import contacts_for, format_contacts
    from ..appeal.context import template_context
    from ..appeal.export import export_evidence_pack, export_letter
    from ..appeal.lint import lint
    from ..appeal.registry import get_template
    from ..appeal.render import render_letter
    from ..diagnose.engine import diagnose
    from ..io.load import load
    from ..metrics.health import account_health
    from .lint import print_findings

    info = get_template(args.template)  # fail fast on a wrong id or --set, before loading data
    fields = parse_fields(args.fields)
    marketplace = (args.marketplace or "US").upper()
    data = load(args.paths, marketplace=marketplace, account=None)
    health = account_health(data, as_of=args.as_of, marketplace=args.marketplace, account=args.account)
    dx = diagnose(data, as_of=args.as_of, marketplace=args.marketplace, account=args.account)

    accounts = data.orders["account"].dropna().unique() if "account" in data.orders else []
    seller = {"store_name": fields.pop("store_name", None) or (str(accounts[0]) if len(accounts) else None),
              "seller_name": fields.pop("seller_name", None), "merchant_token": fields.pop("merchant_token", None),
              "marketplace": marketplace}
    context = template_context(info.id, health=health, diagnosis=dx, causes=args.causes, actions=args.actions,
                               seller=seller, asins=args.asins.split(",") if args.asins else fields.pop("asins", None),
                               notice_date=fields.pop("notice_date", None), fields=fields, as_of=args.as_of,
                               marketplace=marketplace)
    markdown = render_letter(info.id, context, fmt="markdown")
    result = lint(markdown, budget=info.lint_budget)
    routes = contacts_for(marketplace, info.appeal_type)

    if args.out:
        path = export_letter(markdown, args.out, ascii_quotes=args.ascii, width=args.width, title=info.title_en)
        print(f"wrote {path}")
    else:
        print(render_letter(info.id, context, fmt="text", width=args.width))
    if args.evidence:
        folder = export_evidence_pack(args.evidence, letter=markdown, orders_frame=affected_orders(data, dx),
                                      health=health, diagnosis=dx, contacts=routes, title=info.title_en,
                                      figures=figures_for(data, dx, as_of=args.as_of, marketplace=args.marketplace))
        print(f"wrote evidence pack {folder}")
    out = sys.stdout if args.out else sys.stderr
    print(file=out)
    _stdout, sys.stdout = sys.stdout, out
    try:
        print_findings(markdown, result, name=str(args.out or "letter"))
        print("Check every action is one you have actually taken, with its real date and owner.")
        print(format_contacts(routes))
    finally:
        sys.stdout = _stdout
    return 1 if args.fail_on_lint and result.verdict == "fail" else 0
