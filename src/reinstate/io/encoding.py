"""Turning the bytes of a text export into UTF-8, whatever Seller Central wrote.

Amazon flat files arrive as UTF-8 (with or without a BOM), cp1252 (EU/NA downloads) or Shift-JIS (JP).
``to_utf8`` tries, in order: strict UTF-8; UTF-8 with replacement when only a few stray bytes break an
otherwise UTF-8 file; Shift-JIS first for JP; charset-normalizer's choice between cp1252 and
Shift-JIS; cp1252; Shift-JIS; latin-1; and
finally UTF-8 with replacement. It never raises on a stray byte: replaced characters are reported through
``LoadWarning`` with the line numbers where they happened.
"""
from __future__ import annotations

import codecs
import warnings

from charset_normalizer import from_bytes

SAMPLE_BYTES = 256_000  # enough for charset-normalizer to decide; the full file is decoded strictly after
CANDIDATES = ("cp1252", "cp932")
STRAY_BYTE_SHARE = 0.01  # replacement chars per non-ASCII char below which a UTF-8 file is "UTF-8 with strays"


class LoadWarning(UserWarning):
    """Something the loader repaired and the analyst should know about (not a rejected row)."""


def to_utf8(raw: bytes, *, path, marketplace: str = "US") -> tuple[bytes, str]:
    """Return ``(utf8_bytes_without_bom, encoding_name)`` for the bytes of a text file."""
    if raw.startswith(codecs.BOM_UTF8):
        raw, bom = raw[len(codecs.BOM_UTF8):], True
    else:
        bom = False
    try:
        raw.decode("utf-8")
        return raw, "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    non_ascii = sum(1 for ch in text if ord(ch) > 127) if len(text) < 5_000_000 else bad * 1000
    if bom or (non_ascii - bad > 0 and bad <= STRAY_BYTE_SHARE * non_ascii):
        _warn_replaced(text, path, "utf-8")
        return text.encode("utf-8"), "utf-8 (with replacement)"
    candidates = _candidates(raw, marketplace)
    mixed = _mixed(raw, candidates, path)
    if mixed is not None:
        return mixed
    for encoding in candidates:
        try:
            return raw.decode(encoding).encode("utf-8"), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    _warn_replaced(text, path, "utf-8")
    return text.encode("utf-8"), "utf-8 (with replacement)"


def _mixed(raw: bytes, candidates: list[str], path) -> tuple[bytes, str] | None:
    """A file whose lines are partly UTF-8 and partly a legacy encoding (two exports pasted together):
    each line decoded on its own, with a warning naming the lines that were not UTF-8. None when not mixed."""
    lines = raw.split(b"\n")
    utf8_lines, other = 0, []
    for i, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            other.append(i)
    if not utf8_lines or not other:
        return None
    legacy = next((c for c in candidates if c.lower() not in ("utf-8", "utf_8", "ascii")), "cp1252")
    out = list(lines)
    for i in other:
        try:
            out[i] = lines[i].decode(legacy).encode("utf-8")
        except UnicodeDecodeError:
            legacy = "latin-1"  # decodes any byte; the warning says which lines to check
            out[i] = lines[i].decode(legacy).encode("utf-8")
    shown = ", ".join(str(i + 1) for i in other[:10]) + (" ..." if len(other) > 10 else "")
    warnings.warn(f"{path}: mixed encodings: {utf8_lines} line(s) are UTF-8 and {len(other)} are not; "
                  f"line(s) {shown} were read as {legacy}", LoadWarning, stacklevel=3)
    return b"\n".join(out), f"utf-8 + {legacy} (mixed)"


def _candidates(raw: bytes, marketplace: str) -> list[str]:
    # Unrestricted guesses on short files are wild (cp949 for Shift-JIS), so only the encodings Amazon
    # actually uses compete; JP files are tried as Shift-JIS (cp932, its Windows superset) first.
    order = ["cp932"] if str(marketplace).upper() == "JP" else []
    guess = from_bytes(raw[:SAMPLE_BYTES], cp_isolation=list(CANDIDATES)).best()
    if guess is not None:
        order.append(guess.encoding)
    order += [*CANDIDATES, "latin-1"]
    seen, out = set(), []
    for enc in order:
        key = codecs.lookup(enc).name
        if key not in seen:
            seen.add(key)
            out.append(enc)
    return out


def _warn_replaced(text: str, path, encoding: str) -> None:
    lines = [i + 1 for i, line in enumerate(text.split("\n")) if "\ufffd" in line]
    shown = ", ".join(map(str, lines[:10])) + (" ..." if len(lines) > 10 else "")
    warnings.warn(f"{path}: {text.count(chr(0xFFFD))} byte(s) that are not valid {encoding} were replaced by "
                  f"'\ufffd' on line(s) {shown}", LoadWarning, stacklevel=3)
