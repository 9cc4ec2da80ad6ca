"""`reinstate templates [check]`: list the appeal templates, or render and lint every one of them.

``check`` renders each template with the example context from its front matter and fails (exit 1) on a
render error, a required field the template never reads, a leftover placeholder, or a letter the linter fails.
"""
from __future__ import annotations

import argparse
import sys


def add_parser(sub):
    p = sub.add_parser("templates", help="list appeal templates, or check them all",
                       description="List the appeal templates (id, English and Chinese title, type, metrics), "
                                   "or `check` that each renders with its example context and passes the linter.")
    p.add_argument("action", nargs="?", choices=("list", "check"), default="list")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    return p


def check_template(template_id: str) -> list[str]:
    """Problems with one template (empty when it is fine)."""
    from ..appeal.context import example_context
    from ..appeal.lint import lint
    from ..appeal.registry import get_template
    from ..appeal.render import referenced_names, render_letter
    from ..errors import ReinstateError

    info = get_template(template_id)
    problems = []
    names = referenced_names(info)
    for required in info.required:
        if required.split(".")[0] not in names:
            problems.append(f"required field '{required}' is never used by the template")
    try:
        text = render_letter(info.id, example_context(info.id), fmt="markdown")
    except ReinstateError as exc:
        return problems + [f"does not render with its example: {exc}"]
    result = lint(text, budget=info.lint_budget)
    for finding in result.findings:
        if finding.rule == "placeholder":
            problems.append(f"leftover placeholder at {finding.start}: '{finding.excerpt}'")
    if result.verdict == "fail":
        rules = sorted({f.rule for f in result.findings if f.severity == "error"})
        problems.append(f"letter fails the linter (score {result.score:g}: {', '.join(rules)})")
    return problems


def run(args: argparse.Namespace) -> int:
    from ..appeal.registry import templates
    from ..errors import TemplateError
    from ..paths import template_dirs

    infos = templates()
    if not infos:
        raise TemplateError(f"no templates found (looked in: {', '.join(str(d) for d in template_dirs())})")
    if args.action == "check":
        failed = 0
        for info in infos:
            problems = check_template(info.id)
            print(f"{'FAIL' if problems else 'ok  '}  {info.id}")
            for p in problems:
                print(f"      - {p}")
            failed += bool(problems)
        print(f"{len(infos) - failed} of {len(infos)} templates passed.", file=sys.stderr)
        return 1 if failed else 0
    if args.json:
        import json
        print(json.dumps([{"id": i.id, "aliases": list(i.aliases), "title_en": i.title_en, "title_zh": i.title_zh,
                           "appeal_type": i.appeal_type, "metrics": list(i.metrics), "required": list(i.required),
                           "optional": list(i.optional), "when_to_use": i.when_to_use} for i in infos],
                         ensure_ascii=False, indent=2))
        return 0
    for info in infos:
        alias = f" (also: {', '.join(info.aliases)})" if info.aliases else ""
        print(f"{info.id}{alias}\n  {info.title_en}\n  {info.title_zh}\n  type: {info.appeal_type}; "
              f"metrics: {', '.join(info.metrics) or '-'}")
    return 0
