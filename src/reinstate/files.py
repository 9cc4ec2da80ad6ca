"""Writing output files: never overwrite, always atomic (the one place that decides how).

A name that is taken gets a numbered suffix (appeal.docx -> appeal-2.docx, rejects.csv -> rejects-2.csv).
Each file is written to a temporary file in the same directory and then linked into place, which fails rather
than replace a file that appeared meanwhile.
"""
from __future__ import annotations

import os
import re
import stat
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


def _is_device(path: Path) -> bool:
    """/dev/null, a named pipe, a terminal: written to as asked (numbering them would create files)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode)


def write_new(path: str | Path, data: bytes) -> Path:
    """Atomically write bytes to `path`, or to the first free numbered variant; returns the path written.

    A device or pipe (``--rejects /dev/null``) is written to directly: the never-overwrite rule is about files.
    """
    path = Path(path)
    if _is_device(path):
        with open(path, "wb") as handle:
            handle.write(data)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # A short temporary name: one built from the target's name fails for a name near the 255-byte limit.
    fd, tmp = tempfile.mkstemp(prefix=".reinstate-", suffix=".tmp", dir=path.parent)
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


# A cell a spreadsheet would run as a formula starts with one of these (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def formula_safe(value):
    """A string a spreadsheet would run as a formula, prefixed with an apostrophe; other values unchanged.
    Plain numbers such as -5 are left alone (a spreadsheet reads them as the number they are)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_csv(frame) -> str:
    """``frame`` as CSV text with every text cell and header formula-safe: what every CSV export goes through."""
    out = frame.copy()
    out.columns = [formula_safe(str(c)) for c in out.columns]
    for col in out.columns:
        series = out[col]
        if series.dtype == object or str(series.dtype) in ("string", "str"):
            out[col] = series.map(formula_safe, na_action="ignore")
    return out.to_csv(index=False)


def write_new_csv(path: str | Path, frame) -> Path:
    """Write ``frame`` as a formula-safe CSV, never overwriting (see ``write_new``)."""
    return write_new_text(path, safe_csv(frame))


def claim_dir(path: str | Path) -> Path:
    """Create and return a new folder at ``path`` or the first free numbered variant (never reuses one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for target in candidates(path):
        try:
            os.mkdir(target)
            return target
        except FileExistsError:
            continue
    raise AssertionError("unreachable")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(part) -> str:
    """A file-name-safe form of an account or template id (no separators, no leading dots)."""
    return _UNSAFE.sub("_", str(part or "")).strip("._") or "default"
