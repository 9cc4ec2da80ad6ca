"""Autosaved appeal drafts: one JSON file per (account, appeal type) under ``<out>/drafts/``.

The builder writes the draft on every change and reads it back when it is opened again for the same
account and template, so a kernel restart (or a closed browser tab) loses nothing. Writes are atomic
(temp file, then rename) so a crash mid-write leaves the previous draft intact.

File format (UTF-8 JSON, ``version`` 1)::

    {"version": 1, "account": "...", "template_id": "odr", "saved_at": "2026-11-16T10:00:00+00:00",
     "state": {...the builder's plain-Python state: fields, causes, actions, format...}}
"""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from ..errors import ReinstateError
from ..files import safe_name

DRAFT_VERSION = 1




def draft_path(out_dir, account: str | None, template_id: str) -> Path:
    """``<out_dir>/drafts/<account>__<template>.json``."""
    return Path(out_dir) / "drafts" / f"{safe_name(account)}__{safe_name(template_id)}.json"


def save_draft(path, state: dict, *, account: str | None, template_id: str) -> Path:
    """Write ``state`` (JSON-serialisable; dates as ISO strings) to ``path`` atomically and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"version": DRAFT_VERSION, "account": account, "template_id": template_id,
           "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "state": state}
    fd, tmp = tempfile.mkstemp(prefix=".draft-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=1, default=str)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class DraftError(ReinstateError):
    """A draft file exists but cannot be used (truncated, hand-edited, or from another version)."""


def load_draft(path) -> dict | None:
    """The saved state, or ``None`` when there is no draft yet.

    Raises ``DraftError`` naming the file when it exists but is unreadable; the builder then starts
    fresh, says so, and its next save replaces the file.
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DraftError(f"{path}: cannot be read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise DraftError(f"{path}, line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("state"), dict):
        raise DraftError(f"{path}: expected an object with a 'state' object")
    if doc.get("version") != DRAFT_VERSION:
        raise DraftError(f"{path}: draft version {doc.get('version')!r}, expected {DRAFT_VERSION}")
    return doc["state"]
