"""Writing output files: never overwrite, always atomic (the one place that decides how).

A name that is taken gets a numbered suffix (appeal.docx -> appeal-2.docx, rejects.csv -> rejects-2.csv).
Each file is written to a temporary file in the same directory and then linked into place, which fails rather
than replace a file that appeared meanwhile.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path


def candidates(path: Path):
    """path, path-2, path-3, ... (the suffix goes before the extension)."""
    yield path
    n = 2
    while True:
        yield path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_new(path: str | Path, data: bytes) -> Path:
    """Atomically write bytes to `path`, or to the first free numbered variant; returns the path written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; exports get the user's normal permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        for target in candidates(path):
            try:
                os.link(tmp, target)  # fails if the target exists: never overwrites
                return target
            except FileExistsError:
                continue
            except OSError:  # no hard links on this file system: check, then rename
                if target.exists():
                    continue
                os.replace(tmp, target)
                return target
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    raise AssertionError("unreachable")


def write_new_text(path: str | Path, text: str) -> Path:
    """``write_new`` for text (UTF-8)."""
    return write_new(path, text.encode("utf-8"))


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(part) -> str:
    """A file-name-safe form of an account or template id (no separators, no leading dots)."""
    return _UNSAFE.sub("_", str(part or "")).strip("._") or "default"
