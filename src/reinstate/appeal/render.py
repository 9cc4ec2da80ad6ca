"""Render a letter: one sandboxed Jinja2 Environment, StrictUndefined, templates compiled once.

Values in the context are data: Jinja never evaluates them, so ``{{ 7*7 }}`` typed into a field is
printed as typed. The HTML form goes through an autoescaping template, so ``<script>`` is escaped.
"""
from __future__ import annotations

import re
from functools import lru_cache

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from ..errors import TemplateError
from ..paths import template_dirs
from . import blocks
from .registry import TemplateInfo, get_template

FORMATS = ("text", "markdown", "html")
HTML_TEMPLATE = "_export/letter.html.j2"
UNDEFINED = re.compile(r"'(?:[^']*? object' has no attribute '|)([^']+)' is undefined|has no attribute '([^']+)'")


def _autoescape(name: str | None) -> bool:
    # Only the HTML wrapper escapes; letters are plain text/Markdown, escaped at export time.
    return bool(name) and ".html" in name


def environment() -> SandboxedEnvironment:
    """The one Environment: sandboxed, StrictUndefined, no auto-reload (templates compile once).

    Its loader searches the user's template folders before the package's (``paths.template_dirs``)."""
    return _environment(tuple(str(d) for d in template_dirs()))


@lru_cache(maxsize=4)
def _environment(dirs: tuple[str, ...]) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(list(dirs)),
        undefined=jinja2.StrictUndefined,
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    return env


def _lookup(context: dict, dotted: str):
    value = context
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def missing_fields(info: TemplateInfo, context: dict) -> list[str]:
    """Required fields (dotted paths allowed) that are absent, None, empty text or an empty list."""
    return [f for f in info.required if _lookup(context, f) in (None, "", [], {})]


def _coerce(info: TemplateInfo, context: dict) -> dict:
    ctx = dict(context)
    for name in info.list_fields:  # --set differences="a; b; c" arrives as one string
        if isinstance(ctx.get(name), str):
            ctx[name] = [p.strip() for p in re.split(r"[;\n]", ctx[name]) if p.strip()]
    for name in info.optional:  # optional fields may be left out; templates test them with `if`
        ctx.setdefault(name.split(".")[0], None)
    return ctx


def referenced_names(info: TemplateInfo) -> set[str]:
    """Top-level names the template source reads (for `templates check`: unused required fields)."""
    env = environment()
    source = env.loader.get_source(env, info.filename)[0]
    return meta.find_undeclared_variables(env.parse(source))


def render_markdown(template_id: str, context: dict) -> str:
    """The letter in its Markdown subset (see ``blocks``)."""
    info = get_template(template_id)
    missing = missing_fields(info, context)
    if missing:
        raise TemplateError(
            f"template '{info.id}' ({info.filename}): required field(s) missing: {', '.join(missing)} "
            f"(give them with --set FIELD=VALUE or in the context)")
    try:
        template = environment().get_template(info.filename)
        text = template.render(_coerce(info, context))
    except jinja2.UndefinedError as exc:
        m = UNDEFINED.search(str(exc))
        name = (m.group(1) or m.group(2)) if m else str(exc)
        raise TemplateError(f"template '{info.id}' ({info.filename}): field '{name}' is missing ({exc})") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template '{info.id}' ({exc.filename or info.filename}), line {exc.lineno}: "
                            f"{exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"template '{info.id}' ({info.filename}): unsafe operation refused ({exc})") from None
    # Collapse the blank lines that template control flow leaves behind.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def markdown_to_html(markdown: str, *, title: str = "Plan of Action") -> str:
    """A standalone HTML page of the letter; every piece of text is autoescaped by Jinja."""
    doc = [{"kind": b.kind, "level": min(max(b.level, 1), 6),
            "lines": [blocks.runs(line) for line in b.text.split("\n")] if b.kind in ("heading", "para") else [],
            "entries": [blocks.runs(i) for i in b.items]} for b in blocks.parse(markdown)]
    return environment().get_template(HTML_TEMPLATE).render(title=title, blocks=doc)


def render_letter(template_id: str, context: dict, *, fmt: str = "text", width: int = 0) -> str:
    """Render a Plan of Action: ``fmt`` is "text" (plain, for the Seller Central form), "markdown" or "html".

    Raises TemplateError naming the template and the field when a required field is missing.

    >>> from reinstate.appeal.context import build_context
    >>> ctx = build_context(causes=["late_shipment"], seller={"store_name": "Acme"}, as_of="2026-11-16")
    """
    if fmt not in FORMATS:
        raise TemplateError(f"unknown letter format '{fmt}' (expected one of: {', '.join(FORMATS)})")
    markdown = render_markdown(template_id, context)
    if fmt == "markdown":
        return markdown
    if fmt == "html":
        return markdown_to_html(markdown, title=get_template(template_id).title_en)
    return blocks.to_text(markdown, width=width)
