"""Write letters and evidence packs to disk: never overwrite, always atomic.

A name that is taken gets a numbered suffix (appeal.docx -> appeal-2.docx). Each file is written to a
temporary file in the same directory and then linked into place, which fails rather than replace a file
that appeared meanwhile.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, strip_control
from ..files import candidates, write_new
from ..io.schema import PII_COLUMNS
from . import blocks
from .docx import docx_bytes
from .render import markdown_to_html

SUFFIX_FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".docx": "docx"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Buyer PII by name (schema list plus patterns), and free text that may hold names or addresses.
PII_PATTERN = re.compile(r"buyer|e-?mail|phone|address|postal|zip|recipient|rater|cpf|customer_id|ship_to|bill_", re.IGNORECASE)
FREE_TEXT = ("feedback_text", "return_comment", "message", "message_text", "comments")


def letter_bytes(markdown: str, fmt: str, *, ascii_quotes: bool = False, width: int = 0,
                 title: str = "Plan of Action") -> bytes:
    """The letter in one format ("txt", "md", "html", "docx") as bytes."""
    # Control characters typed into a field (ESC, BEL, NUL) are invalid in .docx XML and unwanted anywhere.
    markdown = strip_control(markdown)
    if fmt == "txt":
        return blocks.to_text(markdown, width=width, ascii_quotes=ascii_quotes).encode("utf-8")
    if fmt == "md":
        return (blocks.to_ascii(markdown) if ascii_quotes else markdown).encode("utf-8")
    if fmt == "html":
        return markdown_to_html(blocks.to_ascii(markdown) if ascii_quotes else markdown, title=title).encode("utf-8")
    if fmt == "docx":
        return docx_bytes(markdown, ascii_quotes=ascii_quotes)
    raise ConfigError(f"unknown letter format '{fmt}' (expected one of: txt, md, html, docx)")


def export_letter(text_or_rendered: str, path: str | Path, *, fmt: str | None = None, ascii_quotes: bool = False,
                  width: int = 0, title: str = "Plan of Action") -> Path:
    """Write a letter (its Markdown, as ``render_letter(..., fmt="markdown")`` returns) to `path`.

    fmt defaults from the suffix: .txt (for pasting into Seller Central's form: one paragraph per line, a blank
    line between paragraphs, no hard wrap unless `width` > 0; ``ascii_quotes`` for straight quotes and dashes),
    .md, .html (autoescaped), .docx. Never overwrites: returns the path actually written.
    """
    path = Path(path)
    fmt = fmt or SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ConfigError(f"{path}: cannot tell the letter format from the suffix '{path.suffix}' "
                          f"(expected one of: {', '.join(SUFFIX_FORMATS)})")
    return write_new(path, letter_bytes(text_or_rendered, fmt, ascii_quotes=ascii_quotes, width=width, title=title))


def escape_formula(value):
    """Prefix a string that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value):
    if isinstance(value, (list, tuple)):
        value = ";".join(str(v) for v in value)
    elif isinstance(value, (pd.Timestamp, dt.date)):
        value = value.isoformat()
    return escape_formula(value)


def safe_orders_table(orders: pd.DataFrame, *, include_text: bool = False) -> pd.DataFrame:
    """A copy without buyer PII columns (and free text unless asked), every cell formula-safe."""
    pii = {c.lower() for c in PII_COLUMNS}
    keep = [c for c in orders.columns if str(c).lower() not in pii and not PII_PATTERN.search(str(c))
            and (include_text or str(c) not in FREE_TEXT)]
    frame = orders[keep].copy()
    for column in frame.columns:
        if frame[column].dtype == object or str(frame[column].dtype) in ("string", "str") \
                or str(frame[column].dtype).startswith("datetime"):
            frame[column] = frame[column].map(_cell, na_action="ignore")
    return frame


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return strip_control(frame.to_csv(index=False)).encode("utf-8")


def _publish_dir(tmp: Path, out_dir: Path) -> Path:
    """Rename the finished pack to out_dir or its first free numbered variant (never onto an existing one)."""
    for target in candidates(out_dir):
        if target.exists():
            continue
        os.rename(tmp, target)
        return target
    raise AssertionError("unreachable")


def export_evidence_pack(out_dir: str | Path, *, letter: str, orders_frame: pd.DataFrame | None = None,
                         health: pd.DataFrame | None = None, figures: dict | None = None,
                         diagnosis=None, contacts: pd.DataFrame | None = None,
                         letter_formats: tuple[str, ...] = ("txt", "md", "docx"), include_text: bool = False,
                         title: str = "Plan of Action") -> Path:
    """Write an evidence folder (never overwriting: out_dir, out_dir-2, ...) and return its path.

    Holds the letter in each of `letter_formats`, affected_orders.csv (no buyer PII, formula-safe cells),
    metrics.csv and metrics.json (the health table), causes.csv (diagnosis hypotheses), contacts.csv, one PNG
    per matplotlib Figure in `figures` ({name: Figure}), and manifest.json with the sha256 of every file.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Written into a hidden temporary folder and renamed when complete: a failure half way leaves no pack
    # without a manifest behind.
    folder = Path(tempfile.mkdtemp(prefix=".evidence-", dir=out_dir.parent))
    try:
        _write_pack(folder, letter=letter, orders_frame=orders_frame, health=health, figures=figures,
                    diagnosis=diagnosis, contacts=contacts, letter_formats=letter_formats,
                    include_text=include_text, title=title)
        os.chmod(folder, 0o777 & ~_umask())  # mkdtemp makes it private; a pack gets normal permissions
        return _publish_dir(folder, out_dir)
    finally:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_pack(folder: Path, *, letter, orders_frame, health, figures, diagnosis, contacts, letter_formats,
                include_text, title) -> None:
    written: list[Path] = []
    for fmt in letter_formats:
        written.append(write_new(folder / f"letter.{fmt}", letter_bytes(letter, fmt, title=title)))
    if orders_frame is not None:
        written.append(write_new(folder / "affected_orders.csv",
                                 _csv_bytes(safe_orders_table(orders_frame, include_text=include_text))))
    if health is not None:
        table = health[[c for c in health.columns if not health[c].map(lambda v: isinstance(v, (list, tuple))).any()]]
        table = safe_orders_table(table, include_text=True)
        written.append(write_new(folder / "metrics.csv", _csv_bytes(table)))
        records = json.loads(table.to_json(orient="records", date_format="iso"))
        written.append(write_new(folder / "metrics.json", json.dumps({"metrics": records}, indent=2).encode()))
    hypotheses = getattr(diagnosis, "hypotheses", diagnosis)
    if isinstance(hypotheses, pd.DataFrame):
        written.append(write_new(folder / "causes.csv", _csv_bytes(safe_orders_table(hypotheses, include_text=True))))
    if contacts is not None:
        written.append(write_new(folder / "contacts.csv", _csv_bytes(safe_orders_table(contacts, include_text=True))))
    for name, figure in (figures or {}).items():
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).strip("_") or "figure"
        written.append(write_new(folder / f"{safe}.png", buffer.getvalue()))
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": [{"path": p.name, "bytes": p.stat().st_size,
                   "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in written],
    }
    write_new(folder / "manifest.json", json.dumps(manifest, indent=2).encode("utf-8"))
