"""The letter's markup: a small Markdown subset that every export understands.

Templates write ``#``/``##``/``###`` headings, paragraphs (one line each; consecutive lines are
kept as line breaks, as in a sign-off), ``1.`` numbered items, ``-`` bullets and ``**bold**``.
``parse`` turns text into blocks; ``to_text`` turns them into plain text for Seller Central's form.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
NUMBERED = re.compile(r"^\s{0,3}(\d{1,3})[.)]\s+(.*)$")
BULLET = re.compile(r"^\s{0,3}[-*•]\s+(.*)$")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ASCII_PUNCTUATION = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...", "\u00a0": " ", "\u00b7": "-", "\u2022": "-",
})


@dataclass
class Block:
    kind: str                 # "heading" | "para" | "numbered" | "bullets"
    text: str = ""            # heading / paragraph text (paragraph lines joined by "\n")
    level: int = 0            # heading level
    items: list[str] = field(default_factory=list)


def parse(markdown: str) -> list[Block]:
    """Blocks of the Markdown subset above, in order."""
    blocks: list[Block] = []
    for raw in markdown.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        last = blocks[-1] if blocks else None
        if not line.strip():
            blocks.append(Block("blank"))
            continue
        if m := HEADING.match(line):
            blocks.append(Block("heading", m.group(2), level=len(m.group(1))))
        elif m := NUMBERED.match(line):
            if last and last.kind == "numbered":
                last.items.append(m.group(2))
            else:
                blocks.append(Block("numbered", items=[m.group(2)]))
        elif m := BULLET.match(line):
            if last and last.kind == "bullets":
                last.items.append(m.group(1))
            else:
                blocks.append(Block("bullets", items=[m.group(1)]))
        elif last and last.kind == "para":
            last.text += "\n" + line.strip()
        else:
            blocks.append(Block("para", line.strip()))
    return [b for b in blocks if b.kind != "blank"]


def runs(text: str) -> list[tuple[str, bool]]:
    """[(text, bold)] pieces of one line of text."""
    out, pos = [], 0
    for m in BOLD.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], False))
        out.append((m.group(1), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def plain(text: str) -> str:
    """Text without ** markers."""
    return BOLD.sub(r"\1", text)


def to_ascii(text: str) -> str:
    """Curly quotes, dashes, ellipses and non-breaking spaces as their ASCII equivalents."""
    return text.translate(ASCII_PUNCTUATION)


def _wrap(text: str, width: int, indent: str = "", hanging: str = "") -> str:
    if width <= 0:
        return indent + text
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=hanging,
                         break_long_words=False, break_on_hyphens=False)


def to_text(markdown: str, *, width: int = 0, ascii_quotes: bool = False) -> str:
    """Plain text: headings as their own lines, numbered and bulleted items kept, optional wrapping."""
    parts = []
    for block in parse(markdown):
        if block.kind == "heading":
            parts.append(plain(block.text))
        elif block.kind == "para":
            parts.append("\n".join(_wrap(plain(line), width) for line in block.text.split("\n")))
        elif block.kind == "numbered":
            pad = len(str(len(block.items))) + 2
            parts.append("\n".join(_wrap(plain(item), width, f"{i}. ".ljust(pad), " " * pad)
                                   for i, item in enumerate(block.items, 1)))
        else:
            parts.append("\n".join(_wrap(plain(item), width, "- ", "  ") for item in block.items))
    text = "\n\n".join(parts) + "\n"
    return to_ascii(text) if ascii_quotes else text


class _HtmlToMarkdown:
    """Collects an HTML letter as the Markdown subset (headings, paragraphs with <br>, lists, <strong>)."""

    def __init__(self):
        from html.parser import HTMLParser

        outer = self
        self.out: list[str] = []
        self.buf: list[str] = []
        self.lists: list[list] = []      # stack of [kind, counter]
        self.skip = 0

        class P(HTMLParser):
            def handle_starttag(self, tag, attrs):
                outer.start(tag)

            def handle_endtag(self, tag):
                outer.end(tag)

            def handle_data(self, data):
                if not outer.skip:
                    outer.buf.append(data)
        self.parser = P(convert_charrefs=True)

    def flush(self, prefix: str = "") -> None:
        text = " ".join("".join(self.buf).replace("\n", " ").split()) if prefix != "para" else \
            "\n".join(" ".join(part.split()) for part in "".join(self.buf).split("\x00"))
        self.buf = []
        if text.strip():
            self.out.append(text if prefix == "para" else prefix + text)

    def start(self, tag):
        if tag in ("style", "script", "title", "head"):
            self.skip += 1
        elif tag in ("ol", "ul"):
            self.lists.append([tag, 0])
        elif tag == "br":
            self.buf.append("\x00")
        elif tag in ("strong", "b"):
            self.buf.append("**")

    def end(self, tag):
        if tag in ("style", "script", "title", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("strong", "b"):
            self.buf.append("**")
        elif len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.flush("#" * int(tag[1]) + " ")
        elif tag == "p":
            self.flush("para")
        elif tag == "li" and self.lists:
            kind = self.lists[-1]
            kind[1] += 1
            self.flush(f"{kind[1]}. " if kind[0] == "ol" else "- ")
        elif tag in ("ol", "ul") and self.lists:
            self.lists.pop()

    def markdown(self) -> str:
        # Consecutive list items stay together; every other block is its own paragraph.
        parts: list[str] = []
        for block in self.out:
            same_list = parts and (NUMBERED.match(block) and NUMBERED.match(parts[-1].split("\n")[-1])
                                   or BULLET.match(block) and BULLET.match(parts[-1].split("\n")[-1]))
            if same_list:
                parts[-1] += "\n" + block
            else:
                parts.append(block)
        return "\n\n".join(parts) + "\n"


def from_html(html: str) -> str:
    """An exported HTML letter back as the Markdown subset (what the linter reads for .html)."""
    conv = _HtmlToMarkdown()
    conv.parser.feed(html)
    conv.parser.close()
    return conv.markdown()
