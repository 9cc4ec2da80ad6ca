"""Property-based tests (hypothesis) for the readers: whatever the bytes, a verdict and counts that add up.

* Any table written by Python's csv module (quotes, delimiters, line breaks, control characters and any
  Unicode inside fields) reads back record for record, on the fast path and the careful one.
* Any bytes at all: ``read_source`` returns a table or raises ``InputFileError``; ``load_report`` gives every
  file a status and rows_read == rows_accepted + rows_rejected.
* A stray quote anywhere costs at most its own line: the careful reader still finds every other record.
* Timestamps: any text is parsed or rejected per value, never an exception.
* Masking: a phone number or an e-mail address in any surrounding text is masked.
"""
import csv
import io

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reinstate.errors import ReinstateError
from reinstate.io.coerce import parse_timestamp
from reinstate.io.load import load_report
from reinstate.io.pii import mask_text
from reinstate.io.read import read_source
from reinstate.io.sources import Source

HEADER = ["order_id", "purchase_date", "fulfillment_channel", "order_status", "notes"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.function_scoped_fixture])
hostile_char = st.sampled_from(list(',;\t"\'\r\n \x00\x07\x1b\\=+-@é€😀日本') + ["a", "b", "1", "2"])
field = st.text(alphabet=st.one_of(hostile_char, st.characters(codec="utf-8", exclude_characters="\x00")),
                max_size=30)


def _source(data: bytes, name="table.csv") -> Source:
    return Source(name, None, data)


def _csv_bytes(rows) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # lineterminator \r\n: fields holding \r or \n get quoted
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@SETTINGS
@given(st.lists(st.lists(field.filter(lambda v: "\x00" not in v), min_size=5, max_size=5), min_size=1, max_size=12))
def test_a_well_quoted_csv_reads_back_record_for_record(rows):
    # A record whose every field is blank is a blank line to any reader; the first field is never blank here.
    rows = [[f"id{i}", *r[1:]] for i, r in enumerate(rows)]
    raw = read_source(_source(_csv_bytes(rows)))
    got = raw.frame.fillna("").astype(str).values.tolist()
    assert got == [[v if v != "" else "" for v in r] for r in rows]
    assert len(raw.lines) == len(rows) and list(raw.lines) == sorted(raw.lines)


@SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes_give_a_table_or_a_clear_error(data):
    for name in ("x.csv", "x.json", "x.xlsx", "x.parquet", "x"):
        try:
            raw = read_source(_source(data, name))
        except ReinstateError:
            continue
        assert len(raw.lines) == len(raw.frame)


@SETTINGS
@given(st.lists(st.sampled_from(list('abc12,;"\t\r\n-:TZ+ ') + ["order_id", "purchase_date",
                                                                  "fulfillment_channel", "order_status",
                                                                  "2026-01-02", "MFN", "Shipped", "\xe9"]),
                max_size=120).map("".join))
def test_load_report_never_raises_for_a_file_and_counts_add_up(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("p")
    (folder / "orders.csv").write_text(text, encoding="utf-8", newline="")
    data = load_report(folder)
    (report,) = [f for f in data.files if f.status != "skipped"]
    assert report.status in ("ok", "error")
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    assert report.rows_read >= 0 and 0 <= report.rows_unmatched <= report.rows_accepted


@SETTINGS
@given(st.integers(min_value=0, max_value=29), st.sampled_from(['"', '"oops', 'x"y', '""', '"a,b']))
def test_a_stray_quote_costs_at_most_its_own_line(at, stray):
    rows = [[f"A{i}", "2026-01-02T10:00:00Z", "MFN", "Shipped", f"n{i}"] for i in range(30)]
    lines = [",".join(HEADER)] + [",".join(r) for r in rows]
    lines[at + 1] = lines[at + 1].rsplit(",", 1)[0] + "," + stray
    raw = read_source(_source(("\n".join(lines) + "\n").encode()))
    found = set(raw.frame["order_id"].dropna())
    rejected = {line for line, _ in raw.bad_rows}
    assert len(raw.frame) + len(raw.bad_rows) == 30                   # every record accounted for
    assert {f"A{i}" for i in range(30) if i != at} <= found            # the others all arrive
    assert rejected <= {at + 2}


@SETTINGS
@given(st.lists(st.text(max_size=40), min_size=1, max_size=20))
def test_any_timestamp_text_is_parsed_or_rejected_per_value(values):
    series = pd.Series(values, dtype="string")
    parsed, bad = parse_timestamp(series, pd.Series(["US"] * len(values), dtype="string"))
    assert len(parsed) == len(values) and str(parsed.dtype) == "datetime64[ns, UTC]"
    assert not (bad & parsed.notna()).any()


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
french = st.lists(st.integers(10, 99), min_size=4, max_size=4).map(lambda p: "06 " + " ".join(map(str, p)))
us = st.tuples(st.integers(200, 999), st.integers(200, 999), st.integers(1000, 9999)).map(
    lambda t: f"+1 ({t[0]}) {t[1]}-{t[2]}")
glued = st.integers(10**9, 10**10 - 1).map(lambda n: f"phone{n}")
words = st.text(alphabet="abcdefgh ,.!?", max_size=20)


@SETTINGS
@given(words, st.one_of(french, us, glued), words)
def test_a_phone_number_in_any_text_is_masked(before, phone, after):
    masked = mask_text(f"{before} {phone} {after}")
    assert "[phone]" in masked
    assert sum(ch.isdigit() for ch in masked) <= sum(ch.isdigit() for ch in before + after)


@SETTINGS
@given(words, st.from_regex(r"[a-z][a-z0-9._+-]{0,10}@[a-z0-9-]{1,10}\.[a-z]{2,4}", fullmatch=True), words)
def test_an_email_in_any_text_is_masked(before, email, after):
    masked = mask_text(f"{before} {email} {after}")
    assert "@" not in masked and "[email]" in masked
