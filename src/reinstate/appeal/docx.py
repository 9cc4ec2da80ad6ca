"""Word (.docx) form of a letter with python-docx: headings, numbered and bulleted lists, bold runs.

``write_docx`` builds the document from the letter's Markdown subset; ``read_docx`` turns a .docx letter
back into that subset so the linter can read letters the analyst edited in Word.
"""
from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ..errors import InputFileError
from . import blocks


def _restart_numbering(document, paragraph) -> None:
    """Make this 'List Number' paragraph start a new list at 1 (python-docx continues numbering by default)."""
    numbering = document.part.numbering_part.numbering_definitions._numbering
    style = document.styles["List Number"]
    num_pr = style.element.pPr.numPr if style.element.pPr is not None else None
    if num_pr is None or num_pr.numId is None:
        return
    style_num = numbering.num_having_numId(num_pr.numId.val)
    abstract_id = style_num.abstractNumId.val
    num = numbering.add_num(abstract_id)
    override = num.add_lvlOverride(ilvl=0)
    start = OxmlElement("w:startOverride")
    start.set(qn("w:val"), "1")
    override.append(start)
    p_pr = paragraph._p.get_or_add_pPr()
    p_num = p_pr.get_or_add_numPr()
    p_num.get_or_add_ilvl().val = 0
    p_num.get_or_add_numId().val = num.numId


def _add_runs(paragraph, text: str) -> None:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        for piece, bold in blocks.runs(line):
            paragraph.add_run(piece).bold = bold or None
        if i < len(lines) - 1:
            paragraph.add_run().add_break()


def docx_bytes(markdown: str, *, ascii_quotes: bool = False) -> bytes:
    """The letter as .docx bytes."""
    document = docx.Document()
    for block in blocks.parse(blocks.to_ascii(markdown) if ascii_quotes else markdown):
        if block.kind == "heading":
            document.add_heading(blocks.plain(block.text), level=min(block.level, 4))
        elif block.kind == "para":
            _add_runs(document.add_paragraph(), block.text)
        else:
            style = "List Number" if block.kind == "numbered" else "List Bullet"
            for i, item in enumerate(block.items):
                paragraph = document.add_paragraph(style=style)
                _add_runs(paragraph, item)
                if i == 0 and block.kind == "numbered":
                    _restart_numbering(document, paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def read_docx(path: str | Path) -> str:
    """A .docx letter as the Markdown subset: headings '#', numbered items '1.', bullets '-'."""
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several unrelated types for a bad file
        raise InputFileError(path, f"not a readable .docx file ({type(exc).__name__})",
                             expected="a Word document saved as .docx") from None
    out, counter, previous = [], 0, None
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = paragraph.style.name if paragraph.style is not None else ""
        if style.startswith("Heading"):
            level = int(style.split()[-1]) if style.split()[-1].isdigit() else 1
            line, kind = "#" * level + " " + text, "heading"
        elif style.startswith("List Number"):
            counter = counter + 1 if previous == "numbered" else 1
            line, kind = f"{counter}. {text}", "numbered"
        elif style.startswith("List"):
            line, kind = f"- {text}", "bullets"
        else:
            line, kind = text, "para"
        joined = kind in ("numbered", "bullets") and kind == previous
        out.append(("\n" if joined else "\n\n") + line if out else line)
        previous = kind
    return "".join(out) + "\n"
