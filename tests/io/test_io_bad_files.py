"""Every file in tests/io/bad/ is refused with one message naming the file, the column/line and what was expected."""
from pathlib import Path

import pytest

from reinstate.errors import InputFileError, ReinstateError
from reinstate.io.load import load

BAD = Path(__file__).parent / "bad"

# file -> fragments the message must contain (besides the file name).
EXPECTED = {
    "empty.csv": ["empty", "expected a header line"],
    "missing_order_status.csv": ["column 'order_status'", "missing required column", "expected a header with"],
    "unknown_format.csv": ["unrecognised format", "colour", "expected one of the recognised formats",
                           "amazon_all_orders"],
    "semicolons_in_one_column.csv": ["wrong delimiter", "semicolon", "line 1"],
    "tab_header_comma_rows.tsv": ["wrong delimiter", "header is split by tab", "data rows by comma",
                                  "column 'order_id'", "line 2"],
    "all_orders_without_order_status.tsv": ["column 'order-status'", "amazon_all_orders"],
    "broken.json": ["not valid JSON", "line"],
    "other.json": ["unrecognised format", "performanceMetrics"],
}


def test_the_corpus_and_the_table_agree():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_refused_with_a_clear_message(name):
    with pytest.raises(InputFileError) as info:
        load(BAD / name)
    message = str(info.value)
    assert name in message
    for fragment in EXPECTED[name]:
        assert fragment in message, (fragment, message)
    assert isinstance(info.value, ReinstateError)


def test_a_missing_path_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="no such file"):
        load(tmp_path / "nope.csv")


def test_a_folder_without_data_files_is_refused(tmp_path):
    (tmp_path / "README.md").write_text("notes")
    with pytest.raises(InputFileError, match="no data files"):
        load(tmp_path)


def test_olist_items_without_orders_are_refused(tmp_path):
    (tmp_path / "items.csv").write_text(
        "order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value\n"
        "o1,1,p1,s1,2018-01-01 10:00:00,10.0,1.0\n")
    with pytest.raises(InputFileError, match="need the Olist orders file"):
        load(tmp_path)


@pytest.mark.parametrize("ending", ["\n", ""])
def test_a_header_only_file_is_read_as_no_rows_with_or_without_a_final_line_break(tmp_path, ending):
    # Arrow calls a header with no line break after it an "Empty CSV file"; it is a header with no rows.
    (tmp_path / "orders.csv").write_text("order_id,purchase_date,fulfillment_channel,order_status" + ending)
    data = load(tmp_path / "orders.csv")
    (report,) = data.files
    assert report.format == "canonical" and data.orders.empty
    assert (report.rows_read, report.rows_rejected) == (0, 0)
