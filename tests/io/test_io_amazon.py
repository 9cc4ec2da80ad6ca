"""Amazon flat files: every real header variant, the combination rule, feedback by position, PII."""
from pathlib import Path

import pandas as pd
import pytest

from reinstate.io.load import load

FIXTURES = Path(__file__).parent / "fixtures"
HEADERS = {
    "all_orders_flat_file.header_v29_legacy.tsv": "amazon_all_orders",
    "all_orders_flat_file.header_v32.tsv": "amazon_all_orders",
    "all_orders_flat_file.header_v33_is-sold-by-ab.tsv": "amazon_all_orders",
    "all_orders_flat_file.header_variant_from_amazon-sp-api_typings.tsv": "amazon_all_orders",
    "archived_orders_GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE.header.tsv": "amazon_archived_orders",
    "order_report_new_orders_GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING.header_observed.tsv": "amazon_order_report",
    "unshipped_orders_GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING.header.tsv": "amazon_unshipped_orders",
    "amazon_fulfilled_shipments_GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL.header.tsv":
        "amazon_fulfilled_shipments",
    "seller_feedback_GET_SELLER_FEEDBACK_DATA.header.tsv": "amazon_feedback",
}
# Values for any header that has the column; the rest stay empty.
ROW = {"amazon-order-id": "111-0000001-0000001", "order-id": "111-0000001-0000001", "order-item-id": "1",
       "purchase-date": "2026-01-05T10:00:00-08:00", "order-status": "Shipped", "fulfillment-channel": "Merchant",
       "sku": "SKU-1", "quantity": "2", "quantity-purchased": "2", "quantity-shipped": "2",
       "item-status": "Shipped", "latest-ship-date": "2026-01-07", "latest-delivery-date": "2026-01-12",
       "promise-date": "2026-01-07T23:59:59-08:00", "shipment-date": "2026-01-06T18:00:00Z", "carrier": "UPS",
       "tracking-number": "1Z999", "buyer-email": "jane@example.com", "buyer-name": "Jane",
       "ship-address-1": "1 Main St", "sales-channel": "Amazon.com"}
FEEDBACK_ROW = ["1/20/26", "1", "Late", "", "111-0000001-0000001", "jane@example.com"]


def _variant_file(shared_dir, tmp_path, name) -> Path:
    header = (shared_dir / "reference" / "report-formats" / name).read_text().strip("\r\n").split("\t")
    values = FEEDBACK_ROW if HEADERS[name] == "amazon_feedback" else [ROW.get(h, "") for h in header]
    out = tmp_path / name.replace(".tsv", ".txt")
    out.write_bytes(("\t".join(header) + "\r\n" + "\t".join(values) + "\r\n").encode("utf-8"))
    return out


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_each_real_header_variant_is_recognised_and_mapped(shared_dir, tmp_path, name):
    data = load(_variant_file(shared_dir, tmp_path, name))
    (report,) = data.files
    assert report.format == HEADERS[name]
    if HEADERS[name] == "amazon_feedback":
        # No order file loaded: the well-formed feedback row is kept as unmatched (issue 11), not rejected.
        assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (1, 1, 0) and data.orders.empty
        assert report.rows_unmatched == 1 and len(data.rejects) == 0
        return
    assert (report.rows_read, report.rows_rejected) == (1, 0)
    row = data.orders.iloc[0]
    assert row["order_id"] == "111-0000001-0000001"
    assert row["purchase_date"] == pd.Timestamp("2026-01-05T18:00:00Z")
    assert row["quantity"] == 2
    assert not {"buyer-email", "buyer-name", "ship-address-1"} & set(data.orders.columns)
    if "latest-ship-date" in ROW and HEADERS[name] == "amazon_order_report":
        # Date-only deadline: end of 7 Jan in Los Angeles = 23:59:59 PST = 07:59:59 UTC on 8 Jan.
        assert row["latest_ship_date"] == pd.Timestamp("2026-01-08T07:59:59Z")
    if HEADERS[name] == "amazon_fulfilled_shipments":
        assert row["fulfillment_channel"] == "AFN" and row["tracking_id"] == "1Z999"
        assert row["ship_confirmed_at"] == pd.Timestamp("2026-01-06T18:00:00Z")


def test_real_sample_rows_v32(shared_dir):
    data = load(shared_dir / "reference" / "report-formats" / "all_orders_flat_file.sample_rows_v32.tsv")
    o = data.orders
    assert data.files[0].format == "amazon_all_orders" and data.files[0].rows_rejected == 0
    assert o["order_id"].tolist() == ["114-4892924-3377867", "113-9925451-0581038", "112-4197184-1505047"]
    assert set(o["fulfillment_channel"]) == {"AFN"} and set(o["marketplace"]) == {"US"}
    assert o["quantity"].tolist() == [1, 1, 4]
    assert o.loc[0, "purchase_date"] == pd.Timestamp("2020-02-18T05:05:21Z")
    # The literal inch signs survive (the TSV is not quoted).
    assert o.loc[0, "product-name"].startswith('Trendy Home 12" x 18"')
    assert "ship-postal-code" not in o.columns  # PII


@pytest.fixture(scope="module")
def combined():
    return load(FIXTURES)


def test_fixture_folder_formats(combined):
    formats = {Path(f.path).name: f.format for f in combined.files}
    assert formats["amazon_all_orders.tsv"] == "amazon_all_orders"
    assert formats["amazon_order_report.txt"] == "amazon_order_report"
    assert formats["amazon_fulfilled_shipments.txt"] == "amazon_fulfilled_shipments"
    assert formats["amazon_feedback_us.txt"] == "amazon_feedback"
    for f in combined.files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected


def test_order_files_are_combined_by_order_id(combined):
    o = combined.orders
    amazon = o[o["order_id"].str.startswith("111-")]
    # All Orders gives orders 1 (two items), 2, 3; the order report adds order 4 -> 5 item rows.
    assert sorted(amazon["order_id"].unique()) == ["111-0000001-0000001", "111-0000002-0000002",
                                                   "111-0000003-0000003", "111-0000004-0000004"]
    assert len(amazon) == 5
    first = amazon[amazon["order_id"] == "111-0000001-0000001"]
    assert first["sku"].tolist() == ["PIL-12", "PIL-20"]
    # Deadlines filled from the order report: end of local day 7 Jan (PST) and 12 Jan.
    assert set(first["latest_ship_date"]) == {pd.Timestamp("2026-01-08T07:59:59Z")}
    assert set(first["latest_delivery_date"]) == {pd.Timestamp("2026-01-13T07:59:59Z")}
    assert set(first["order_status"]) == {"Shipped"}  # All Orders wins over the order report's "Unshipped"
    fourth = amazon[amazon["order_id"] == "111-0000004-0000004"].iloc[0]
    assert fourth["order_status"] == "Unshipped" and fourth["fulfillment_channel"] == "MFN"
    third = amazon[amazon["order_id"] == "111-0000003-0000003"].iloc[0]
    # Two FBA shipments: the order is confirmed by the later one, with its tracking number.
    assert third["ship_confirmed_at"] == pd.Timestamp("2026-01-09T10:00:00Z")
    assert third["tracking_id"] == "TBA000000002" and third["order_status"] == "Shipped"
    cancelled = amazon[amazon["order_id"] == "111-0000002-0000002"].iloc[0]
    assert cancelled["order_status"] == "Cancelled" and cancelled["item_status"] == "Cancelled"


def test_feedback_report_is_merged_and_masked(combined):
    o = combined.orders.set_index("order_id")
    first = o.loc["111-0000001-0000001"].iloc[0]
    assert first["feedback_rating"] == 1
    # 1/20/26 (US: month/day/year) = local midnight PST = 08:00 UTC.
    assert first["feedback_date"] == pd.Timestamp("2026-01-20T08:00:00Z")
    assert first["feedback_text"] == "Arrived broken. Call me at [phone] or [email]"
    assert not first["feedback_removed"]
    assert bool(o.loc["111-0000003-0000003", "feedback_removed"])  # Amazon's strike-through note
    assert "rater_email" not in o.columns
    rej = combined.rejects[combined.rejects["file"].str.endswith("amazon_feedback_us.txt")]
    assert rej.empty  # a well-formed row whose order is not loaded is data, not a reject (issue 11)
    assert combined.unmatched["line"].tolist() == [4]
    report = next(f for f in combined.files if f.path.endswith("amazon_feedback_us.txt"))
    assert (report.rows_read, report.rows_accepted, report.rows_rejected, report.rows_unmatched) == (3, 3, 0, 1)


def test_pii_is_kept_only_on_request():
    data = load(FIXTURES / "amazon_order_report.txt", keep_pii=True)
    assert {"buyer-email", "buyer-name", "ship-address-1"} <= set(data.orders.columns)


@pytest.mark.parametrize("marketplace, date, expected_utc", [
    ("UK", "13/1/26", "2026-01-13T00:00:00Z"),      # d/m/yy, London is UTC in January
    ("DE", "13.1.26", "2026-01-12T23:00:00Z"),      # d.m.yy, Berlin is UTC+1
    ("JP", "26/01/13", "2026-01-12T15:00:00Z"),     # yy/mm/dd, Tokyo is UTC+9
])
def test_feedback_dates_follow_the_marketplace(tmp_path, marketplace, date, expected_utc):
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,purchase_date,fulfillment_channel,order_status\n"
                      "111-0000001-0000001,2026-01-05T10:00:00Z,MFN,Shipped\n")
    feedback = tmp_path / "feedback.txt"
    # A translated header (German here): recognised by shape, read by position.
    feedback.write_text("Datum\tBewertung\tKommentare\tIhre Antwort\tBestellnummer\tE-Mail\n"
                        f"{date}\t2\tzu spät\t\t111-0000001-0000001\ta@b.de\n")
    data = load([orders, feedback], marketplace=marketplace)
    assert data.files[1].format == "amazon_feedback"
    assert data.orders.loc[0, "feedback_date"] == pd.Timestamp(expected_utc)
    assert data.orders.loc[0, "feedback_rating"] == 2
