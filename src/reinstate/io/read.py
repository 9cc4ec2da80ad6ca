"""Reading one file from disk into a table of strings, with the source line number of every record.

Nothing here knows about formats: ``read_file`` returns the header names exactly as written and every
value as a string (Parquet keeps its own types). Format sniffing and column mapping come after.

Delimited text is parsed by pyarrow (fast, multi-threaded). A file whose records do not line up with its
physical lines (quoted line breaks, blank lines, rows with too few or too many fields) is re-read with
Python's ``csv`` module, which knows the line each record starts on; short rows are padded, rows with
extra empty trailing fields are trimmed (both common in Amazon exports), and rows with extra non-empty
fields are returned in ``bad_rows`` to be rejected.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import InputFileError
from .encoding import LoadWarning, to_utf8

DELIMITERS = {"\t": "tab", ",": "comma", ";": "semicolon"}
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")
# A field may be as long as a file (a pasted e-mail thread); the csv module's default cap is 128 KiB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class RawTable:
    """One file as read: string columns with their original header names, plus provenance."""
    path: str
    frame: pd.DataFrame            # original header names; values are strings (NA = empty) unless Parquet/JSON
    lines: np.ndarray              # source line of each record (header = line 1)
    encoding: str = "utf-8"
    delimiter: str | None = None
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (line, reason) of unparseable records
    json: object = None            # parsed document for JSON files that are not tables


def read_file(path, *, marketplace: str = "US") -> RawTable:
    """Read a CSV/TSV/TXT, Parquet, JSON or .xlsx file, also gzip-compressed or as the only member of a zip.

    Raises ``InputFileError`` when it cannot be read at all.
    """
    from .sources import open_sources

    sources = open_sources(Path(path))
    if len(sources) > 1:
        raise InputFileError(path, f"the zip archive holds {len(sources)} files",
                             expected="one export (reinstate.load reads every member)")
    return read_source(sources[0], marketplace=marketplace)


def read_source(source, *, marketplace: str = "US") -> RawTable:
    """Read one ``sources.Source`` (a file, or a table out of a gzip/zip container) into a ``RawTable``."""
    name = source.name
    try:
        raw = source.read()
    except OSError as exc:
        raise InputFileError(name, f"the file cannot be read ({exc.strerror or exc})",
                             expected="a file you may read") from None
    suffix = source.suffix
    # Magic bytes, not just the name (SP-API documents and downloads often have none): Parquet starts and
    # ends with PAR1, a workbook is a zip ("PK\3\4"); a text header such as "PKey,..." is neither.
    if (raw.startswith(b"PAR1") and raw.endswith(b"PAR1")) or suffix in (".parquet", ".pq"):
        return _read_parquet(name, raw)
    if raw.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(name, raw)
    if raw.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise InputFileError(name, "an Excel 97-2003 workbook (.xls) cannot be read",
                             expected="the sheet saved as .xlsx or CSV")
    # Whitespace-only test on the first 64 KiB first: stripping a whole large file copies it (0.3 s per
    # 200 MB in the benchmark profile), and a file with content there is not empty.
    blank = b" \t\r\n\x00\xef\xbb\xbf"
    if not raw[:65536].strip(blank) and not raw.strip(blank):
        raise InputFileError(name, "the file is empty", expected="a header line followed by data rows")
    raw = _from_utf16(raw)
    if b"\x00" in raw[:65536]:
        raise InputFileError(name, "a binary file, not a text export",
                             expected="CSV/TSV/TXT, JSON, Parquet, .xlsx, or any of them gzip- or zip-compressed")
    if suffix in (".json", ".jsonl") or raw.lstrip()[:1] in (b"{", b"["):
        return _read_json(name, raw)
    data, encoding = to_utf8(raw, path=name, marketplace=marketplace)
    return _read_delimited(name, data, encoding)


def _from_utf16(raw: bytes) -> bytes:
    """UTF-16 text (Excel's "Unicode text" export) as UTF-8; other bytes unchanged."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return raw
    return raw


def _read_parquet(name: str, raw: bytes) -> RawTable:
    import pyarrow.parquet as pq
    try:
        frame = pq.read_table(io.BytesIO(raw)).to_pandas(
            types_mapper={pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}.get)
    except (pa.ArrowException, OSError, ValueError, TypeError) as exc:
        raise InputFileError(name, f"not a readable Parquet file ({_short(exc)})", expected="a Parquet file") from None
    frame.columns = unique_header(name, [str(c) for c in frame.columns])
    # Parquet has no header line; rows are numbered as if it had one, like the text formats.
    return RawTable(name, frame, np.arange(2, len(frame) + 2), encoding="parquet")


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]


def _xlsx_cell(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _read_xlsx(name: str, raw: bytes) -> RawTable:
    """The first sheet with data of an .xlsx workbook; every value as a string, dates as ISO 8601."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged or foreign file
        raise InputFileError(name, f"not a readable .xlsx workbook ({type(exc).__name__}: {_short(exc)})",
                             expected="an Excel .xlsx file") from None
    try:
        sheets = []
        for sheet in book.worksheets:
            rows = [[_xlsx_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            if any(any(v is not None for v in row) for row in rows):
                sheets.append((sheet.title, rows))
    finally:
        book.close()
    if not sheets:
        raise InputFileError(name, "the workbook is empty", expected="a header row followed by data rows")
    title, rows = sheets[0]
    if len(sheets) > 1:
        warnings.warn(f"{name}: only the first sheet with data ('{title}') was read; skipped: "
                      + ", ".join(f"'{t}'" for t, _ in sheets[1:]), LoadWarning, stacklevel=3)
    first = next(i for i, row in enumerate(rows) if any(v is not None for v in row))
    header = [h or "" for h in rows[first]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    records, lines, bad = [], [], []
    for i, row in enumerate(rows[first + 1:], start=first + 2):
        if not any(v is not None for v in row):
            continue
        if any(v is not None for v in row[width:]):
            bad.append((i, f"{len(row)} cells where the header has {width}"))
            continue
        records.append((list(row[:width]) + [None] * width)[:width])
        lines.append(i)
    header = unique_header(name, header)
    frame = pd.DataFrame(records, columns=header, dtype="string") if records else \
        pd.DataFrame({h: pd.Series(dtype="string") for h in header})
    return RawTable(name, frame, np.asarray(lines, dtype=np.int64), encoding="xlsx", bad_rows=bad)


def _read_json(name: str, raw: bytes) -> RawTable:
    data, encoding = to_utf8(raw, path=name)
    text = data.decode("utf-8")
    try:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            try:  # JSON Lines: one object per line
                doc = [json.loads(line) for line in text.splitlines() if line.strip()]
            except json.JSONDecodeError:
                raise InputFileError(name, f"not valid JSON: {exc.msg}", line=exc.lineno,
                                     expected="a JSON document") from None
    except RecursionError:
        raise InputFileError(name, "the JSON document is nested too deeply to read",
                             expected="a JSON document nested fewer than about 900 levels") from None
    if isinstance(doc, list) and doc and all(isinstance(r, dict) for r in doc):
        # Nested values become their JSON text (not a Python repr); numbers and strings as written.
        records = [{str(k): (v if v is None or isinstance(v, str) else _json_text(v)) for k, v in r.items()}
                   for r in doc]
        frame = pd.DataFrame(records).astype("string")
        frame.columns = unique_header(name, [str(c) for c in frame.columns])
        return RawTable(name, frame, np.arange(2, len(frame) + 2), encoding=encoding)
    return RawTable(name, pd.DataFrame(), np.arange(0), encoding=encoding, json=doc)


def _json_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError):
        return ""


def header_key(name: str) -> str:
    """How two header names are compared for a clash: case, spaces, dashes and underscores ignored."""
    return re.sub(r"[\s_\-]+", "_", str(name).strip().casefold()).strip("_")


def unique_header(name: str, header: list[str]) -> list[str]:
    """The header with unnamed columns named ``unnamed_<n>``; two names that mean the same column are a
    file-level error naming both (``Order-ID`` and ``order id``, ``notes`` and `` notes``)."""
    out = [str(h).strip() or f"unnamed_{i + 1}" for i, h in enumerate(header)]
    seen: dict[str, int] = {}
    for i, h in enumerate(out):
        key = header_key(h)
        if key in seen:
            raise InputFileError(name, f"the header names the same column twice ({str(header[seen[key]])!r} and "
                                       f"{str(header[i])!r})", line=1, column=h, expected="each column name once (case, spaces and dashes "
                                                            "do not make two names different)")
        seen[key] = i
    return out


def _header_line(data: bytes) -> str:
    end = data.find(b"\n")
    return (data if end < 0 else data[:end]).decode("utf-8").rstrip("\r")


def detect_delimiter(header: str) -> str | None:
    """The delimiter of a header line: the most frequent of tab, comma, semicolon (None if none occurs)."""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else None


def _read_delimited(path: str, data: bytes, encoding: str) -> RawTable:
    header = _header_line(data)
    delimiter = detect_delimiter(header) or ","
    # Amazon's tab-delimited reports never quote: a '"' in a product name is a literal inch sign.
    quoting = delimiter != "\t" or header.startswith('"')
    bad: list = []

    def on_invalid(row):
        bad.append(row)
        return "skip"

    def arrow_read(block_size: int):
        bad.clear()
        return pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(block_size=block_size),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"' if quoting else False,
                                              newlines_in_values=quoting, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in _split_header(header, delimiter, quoting)},
                strings_can_be_null=True, quoted_strings_can_be_null=True, null_values=[""]),
        )

    try:
        try:
            # 1 MiB blocks (Arrow's default) parse a 200 MB file about 2x faster than 16 MiB ones in the
            # benchmark; only a record longer than a block needs the larger size.
            table = arrow_read(1 << 20)
        except pa.ArrowInvalid as exc:
            if "straddl" not in str(exc):
                raise
            table = arrow_read(1 << 26)
    except pa.ArrowException:
        # Arrow also gives up on a header with no line break after it ("Empty CSV file"); the careful reader
        # knows a header-only file from an empty one.
        return _read_with_csv_module(path, data, encoding, delimiter, quoting)
    n = table.num_rows
    newlines = data.count(b"\n")
    trailing = data.endswith(b"\n")
    # Any record that is not exactly one physical line (quoted line breaks, a stray quote, blank lines, a
    # lone CR) goes through the careful reader, which knows the line of every record.
    if bad or newlines != n + (1 if trailing else 0) or data.count(b"\r") != data.count(b"\r\n") \
            or len(set(table.column_names)) != table.num_columns:
        return _read_with_csv_module(path, data, encoding, delimiter, quoting)
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
    frame.columns = unique_header(path, list(frame.columns))
    return RawTable(str(path), frame, np.arange(2, n + 2), encoding=encoding, delimiter=delimiter)


def _split_header(header: str, delimiter: str, quoting: bool) -> list[str]:
    try:
        reader = csv.reader([header], delimiter=delimiter,
                            quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE)
        return next(reader, [])
    except csv.Error:
        return []


def _physical_lines(text: str) -> list[str]:
    """The file's lines as the csv module counts them (\\n, \\r\\n or a lone \\r end a line)."""
    return io.StringIO(text, newline="").readlines()


def _unclosed(chunk: str, delimiter: str, quoting: bool) -> bool:
    """True when ``chunk`` (one record's text) ends inside a quoted field."""
    try:
        for _ in csv.reader(io.StringIO(chunk, newline=""), delimiter=delimiter, strict=True,
                            quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE):
            pass
    except csv.Error:
        return True
    return False


def _read_with_csv_module(path: str, data: bytes, encoding: str, delimiter: str, quoting: bool) -> RawTable:
    """The careful reader: every physical line is accounted for.

    A record that spans several lines is a quoted line break only when it has the header's width and
    no line inside it looks like a row of its own; otherwise a quote opened on its first line never
    closed where it should: that line is rejected (naming the line) and reading resumes on the next one,
    so one stray quote costs one row, never the rest of the file.
    """
    lines_of = _physical_lines(data.decode("utf-8"))
    total = len(lines_of)
    rows, lines, bad = [], [], []
    header = None
    width = 0
    start = 0          # index of the next physical line to read
    while start < total:
        reader = csv.reader((lines_of[i] for i in range(start, total)), delimiter=delimiter,
                            quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE, strict=False)
        restart = None
        before = 0
        while True:
            try:
                record = next(reader, None)
            except csv.Error as exc:
                raise InputFileError(path, f"cannot be parsed ({exc})", line=start + reader.line_num,
                                     expected="delimited text") from None
            if record is None:
                break
            first, last = start + before + 1, start + reader.line_num  # 1-based, inclusive
            before = reader.line_num
            if last > first and quoting and _run_on(record, header, width, delimiter, lines_of, first, last,
                                                   quoting):
                if header is None:
                    raise InputFileError(path, "a quote opened in the header never closes", line=first,
                                         expected="balanced double quotes")
                reason = (f"unbalanced quote: a quote opened on line {first} does not close where the field "
                          f"ends (it would swallow lines {first + 1}-{last})")
                bad.append((first, reason))
                restart = first  # the next line is read afresh
                break
            if header is None:
                header = unique_header(path, record)
                width = len(header)
                continue
            if not record or all(not v.strip() for v in record):
                continue  # blank line
            if len(record) < width:
                record = record + [""] * (width - len(record))
            elif len(record) > width:
                if any(v.strip() for v in record[width:]):
                    bad.append((first, f"{len(record)} fields where the header has {width}"))
                    continue
                record = record[:width]
            rows.append(record)
            lines.append(first)
        if restart is None:
            break
        start = restart
    if header is None:
        raise InputFileError(path, "the file is empty", expected="a header line followed by data rows")
    frame = pd.DataFrame(rows, columns=header, dtype="string") if rows else \
        pd.DataFrame({h: pd.Series(dtype="string") for h in header})
    frame = frame.replace("", pd.NA)
    return RawTable(str(path), frame, np.asarray(lines, dtype=np.int64), encoding=encoding,
                    delimiter=delimiter, bad_rows=sorted(bad))


def _run_on(record, header, width, delimiter, lines_of, first, last, quoting) -> bool:
    """Is this multi-line record a stray quote running on (rather than a quoted line break)?"""
    if last == len(lines_of) and _unclosed("".join(lines_of[first - 1:last]), delimiter, quoting):
        return True
    if header is None:
        return False
    fields = len(record)
    if fields > width and not any(v.strip() for v in record[width:]):
        fields = width
    if fields != width:
        return True
    # Same width by coincidence: a line inside a field that is a whole row of its own gives it away.
    inner = lines_of[first:last - 1]
    return width > 1 and any(line.count(delimiter) >= width - 1 for line in inner)
