"""The fast path (``reinstate.io.fast``) against the careful loader: the same health, every row and column, or the
file goes to the careful loader.

The fast path is only allowed to give what ``reinstate.load`` + ``account_health`` give. Here both run on the
same CSV and their health tables must be exactly equal: the bundled sample's orders on three days, the golden
inputs (the bundled sample with its feedback/claims/chargebacks merged; a generated US + DE set around both DST
changes; the same orders over 200 accounts) written as canonical CSV, and a mutation corpus of single
off-normal values, each of which must either be refused by the gate or give the same health.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import reinstate
from reinstate import cli
from reinstate.io.fast import fast_source
from reinstate.io.load import load
from reinstate.metrics.flags import order_flags
from reinstate.metrics.health import account_health

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
GOLDEN = ROOT / "tests" / "metrics" / "golden"
HOSTILE = ROOT / "tests" / "hostile" / "files"


def careful(path, day):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return account_health(load(path), as_of=day)


def fast(path, day):
    """The fast path's health, or None when the file is not a candidate or the gate refuses it."""
    src = fast_source(path)
    if src is None or not src.gate():
        return None
    try:
        return account_health(src.stub(), as_of=day, flags=src.flags(day))
    finally:
        src.close()


def write_canonical(orders: pd.DataFrame, path: Path) -> Path:
    """A loaded order table as a canonical CSV in normal form: UTC timestamps to the second with +00:00,
    true/false, plain integers (sub-second parts are dropped: the normal form has whole seconds)."""
    out = {}
    for col in orders.columns:
        s = orders[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        elif str(s.dtype) == "boolean":
            out[col] = s.map({True: "true", False: "false"}, na_action="ignore")
        else:
            out[col] = s.astype("string")
    pd.DataFrame(out).to_csv(path, index=False, na_rep="")
    return path


def assert_same(path, days):
    for day in days:
        got = fast(path, day)
        assert got is not None, f"{path.name}: the gate refused a file in normal form"
        pd.testing.assert_frame_equal(got, careful(path, day))


# ---------------------------------------------------------------------------------------------- identity
def test_bundled_sample_orders_on_three_days():
    assert_same(SAMPLE / "orders.csv", ["2026-11-16", "2026-10-01", "2026-09-10"])


@pytest.mark.parametrize("name,days", [("sample", ["2026-11-16", "2026-10-01", "2026-09-10"]),
                                       ("generated", ["2026-03-21", "2026-03-29", "2025-11-02"])])
def test_golden_inputs_as_csv(tmp_path, name, days):
    """The golden inputs (feedback, claims and chargebacks merged in; US + DE with both DST changes) written
    as one canonical CSV: every ODR component, both time zones and the DST days go through the fast path."""
    orders = pd.read_parquet(GOLDEN / f"orders_{name}.parquet")
    path = write_canonical(orders, tmp_path / "orders.csv")
    assert_same(path, days)
    if name == "generated":
        health = fast(path, days[0])
        assert set(health["marketplace"]) == {"US", "DE"}


def test_many_accounts(tmp_path):
    orders = pd.read_parquet(GOLDEN / "orders_generated.parquet")
    codes = pd.util.hash_array(orders["order_id"].astype(object).to_numpy()) % 200
    orders["account"] = pd.array([f"acct-{int(c):03d}" for c in codes], dtype="string")
    path = write_canonical(orders, tmp_path / "orders.csv")
    assert_same(path, ["2026-03-21"])
    assert fast(path, "2026-03-21")["account"].nunique() == 200


def test_an_orders_first_item_row_decides_its_category(tmp_path):
    """VTR per category counts an order under its first item row's category (``order_flags``). The fast path
    aggregates without file order and takes that category from a light row-numbered pass where an order's rows
    disagree: here every order of two or more rows has a first row whose category sorts *after* the others'
    (so the smallest is not it), and every third of them a missing first category (so the largest is not it
    either)."""
    orders = pd.read_parquet(GOLDEN / "orders_generated.parquet")
    position = orders.groupby(["account", "marketplace", "order_id"], sort=False).cumcount()
    size = orders.groupby(["account", "marketplace", "order_id"], sort=False)["order_id"].transform("size")
    multi = size > 1
    assert multi.sum() > 100
    first = multi & (position == 0)
    codes = pd.util.hash_array(orders["order_id"].astype(object).to_numpy()) % 3
    category = pd.Series(["Aa later row"] * len(orders), dtype="string", index=orders.index)
    category[first] = "Zz first row"
    category[first & (codes == 0)] = pd.NA
    orders["product_category"] = category
    path = write_canonical(orders, tmp_path / "orders.csv")
    assert_same(path, ["2026-03-21"])
    # The categories per order themselves: as many orders under each as order_flags puts there. Taking the
    # smallest value would put the "Zz" orders under "Aa later row"; the largest, the missing ones under "Zz".
    src = fast_source(path)
    assert src.gate()
    got = src.flags(pd.Timestamp("2026-03-21").date())["product_category"].astype("string")
    src.close()
    want = order_flags(load(path).orders, as_of="2026-03-21")["product_category"].astype("string")
    counts = lambda s: s.fillna("(none)").value_counts().sort_index()
    pd.testing.assert_series_equal(counts(got), counts(want))
    assert counts(want)["Zz first row"] > 300 and counts(want)["(none)"] > 100


def test_health_matches_the_golden_results_where_whole_seconds_change_nothing(tmp_path):
    """Independent of both paths: the golden health (written by the pandas rule code before the engine) of
    the bundled sample, without late responses (no message file here)."""
    orders = pd.read_parquet(GOLDEN / "orders_sample.parquet")
    path = write_canonical(orders, tmp_path / "orders.csv")
    got = fast(path, "2026-11-16")
    want = pd.read_parquet(GOLDEN / "health_sample_2026-11-16.parquet")
    want = want[want["metric"] != "late_response_rate"].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


# ---------------------------------------------------------------------------------------------- the gate
def _rows(n=1000):
    text = (SAMPLE / "orders.csv").read_text()
    lines = text.splitlines()
    return lines[0].split(","), [line.split(",") for line in lines[1:n + 1]]


def _write(path: Path, header, rows, *, newline="\n", prefix=b"") -> Path:
    body = newline.join([",".join(header)] + [",".join(r) for r in rows]) + newline
    path.write_bytes(prefix + body.encode("utf-8"))
    return path


def _set(rows, line, column, value, header):
    rows = [list(r) for r in rows]
    rows[line][header.index(column)] = value
    return rows


# (name, column or None, a function of the header and rows returning (header, rows), must the gate refuse?)
def _mutations():
    def one(column, value, row=500):
        return lambda h, r: (h, _set(r, row, column, value, h))

    def first_ship_date_of_a_shipped_row(h, r):
        i = next(i for i, row in enumerate(r) if row[h.index("ship_confirmed_at")])
        return h, _set(r, i, "ship_confirmed_at", "2026-07-20 12:54:48", h)

    def duplicate(h, r):
        return h, r + [list(r[10])]

    def disagree(h, r):
        # An order with two item rows whose carrier differs.
        ids = [row[0] for row in r]
        i = next(i for i in range(len(r)) if ids.count(ids[i]) > 1)
        j = next(j for j in range(len(r)) if j != i and ids[j] == ids[i])
        return h, _set(r, j, "carrier", "DHL" if r[j][h.index("carrier")] != "DHL" else "UPS", h)

    def four_items(h, r, duplicate=False):
        # Three more item rows of the order on row 10 (other SKUs), the last a copy of the first if asked.
        sku = h.index("sku")
        more = [list(r[10]) for _ in range(3)]
        for i, row in enumerate(more):
            row[sku] = f"EXTRA-SKU-{i}"
        if duplicate:
            more[-1] = list(r[10])
        return h, r[:11] + more + r[11:]

    def extra_column(h, r):
        return h + ["note"], [row + ["x"] for row in r]

    def short_row(h, r):
        return h, r[:5] + [r[5][:-1]] + r[6:]

    return [
        ("timestamp without offset", first_ship_date_of_a_shipped_row, True),
        ("date-only deadline", one("latest_ship_date", "2026-07-20"), True),
        ("fractional seconds", one("purchase_date", "2026-07-19T02:02:10.5-07:00"), True),
        ("offset without colon", one("purchase_date", "2026-07-19T02:02:10-0700"), True),
        ("Z offset", one("purchase_date", "2026-07-19T09:02:10Z"), True),
        ("year 2250", one("purchase_date", "2250-07-19T02:02:10-07:00"), True),
        ("space inside a timestamp", one("purchase_date", "2026-07-19T 2:02:10-07:00"), True),
        ("space for the T", one("purchase_date", "2026-07-19 02:02:10-07:00"), True),
        ("25 characters with a long year and Z", one("purchase_date", "000002026-07-19T02:02:10Z"), True),
        ("day 31 of a 30-day month", one("purchase_date", "2026-06-31T02:02:10-07:00"), True),
        ("'canceled'", one("order_status", "canceled"), True),
        ("lower-case channel", one("fulfillment_channel", "mfn"), True),
        ("GB for UK", one("marketplace", "GB"), True),
        ("unknown marketplace", one("marketplace", "XX"), True),
        ("1.0 quantity", one("quantity", "1.0"), True),
        ("bad int", one("quantity", "two"), True),
        ("quantity above 10000", one("quantity", "20000"), True),
        ("TRUE", one("tracking_valid", "TRUE"), True),
        ("yes", one("tracking_valid", "yes"), True),
        ("missing order_id", one("order_id", ""), True),
        ("trailing space in order_id", one("order_id", "113-4083495-0527287 "), True),
        ("no-break space in account", one("account", "demo-seller\u00a0"), True),
        ("blank tracking id", one("tracking_id", "\u00a0"), True),
        ("tracking id in scientific notation", one("tracking_id", "4.43659E+11"), True),
        ("a control character ending the category", one("product_category", "Apparel\x1f"), True),
        ("duplicate row", duplicate, True),
        ("duplicate row in a four-item order", lambda h, r: four_items(h, r, duplicate=True), True),
        ("order-level field disagrees", disagree, True),
        ("unknown column", extra_column, True),
        ("short row", short_row, True),
        ("space around a SKU (no metric reads it)", one("sku", " EL-CABLE-USBC2 "), False),
        ("leading zeros in a quantity", one("quantity", "01"), False),
        ("a four-item order", four_items, False),
        ("another offset (still normal form)", one("purchase_date", "2026-07-19T16:02:10+07:00"), False),
    ]


@pytest.mark.parametrize("name,mutate,refused", _mutations(), ids=[m[0] for m in _mutations()])
def test_one_off_normal_value_goes_to_the_careful_loader(tmp_path, name, mutate, refused):
    header, rows = _rows()
    header, rows = mutate(header, rows)
    path = _write(tmp_path / "orders.csv", header, rows)
    got = fast(path, "2026-11-16")
    if refused:
        assert got is None, f"{name}: the gate let an off-normal file through"
    else:
        assert got is not None
        pd.testing.assert_frame_equal(got, careful(path, "2026-11-16"))


@pytest.mark.parametrize("name,prefix,newline,refused", [
    ("byte-order mark", b"\xef\xbb\xbf", "\n", True), ("CRLF line ends", b"", "\r\n", False)])
def test_file_level_variants(tmp_path, name, prefix, newline, refused):
    header, rows = _rows()
    path = _write(tmp_path / "orders.csv", header, rows, newline=newline, prefix=prefix)
    got = fast(path, "2026-11-16")
    assert (got is None) == refused
    if got is not None:
        pd.testing.assert_frame_equal(got, careful(path, "2026-11-16"))


def test_a_header_without_rows_is_refused(tmp_path):
    header, _ = _rows()
    assert fast(_write(tmp_path / "orders.csv", header, []), "2026-11-16") is None


def test_invalid_utf8_is_refused(tmp_path):
    header, rows = _rows()
    path = _write(tmp_path / "orders.csv", header, rows)
    data = path.read_bytes().replace(b"Apparel", b"App\xe9rel", 1)
    path.write_bytes(data)
    assert fast(path, "2026-11-16") is None


def test_a_bad_int_sends_the_load_to_the_careful_loader_and_its_reject_appears(tmp_path):
    header, rows = _rows()
    rows = _set(rows, 700, "quantity", "two", header)
    path = _write(tmp_path / "orders.csv", header, rows)
    analysis = reinstate.analyze(path, as_of="2026-11-16")
    assert analysis._source.fast is None  # loaded by reinstate.load
    rejects = analysis.data.rejects
    assert rejects[["line", "column", "value"]].values.tolist() == [[702, "quantity", "two"]]
    assert rejects["reason"].iloc[0] == "not an integer"
    pd.testing.assert_frame_equal(analysis.health(), careful(path, "2026-11-16"))


def test_hostile_corpus_goes_to_the_careful_loader_or_gives_identical_health():
    files = sorted(p for p in HOSTILE.iterdir() if p.is_file())
    assert len(files) > 20
    for path in files:
        got = fast(path, "2026-11-16")
        if got is not None:
            pd.testing.assert_frame_equal(got, careful(path, "2026-11-16"))


# ---------------------------------------------------------------------------------------------- front ends
def test_analyze_takes_the_fast_path_and_loads_only_when_a_step_needs_the_rows():
    a = reinstate.analyze(SAMPLE / "orders.csv", as_of="2026-11-16")
    assert a._source.fast is not None and a._source.data is None
    health = a.health()
    assert a._source.data is None  # health came from the fast path
    pd.testing.assert_frame_equal(health, careful(SAMPLE / "orders.csv", "2026-11-16"))
    drill = a.drilldown("order_defect_rate")  # needs the rows: reinstate.load reads the file now
    assert a._source.data is not None and len(drill) >= 0
    assert a.accounts() == ["demo-seller"]


def test_cli_json_is_the_same_with_and_without_the_fast_path(capsys, monkeypatch):
    argv = ["metrics", str(SAMPLE / "orders.csv"), "--as-of", "2026-11-16", "--json"]
    assert cli.main(argv) == 0
    fast_out = capsys.readouterr()
    monkeypatch.setenv("REINSTATE_FAST_PATH", "0")
    assert cli.main(argv) == 0
    careful_out = capsys.readouterr()
    assert json.loads(fast_out.out) == json.loads(careful_out.out)
    assert fast_out.err == careful_out.err


def test_the_file_is_read_once_for_the_analysis_day(monkeypatch):
    from reinstate.io import fast as fast_module
    calls = []
    original = fast_module.FastSource._facts
    monkeypatch.setattr(fast_module.FastSource, "_facts", lambda self, day: calls.append(day) or original(self, day))
    a = reinstate.analyze(SAMPLE / "orders.csv", as_of="2026-11-16")
    a.health()
    a.health(margin=0.5)
    assert [str(d) for d in calls] == ["2026-11-16"]


@pytest.mark.parametrize("selection", [{"marketplace": "DE"}, {"marketplace": "uk"}, {"account": "us-seller"},
                                       {"account": "us-seller", "marketplace": "US"}])
def test_selections_are_the_same_on_both_paths(tmp_path, monkeypatch, selection):
    orders = pd.read_parquet(GOLDEN / "orders_generated.parquet")
    path = write_canonical(orders, tmp_path / "orders.csv")
    a = reinstate.analyze(path, as_of="2026-03-29", **selection)
    assert a._source.fast is not None
    got = a.health()
    monkeypatch.setenv("REINSTATE_FAST_PATH", "0")
    b = reinstate.analyze(path, as_of="2026-03-29", **selection)
    assert b._source.fast is None
    pd.testing.assert_frame_equal(got, b.health())


def test_spark_keeps_the_careful_path():
    from reinstate.analysis import source_for
    loaded = []
    src = source_for(SAMPLE / "orders.csv", loader=lambda: loaded.append(1) or "dataset", engine="spark")
    assert src.fast is None and src.data == "dataset" and loaded == [1]
    src = source_for(SAMPLE / "orders.csv", loader=lambda: loaded.append(2) or "dataset", as_of="2026-11-16")
    assert src.fast is not None and src.data is None and loaded == [1]
