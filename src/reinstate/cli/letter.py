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


def run(args: argparse.Namespace) -> int:
    from ..appeal.contacts import format_contacts
    from ..appeal.pipeline import build_appeal, write_appeal
    from ..appeal.registry import get_template
    from ..io.load import load
    from .lint import print_findings

    get_template(args.template)  # fail fast on a wrong id, before loading data
    marketplace = (args.marketplace or "US").upper()
    data = load(args.paths, marketplace=marketplace, account=None)
    fields = parse_fields(args.fields)
    seller = {k: fields.pop(k) for k in ("store_name", "seller_name", "merchant_token") if k in fields}
    appeal = build_appeal(data, template=args.template, as_of=args.as_of, marketplace=args.marketplace,
                          account=args.account, seller=seller, fields=fields, causes=args.causes,
                          actions=args.actions, asins=args.asins.split(",") if args.asins else fields.pop("asins", None),
                          notice_date=fields.pop("notice_date", None))
    written = write_appeal(appeal, data, letter=args.out, evidence=args.evidence, ascii_quotes=args.ascii,
                           width=args.width)
    if "letter" in written:
        print(f"wrote {written['letter']}")
    else:
        print(appeal.text(width=args.width))
    if "evidence" in written:
        print(f"wrote evidence pack {written['evidence']}")
    out = sys.stdout if args.out else sys.stderr
    print(file=out)
    _stdout, sys.stdout = sys.stdout, out
    try:
        print_findings(appeal.markdown, appeal.lint, name=str(args.out or "letter"))
        print("Check every action is one you have actually taken, with its real date and owner.")
        print(format_contacts(appeal.contacts))
    finally:
        sys.stdout = _stdout
    return 1 if args.fail_on_lint and appeal.lint.verdict == "fail" else 0
