"""`reinstate letter --template ID PATHS... --as-of DATE [--channel MFN|AFN] [--answers FILE] [--out FILE] [--json]`.

Loads the exports, computes Account Health and the diagnosis, attributes the argued metric's own failing
orders to causes (``appeal.attribution``), builds the letter context, renders the template, lints the letter,
and writes it (format from the --out suffix: .txt, .md, .html, .docx). Without --out the letter is printed.

The analyst's answers (why each cause happened, the date and owner of each action) come from ``--answers
FILE.yaml`` and ``--set why.CAUSE=... date.ACTION_ID=YYYY-MM-DD owner.ACTION_ID=... drop.ACTION_ID=yes``;
other ``--set field=value`` are template fields (store_name, seller_name, merchant_token, ...). All are data,
never template source.

``--json`` prints one object: {"template", "metric", "account", "marketplace", "channel", "window": {"start",
"end"}, "defective_orders", "causes": [{"cause", "scope": {"dimension", "value", "start", "end"}, "orders",
"order_ids"}], "unexplained_orders", "text", "lint"}; ``--out`` still writes the file.
"""
from __future__ import annotations

import argparse
import sys

from ..errors import ConfigError


def add_parser(sub):
    p = sub.add_parser("letter", help="write a data-backed Plan of Action",
                       description="Build a Plan of Action from exports: metrics and root causes go into the "
                                   "chosen template; the letter is linted and exported.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="export files or folders (or --table)")
    p.add_argument("--template", "-t", required=True, metavar="ID", help="template id (see `reinstate templates`)")
    p.add_argument("--as-of", required=True, metavar="YYYY-MM-DD", help="the day you look at Account Health")
    p.add_argument("--marketplace", metavar="CODE", help="marketplace (default US)")
    p.add_argument("--account", help="only this account")
    p.add_argument("--channel", type=str.upper, choices=("MFN", "AFN"),
                   help="the channel to argue (default: the breached channel with the highest rate)")
    p.add_argument("--answers", metavar="FILE.yaml",
                   help="your answers: per-cause why, per-action date and owner (see `reinstate.appeal.answers`)")
    p.add_argument("--json", action="store_true", help="print the letter, its attribution and lint as JSON")
    p.add_argument("--set", dest="fields", action="append", default=[], metavar="FIELD=VALUE",
                   help="a template field, e.g. --set store_name='Acme' (repeatable; lists split on ';')")
    p.add_argument("--causes", metavar="ID,ID", help="cause ids to write about (default: the diagnosis)")
    p.add_argument("--actions", metavar="ID,ID", help="action ids to use (default: the library defaults)")
    p.add_argument("--asins", metavar="ASIN,ASIN", help="ASINs named in the notice")
    p.add_argument("--out", "-o", metavar="FILE", help="write the letter here (.txt, .md, .html, .docx)")
    p.add_argument("--evidence", metavar="DIR", help="also write an evidence pack folder")
    p.add_argument("--ascii", action="store_true", help="ASCII-only quotes and dashes (for .txt and .md)")
    p.add_argument("--width", type=int, default=0,
                   help="wrap .txt at this width (default 0: one paragraph per line, for the web form)")
    p.add_argument("--fail-on-lint", action="store_true", help="exit 1 when the letter fails the linter")
    from . import add_source_arguments
    add_source_arguments(p)
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
    import json

    from ..appeal.answers import load_answers, split_set
    from ..appeal.contacts import format_contacts
    from ..appeal.pipeline import build_appeal, write_appeal
    from ..appeal.registry import get_template
    from . import analysis_for, day_option
    from .lint import print_findings

    get_template(args.template)  # fail fast on a wrong id, before loading data
    marketplace = (args.marketplace or "US").upper()
    from_set, fields = split_set(parse_fields(args.fields))
    answers = load_answers(args.answers).merged(from_set) if args.answers else from_set
    analysis = analysis_for(args, as_of=day_option(args.as_of, "--as-of"), marketplace=marketplace, account=None)
    fields = {**answers.fields, **fields}
    seller = {k: fields.pop(k) for k in ("store_name", "seller_name", "merchant_token") if k in fields}
    asins = args.asins.split(",") if args.asins else fields.pop("asins", None)
    appeal = build_appeal(analysis, template=args.template, as_of=args.as_of, marketplace=args.marketplace,
                          account=args.account, seller=seller, fields=fields, causes=args.causes,
                          actions=args.actions, asins=asins, notice_date=fields.pop("notice_date", None),
                          channel=args.channel, answers=answers)
    written = write_appeal(appeal, analysis, letter=args.out, evidence=args.evidence, ascii_quotes=args.ascii,
                           width=args.width)
    if args.json:
        print(json.dumps(appeal.to_dict(), ensure_ascii=False, indent=2))
        for key, what in (("letter", "wrote"), ("evidence", "wrote evidence pack")):
            if key in written:
                print(f"{what} {written[key]}", file=sys.stderr)
        return 1 if args.fail_on_lint and appeal.lint.verdict == "fail" else 0
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
        unconfirmed = sum(1 for c in appeal.context["causes"] if not c.get("why_confirmed"))
        if unconfirmed:
            print(f"{unconfirmed} explanation(s) are suggestions: give the real reason with --answers or "
                  f"--set why.CAUSE=...")
        print("Check every action is one you have actually taken, with its real date and owner.")
        print(format_contacts(appeal.contacts))
    finally:
        sys.stdout = _stdout
    return 1 if args.fail_on_lint and appeal.lint.verdict == "fail" else 0
