"""`reinstate lint FILE [--json]`: check a Plan of Action (.txt, .md, .html or .docx) like a reviewer would.

Exit code 0 for pass or warn, 1 for fail, 2 when the file cannot be read. ``--json`` prints exactly
``{"verdict", "score", "findings": [{"rule", "severity", "start", "end", "excerpt", "hint"}]}``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import InputFileError


def add_parser(sub):
    p = sub.add_parser("lint", help="check a Plan of Action letter",
                       description="Check a Plan of Action (.txt, .md or .docx): placeholders, missing sections, "
                                   "blame, begging, promises instead of actions, vague root causes, length.")
    p.add_argument("file", metavar="FILE", help="the letter (.txt, .md or .docx)")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument("--max-words", type=int, metavar="N", help="word budget (default from the rule file)")
    p.add_argument("--max-chars", type=int, metavar="N", help="character budget")
    p.add_argument("--date", metavar="YYYY-MM-DD",
                   help="the letter's date when it has no 'Date:' line (actions taken must not be later)")
    p.add_argument("--field-chars", type=int, metavar="N", help="character limit per section (the appeal form's field)")
    return p


def read_letter(path: str | Path) -> str:
    """The text of a .txt/.md letter (any common encoding), or of a .docx or .html letter (as Markdown)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "no such file" if not path.exists() else "not a file",
                             expected="a .txt, .md or .docx letter")
    if path.suffix.lower() == ".docx":
        from ..appeal.docx import read_docx
        return read_docx(path)
    if path.suffix.lower() in (".html", ".htm"):
        from ..appeal.blocks import from_html
        return from_html(_decode(path, path.read_bytes()))
    return _decode(path, path.read_bytes())


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(path, "binary file, not a text letter", expected="a .txt, .md or .docx letter")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
        if best is None:
            raise InputFileError(path, "cannot tell the text encoding", expected="UTF-8 text") from None
        return str(best)


def print_findings(text: str, result, *, name: str = "") -> None:
    """One line per finding: path:line:col severity rule: excerpt (hint)."""
    from ..appeal.lint import line_col
    for f in result.findings:
        line, col = line_col(text, f.start)
        print(f"{name}:{line}:{col}: {f.severity} [{f.rule}] \"{f.excerpt}\"\n    -> {f.hint}")
    fields = ", ".join(f"{k} {v}" for k, v in result.fields.items())
    print(f"{result.verdict.upper()}  score {result.score:g}/100  {result.words} words, {result.chars} characters"
          + (f"; section characters: {fields}" if fields else ""))


def run(args: argparse.Namespace) -> int:
    from ..appeal.lint import lint

    text = read_letter(args.file)
    result = lint(text, budget={"words": args.max_words, "chars": args.max_chars, "field_chars": args.field_chars},
                  date=args.date)
    if args.json:
        print(result.to_json(indent=2))
    else:
        print_findings(text, result, name=args.file)
    return 1 if result.verdict == "fail" else 0
