"""write_sample: fixed formatting, round trip through pandas and the loader, committed set reproducible."""
import json
import re

import pandas as pd
import pytest

from reinstate.paths import SAMPLE_DIR
from reinstate.sample import TABLES, generate_sample, write_sample
from reinstate.sample.write import write_csv

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
TIMESTAMP_COLUMNS = {"purchase_date", "latest_ship_date", "ship_confirmed_at", "first_scan_at",
                     "latest_delivery_date", "delivered_at", "feedback_date", "claim_date", "chargeback_date",
                     "return_date", "received_at", "responded_at"}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    sample = generate_sample(orders=600, seed=2)
    return sample, write_sample(sample, out)


def test_writes_the_six_tables_and_truth(written):
    sample, paths = written
    assert [p.name for p in paths] == [f"{t}.csv" for t in TABLES] + ["truth.json"]
    assert json.loads(paths[-1].read_text()) == sample.truth
    header = paths[0].read_text().splitlines()[0]
    assert header.split(",") == list(sample.tables["orders"].columns)


def test_timestamps_carry_the_local_offset(written):
    _, paths = written
    for path in paths[:-1]:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for col in TIMESTAMP_COLUMNS & set(frame.columns):
            values = frame[col][frame[col] != ""]
            assert values.str.match(ISO_WITH_OFFSET).all(), (path.name, col)
            # US data: Pacific daylight or standard time only
            assert set(values.str[-6:]) <= {"-07:00", "-08:00"}


def test_csv_round_trips_through_pandas(written):
    sample, paths = written
    back = pd.read_csv(paths[0], dtype=str, keep_default_na=False)
    assert len(back) == len(sample.tables["orders"])
    assert back.order_id.str.match(r"^\d{3}-\d{7}-\d{7}$").all()
    got = pd.to_datetime(back.purchase_date, format="ISO8601", utc=True)
    assert (got.to_numpy() == sample.tables["orders"].purchase_date.to_numpy()).all()
    fb = pd.read_csv(paths[1], dtype=str, keep_default_na=False)
    assert (fb.feedback_text.replace("", None).fillna("<NA>").tolist()
            == sample.tables["feedback"].feedback_text.fillna("<NA>").tolist())


def test_formatting_by_hand(tmp_path):
    frame = pd.DataFrame({
        # 21:05 UTC on 3 Aug is 14:05 PDT (UTC-7); 12 Jan 1969 20:00 UTC is 12:00 PST (UTC-8)
        "at": pd.to_datetime(["2026-08-03T21:05:00Z", "1969-01-12T20:00:00Z", None], utc=True),
        "text": pd.array(['say "hi", then', "plain", None], dtype="string"),
        "flag": pd.array([True, False, None], dtype="boolean"),
        "n": pd.array([1, None, 30], dtype="Int64"),
    })
    write_csv(frame, tmp_path / "x.csv", tz="America/Los_Angeles")
    assert (tmp_path / "x.csv").read_bytes() == (
        b'at,text,flag,n\n'
        b'2026-08-03T14:05:00-07:00,"say ""hi"", then",true,1\n'
        b'1969-01-12T12:00:00-08:00,plain,false,\n'
        b',,,30\n')


def test_committed_sample_is_reproducible(tmp_path):
    truth = json.loads((SAMPLE_DIR / "truth.json").read_text())
    sample = generate_sample(**truth["params"])
    paths = write_sample(sample, tmp_path, performance=True)
    assert paths[-1].name == "performance.json"
    for path in paths:
        assert path.read_bytes() == (SAMPLE_DIR / path.name).read_bytes(), path.name


def test_loader_reads_the_committed_sample_without_rejects():
    load = pytest.importorskip("reinstate.io.load").load
    data = load(SAMPLE_DIR)
    assert len(data.rejects) == 0
    orders = pd.read_csv(SAMPLE_DIR / "orders.csv", dtype=str)
    assert len(data.orders) == len(orders)
    assert data.orders.order_id.nunique() == orders.order_id.nunique()
