"""Which files to read, and the bytes each holds: folders are listed, containers are opened.

``scan(paths)`` expands files and folders into ``Source`` objects plus a list of what a folder held that is
not read (hidden files, README*, truth.json, sub-folders, documents and pictures), so nothing is skipped
silently. A file is recognised by its content, not its name: gzip (SP-API report documents come
gzip-compressed) is decompressed, a zip archive yields one source per member, an .xlsx workbook is read with
openpyxl; anything else is text (CSV/TSV/TXT/JSON, whatever it is called), Parquet or refused as binary.
"""
from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError

# In a folder, files with these endings (or none) are read; anything else is listed as skipped.
FOLDER_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".dat", ".parquet", ".pq", ".json", ".jsonl", ".gz", ".zip",
                   ".xlsx", ".xlsm", ".xls", "")
SKIP_NAMES = ("truth.json",)
GZIP_MAGIC, ZIP_MAGIC = b"\x1f\x8b", (b"PK\x03\x04", b"PK\x05\x06")   # a zip with members, an empty zip
# Decompressed size above which a container is refused (a zip bomb must not exhaust memory).
MAX_UNPACKED = 8 << 30


@dataclass
class Source:
    """One table to read: ``name`` is what messages call it (the path, or ``archive.zip:member.csv``)."""
    name: str
    path: Path
    data: bytes | None = None     # the bytes when they came out of a container (else read from ``path``)
    suffix: str = ""              # the ending that names the content (report.txt.gz -> .txt)

    def __post_init__(self):
        if not self.suffix:
            self.suffix = Path(self.name.rsplit(":", 1)[-1] if ".zip:" in self.name else self.name).suffix.lower()

    def read(self) -> bytes:
        if self.data is None:
            self.data = self.path.read_bytes()
        return self.data


def _skip_reason(f: Path) -> str | None:
    name = f.name.lower()
    if f.name.startswith("."):
        return "hidden file"
    if f.is_dir():
        return "sub-folder (not searched)"
    if not f.is_file():
        return "not a regular file"
    if name.startswith("readme") or name in SKIP_NAMES:
        return "documentation or generator notes, not an export"
    if f.suffix.lower() not in FOLDER_SUFFIXES:
        return f"'{f.suffix}' is not an export format (read: {', '.join(s for s in FOLDER_SUFFIXES if s)}, " \
               "or no extension)"
    return None


def scan(paths) -> tuple[list[Path], list[tuple[str, str]]]:
    """(files to read, [(path, why it was skipped)]) for files and folders; a path that is missing is an error."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            try:
                entries = sorted(p.iterdir())
            except OSError as exc:
                raise InputFileError(p, f"the folder cannot be read ({exc.strerror or exc})",
                                     expected="a folder you may list") from None
            found = []
            for f in entries:
                reason = _skip_reason(f)
                if reason:
                    skipped.append((str(f), reason))
                else:
                    found.append(f)
            if not found:
                raise InputFileError(p, "the folder holds no data files",
                                     expected="files ending in " + ", ".join(s for s in FOLDER_SUFFIXES if s)
                                              + " (or with no extension)")
            out += found
        elif p.exists():
            out.append(p)
        else:
            raise InputFileError(p, "no such file or folder", expected="a path to an export or a folder of them")
    seen, unique = set(), []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, skipped


def open_sources(path: Path) -> list[Source]:
    """The tables a file holds: itself, its gzip content, or each data member of a zip archive."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "not a regular file", expected="an export file")
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise InputFileError(path, f"the file cannot be read ({exc.strerror or exc})",
                             expected="a file you may read") from None
    if head.startswith(GZIP_MAGIC):
        inner = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
        return [Source(str(path), path, _gunzip(path), Path(inner).suffix.lower() or ".txt")]
    if head.startswith(ZIP_MAGIC) and not _is_workbook(path):
        return _unzip(path)
    return [Source(str(path), path)]


def _gunzip(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as handle:
            data = handle.read(MAX_UNPACKED + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputFileError(path, f"not a readable gzip file ({exc})", expected="a complete .gz file") from None
    if len(data) > MAX_UNPACKED:
        raise InputFileError(path, "the gzip content is larger than 8 GiB", expected="a smaller export")
    return data


def _is_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _unzip(path: Path) -> list[Source]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(path, f"not a readable zip archive ({exc})", expected="a complete .zip file") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")
                   and not Path(m.filename).name.startswith(".")]
        if not members:
            raise InputFileError(path, "the zip archive holds no files", expected="exports inside the archive")
        if sum(m.file_size for m in members) > MAX_UNPACKED:
            raise InputFileError(path, "the zip content is larger than 8 GiB", expected="a smaller export")
        out = []
        for m in members:
            try:
                data = archive.read(m)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, zlib.error) as exc:
                raise InputFileError(f"{path}:{m.filename}", f"cannot be extracted ({exc})",
                                     expected="an unencrypted, complete zip archive") from None
            if data.startswith(GZIP_MAGIC):
                try:
                    data = gzip.decompress(data)
                except (OSError, EOFError, zlib.error) as exc:
                    raise InputFileError(f"{path}:{m.filename}", f"not a readable gzip file ({exc})") from None
            inner = m.filename[:-3] if m.filename.lower().endswith(".gz") else m.filename
            out.append(Source(f"{path}:{m.filename}", path, data, Path(inner).suffix.lower() or ".txt"))
        return out

