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

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import InputFileError
from .encoding import to_utf8

DELIMITERS = {"\t": "tab", ",": "comma", ";": "semicolon"}
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")


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
    """Read a CSV/TSV/TXT, Parquet or JSON file. Raises ``InputFileError`` when it cannot be read at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet" or suffix == ".pq":
        return _read_parquet(path)
    raw = path.read_bytes()
    # Whitespace-only test on the first 64 KiB first: stripping a whole large file copies it (0.3 s per
    # 200 MB in the benchmark profile), and a file with content there is not empty.
    blank = b" \t\r\n\x00\xef\xbb\xbf"
    if not raw[:65536].strip(blank) and not raw.strip(blank):
        raise InputFileError(path, "the file is empty", expected="a header line followed by data rows")
    if suffix == ".json" or raw.lstrip()[:1] in (b"{", b"["):
        return _read_json(path, raw)
    data, encoding = to_utf8(raw, path=path, marketplace=marketplace)
    return _read_delimited(path, data, encoding)


def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq
    try:
        frame = pq.read_table(path).to_pandas(types_mapper={pa.string(): pd.StringDtype(),
                                                            pa.large_string(): pd.StringDtype()}.get)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputFileError(path, f"not a readable Parquet file ({exc})", expected="a Parquet file") from None
    # Parquet has no header line; rows are numbered as if it had one, like the text formats.
    return RawTable(str(path), frame, np.arange(2, len(frame) + 2), encoding="parquet")


def _read_json(path: Path, raw: bytes) -> RawTable:
    data, encoding = to_utf8(raw, path=path)
    text = data.decode("utf-8")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        try:  # JSON Lines: one object per line
            doc = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError:
            raise InputFileError(path, f"not valid JSON: {exc.msg}", line=exc.lineno,
                                 expected="a JSON document") from None
    if isinstance(doc, list) and all(isinstance(r, dict) for r in doc):
        frame = pd.DataFrame(doc).astype("string")
        return RawTable(str(path), frame, np.arange(2, len(frame) + 2), encoding=encoding)
    return RawTable(str(path), pd.DataFrame(), np.arange(0), encoding=encoding, json=doc)


def _header_line(data: bytes) -> str:
    end = data.find(b"\n")
    return (data if end < 0 else data[:end]).decode("utf-8").rstrip("\r")


def detect_delimiter(header: str) -> str | None:
    """The delimiter of a header line: the most frequent of tab, comma, semicolon (None if none occurs)."""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else None


def _read_delimited(path: Path, data: bytes, encoding: str) -> RawTable:
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
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            raise InputFileError(path, "the file is empty", expected="a header line followed by data rows") \
                from None
        return _read_with_csv_module(path, data, encoding, delimiter, quoting)
    n = table.num_rows
    newlines = data.count(b"\n")
    trailing = data.endswith(b"\n")
    if bad or newlines != n + (1 if trailing else 0) or len(set(table.column_names)) != table.num_columns:
        return _read_with_csv_module(path, data, encoding, delimiter, quoting)
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
    frame.columns = [c.strip() for c in frame.columns]
    return RawTable(str(path), frame, np.arange(2, n + 2), encoding=encoding, delimiter=delimiter)


def _split_header(header: str, delimiter: str, quoting: bool) -> list[str]:
    reader = csv.reader([header], delimiter=delimiter, quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE)
    return next(reader)


def _read_with_csv_module(path: Path, data: bytes, encoding: str, delimiter: str, quoting: bool) -> RawTable:
    text = data.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE, strict=False)
    rows, lines, bad = [], [], []
    header = None
    start = 1
    for record in reader:
        line = start
        start = reader.line_num + 1
        if header is None:
            header = [h.strip() for h in record]
            continue
        if not record or all(not v.strip() for v in record):
            continue  # blank line
        width = len(header)
        if len(record) < width:
            record = record + [""] * (width - len(record))
        elif len(record) > width:
            if any(v.strip() for v in record[width:]):
                bad.append((line, f"{len(record)} fields where the header has {width}"))
                continue
            record = record[:width]
        rows.append(record)
        lines.append(line)
    if header is None:
        raise InputFileError(path, "the file is empty", expected="a header line followed by data rows")
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise InputFileError(path, "the header names a column twice", line=1, column=dup,
                             expected="each column name once")
    frame = pd.DataFrame(rows, columns=header, dtype="string") if rows else \
        pd.DataFrame({h: pd.Series(dtype="string") for h in header})
    frame = frame.replace("", pd.NA)
    return RawTable(str(path), frame, np.asarray(lines, dtype=np.int64), encoding=encoding,
                    delimiter=delimiter, bad_rows=bad)
