"""Row-level problems go to the rejects table with their source line; nothing vanishes."""
from pathlib import Path

import pandas as pd
import pytest

from reinstate.errors import StrictModeError
from reinstate.io.load import load

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def problem_data():
    return load(FIXTURES / "rows_with_problems.csv")


def test_each_problem_row_is_rejected_with_its_line_column_and_reason(problem_data):
    rejects = problem_data.rejects
    by_line = {int(r.line): r for r in rejects.itertuples()}
    # Lines counted by hand in rows_with_problems.csv (header = line 1).
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert by_line[3].column == "purchase_date" and "unparseable date" in by_line[3].reason
    assert by_line[3].value == "not a date"
    assert by_line[4].column == "quantity" and "negative quantity" in by_line[4].reason
    assert by_line[5].column == "quantity" and "not an integer" in by_line[5].reason and by_line[5].value == "1.5"
    assert by_line[6].column == "feedback_rating" and "outside 1..5" in by_line[6].reason and by_line[6].value == "7"
    assert by_line[7].column == "fulfillment_channel" and "unknown value" in by_line[7].reason
    assert "exact duplicate of line 2" in by_line[8].reason
    # Order G: the two rows disagree on the channel, so both go.
    for line in (9, 10):
        assert by_line[line].column == "fulfillment_channel" and "disagrees" in by_line[line].reason
    assert set(rejects["file"]) == {str(FIXTURES / "rows_with_problems.csv")}


def test_counts_add_up(problem_data):
    (report,) = problem_data.files
    # 10 data rows; 8 rejected (lines 3-10) -> 2 accepted (A on line 2, H on line 11).
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (10, 2, 8)
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    assert sorted(problem_data.orders["order_id"]) == ["A", "H"]


def test_accepted_rows_are_normalised(problem_data):
    h = problem_data.orders.set_index("order_id").loc["H"]
    assert h["fulfillment_channel"] == "MFN" and h["order_status"] == "Cancelled"
    # Date-only purchase date = local midnight in Los Angeles (PST, UTC-8) = 08:00 UTC.
    assert h["purchase_date"] == pd.Timestamp("2026-01-06T08:00:00Z")
    assert pd.isna(h["quantity"])


def test_strict_mode_raises_after_collecting(problem_data):
    with pytest.raises(StrictModeError, match="8 row") as info:
        load(FIXTURES / "rows_with_problems.csv", strict=True)
    assert len(info.value.dataset.rejects) == 8


def test_several_problems_on_one_row_make_one_reject(tmp_path):
    f = tmp_path / "orders.csv"
    f.write_text("order_id,purchase_date,fulfillment_channel,order_status,quantity\n"
                 "A,yesterday,Drone,Shipped,x\n")
    data = load(f)
    (row,) = data.rejects.itertuples()
    assert row.line == 2
    assert set(row.column.split("; ")) == {"purchase_date", "fulfillment_channel", "quantity"}
    assert data.files[0].rows_rejected == 1


def test_rows_with_extra_fields_are_rejected_and_short_rows_padded(tmp_path):
    f = tmp_path / "orders.tsv"
    f.write_bytes(b"order_id\tpurchase_date\tfulfillment_channel\torder_status\tsku\r\n"
                  b"A\t2026-01-05T10:00:00Z\tMFN\tShipped\r\n"            # short: sku missing -> padded
                  b"B\t2026-01-05T10:00:00Z\tMFN\tShipped\tS\t\t\r\n"     # extra empty fields -> trimmed
                  b"C\t2026-01-05T10:00:00Z\tMFN\tShipped\tS\tjunk\r\n")  # extra value -> rejected
    data = load(f)
    assert sorted(data.orders["order_id"]) == ["A", "B"]
    (row,) = data.rejects.itertuples()
    assert row.line == 4 and "6 fields where the header has 5" in row.reason


def test_quoted_line_breaks_keep_true_line_numbers(tmp_path):
    f = tmp_path / "feedback_orders.csv"
    f.write_text('order_id,purchase_date,fulfillment_channel,order_status,feedback_text,feedback_rating\n'
                 'A,2026-01-05T10:00:00Z,MFN,Shipped,"two\nlines",1\n'   # lines 2-3
                 'B,2026-01-05T10:00:00Z,MFN,Shipped,"fine",9\n')        # line 4
    data = load(f)
    assert data.rejects["line"].tolist() == [4]
    assert data.orders.loc[0, "feedback_text"] == "two\nlines"
