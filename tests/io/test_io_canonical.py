"""Canonical files: the data/sample layout, dtypes, Parquet, encodings, messages, a folder mixing formats."""
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from reinstate.io import schema
from reinstate.io.encoding import LoadWarning
from reinstate.io.load import load

FIXTURES = Path(__file__).parent / "fixtures"
ORDERS = ("order_id,purchase_date,fulfillment_channel,order_status,account,marketplace,sku,quantity,"
          "latest_ship_date,ship_confirmed_at,tracking_id,tracking_valid\n"
          "O1,2026-01-05T10:00:00-08:00,MFN,Shipped,shop,US,S1,1,2026-01-07,2026-01-06T09:00:00-08:00,T1,true\n"
          "O1,2026-01-05T10:00:00-08:00,MFN,Shipped,shop,US,S2,2,2026-01-07,2026-01-06T09:00:00-08:00,T1,true\n"
          "O2,2026-01-06T11:00:00+01:00,FBA,Canceled,shop,DE,S1,1,,,,\n")


def _sample_layout(folder: Path) -> Path:
    """The layout the sample generator writes: orders.csv plus one file per per-order table and messages."""
    folder.mkdir(exist_ok=True)
    (folder / "orders.csv").write_text(ORDERS)
    (folder / "feedback.csv").write_text(
        "order_id,feedback_date,feedback_rating,feedback_text,feedback_removed\n"
        "O1,2026-01-10T12:00:00-08:00,2,slow,no\n"
        "O1,2026-01-12T12:00:00-08:00,1,slower still,no\n")   # a later feedback for the same order
    (folder / "claims.csv").write_text("order_id,claim_date,claim_reason,claim_status\n"
                                       "O1,2026-01-15T09:00:00-08:00,Not received,Amazon Funded\n")
    (folder / "chargebacks.csv").write_text("order_id,chargeback_date,chargeback_type,chargeback_outcome\n"
                                            "O1,2026-01-20T09:00:00-08:00,service,pending\n")
    (folder / "returns.csv").write_text("order_id,return_date,return_reason,return_comment\n"
                                        "O1,2026-01-11T09:00:00-08:00,DAMAGED,box crushed\n")
    (folder / "messages.csv").write_text("message_id,order_id,received_at,responded_at,no_response_needed\n"
                                         "M1,O1,2026-01-08T09:00:00-08:00,2026-01-08T15:00:00-08:00,false\n"
                                         "M2,O2,2026-01-09T09:00:00+01:00,,true\n")
    (folder / "truth.json").write_text('{"injected": []}')
    (folder / "README.md").write_text("about the sample")
    return folder


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return load(_sample_layout(tmp_path_factory.mktemp("sample")))


def test_sample_layout_loads(sample):
    formats = sorted(f.format for f in sample.files if f.status == "ok")
    assert formats == ["canonical", "canonical_chargebacks", "canonical_claims", "canonical_feedback",
                       "canonical_returns", "messages"]
    # README.md and truth.json are not read, and the report says so (nothing is skipped silently).
    assert sorted(Path(f.path).name for f in sample.files if f.status == "skipped") == ["README.md", "truth.json"]
    o = sample.orders.set_index("sku")
    o1 = sample.orders[sample.orders["order_id"] == "O1"]
    assert len(sample.orders) == 3 and len(o1) == 2
    # The later of the two feedback rows wins on every item row; the earlier is rejected as superseded.
    assert o1["feedback_rating"].tolist() == [1, 1]
    (rej,) = sample.rejects.itertuples()
    assert rej.file.endswith("feedback.csv") and rej.line == 2 and "superseded by a later feedback" in rej.reason
    assert o1["claim_status"].tolist() == ["amazon_funded"] * 2
    assert o1["chargeback_outcome"].tolist() == ["open"] * 2
    assert o1["return_comment"].tolist() == ["box crushed"] * 2
    o2 = sample.orders[sample.orders["order_id"] == "O2"].iloc[0]
    assert (o2["fulfillment_channel"], o2["order_status"], o2["marketplace"]) == ("AFN", "Cancelled", "DE")
    assert o.loc["S1"].shape[0] == 2


def test_messages(sample):
    m = sample.messages.set_index("message_id")
    assert m.loc["M1", "responded_at"] - m.loc["M1", "received_at"] == pd.Timedelta(hours=6)
    assert bool(m.loc["M2", "no_response_needed"]) and pd.isna(m.loc["M2", "responded_at"])
    assert str(sample.messages["received_at"].dtype) == "datetime64[ns, UTC]"
    # A message takes its order's account (the file has none; "default" would be a phantom account).
    assert set(sample.messages["account"]) == {"shop"}
    assert sample.messages.set_index("message_id").at["M2", "marketplace"] == "DE"


def test_output_dtypes_follow_the_schema(sample):
    o = sample.orders
    for col in schema.COLUMNS:
        if col.name in o.columns:
            assert str(o[col.name].dtype) == schema.KIND_DTYPES[col.kind], col.name
    assert {"account", "marketplace"} <= set(o.columns)
    assert str(o["tracking_valid"].dtype) == "boolean" and str(o["quantity"].dtype) == "Int64"


def test_account_default_and_override(tmp_path):
    f = tmp_path / "o.csv"
    f.write_text("order_id,purchase_date,fulfillment_channel,order_status\nA,2026-01-05T10:00:00Z,MFN,Shipped\n")
    assert load(f).orders.loc[0, "account"] == "default"
    assert load(f, account="eu-shop", marketplace="DE").orders.loc[0, ["account", "marketplace"]].tolist() == \
        ["eu-shop", "DE"]


def test_naive_times_are_marketplace_local(tmp_path):
    f = tmp_path / "o.csv"
    f.write_text("order_id,purchase_date,fulfillment_channel,order_status,marketplace,latest_delivery_date\n"
                 "A,2026-07-01 12:00:00,MFN,Shipped,JP,2026-07-03\n"
                 "B,2026-07-01 12:00:00,MFN,Shipped,US,2026-07-03\n")
    o = load(f).orders.set_index("order_id")
    # Tokyo is UTC+9 -> 03:00Z; Los Angeles in July is PDT, UTC-7 -> 19:00Z.
    assert o.loc["A", "purchase_date"] == pd.Timestamp("2026-07-01T03:00:00Z")
    assert o.loc["B", "purchase_date"] == pd.Timestamp("2026-07-01T19:00:00Z")
    # Deliver-by 3 July = 23:59:59 local: 14:59:59Z in Tokyo, 06:59:59Z next day in Los Angeles.
    assert o.loc["A", "latest_delivery_date"] == pd.Timestamp("2026-07-03T14:59:59Z")
    assert o.loc["B", "latest_delivery_date"] == pd.Timestamp("2026-07-04T06:59:59Z")


def test_parquet_is_canonical(tmp_path):
    frame = pd.DataFrame({"order_id": ["A"], "purchase_date": pd.to_datetime(["2026-01-05 10:00:00"]),
                          "fulfillment_channel": ["Merchant"], "order_status": ["Shipped"], "quantity": [3]})
    frame.to_parquet(tmp_path / "orders.parquet")
    data = load(tmp_path / "orders.parquet")
    assert data.files[0].format == "canonical"
    row = data.orders.iloc[0]
    # Naive Parquet timestamp = US local (PST, UTC-8).
    assert row["purchase_date"] == pd.Timestamp("2026-01-05T18:00:00Z")
    assert row["fulfillment_channel"] == "MFN" and row["quantity"] == 3


HEADER = "order_id,purchase_date,fulfillment_channel,order_status,feedback_text\n"


@pytest.mark.parametrize("encoding, text, marketplace", [
    ("cp1252", "Müller: café € kaputt", "DE"),
    ("shift_jis", "配送が遅いです。商品が壊れていました", "JP"),
    ("shift_jis", "配送が遅いです。商品が壊れていました", "US"),  # detected without the JP hint
    ("utf-8-sig", "Ação rápida — ótimo", "BR"),
    ("utf-8", "Ação rápida — ótimo", "BR"),
])
def test_encodings_are_detected(tmp_path, encoding, text, marketplace):
    f = tmp_path / "orders.csv"
    f.write_bytes((HEADER + f"A,2026-01-05T10:00:00Z,MFN,Shipped,{text}\r\n").encode(encoding))
    data = load(f, marketplace=marketplace)
    assert data.orders.loc[0, "feedback_text"] == text
    assert data.orders.loc[0, "order_id"] == "A"  # no BOM left on the first header name


def test_a_stray_byte_does_not_crash(tmp_path):
    f = tmp_path / "orders.csv"
    good = "Ação rápida — ótimo ".encode("utf-8") * 20
    f.write_bytes(HEADER.encode() + b"A,2026-01-05T10:00:00Z,MFN,Shipped," + good + b"\xff!\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = load(f)
    assert data.orders.loc[0, "feedback_text"].endswith("\ufffd!")
    assert any(issubclass(w.category, LoadWarning) and "line(s) 2" in str(w.message) for w in caught)


@pytest.mark.parametrize("sep", [",", "\t", ";"])
def test_delimiters(tmp_path, sep):
    f = tmp_path / "orders.txt"
    f.write_text(sep.join(["order_id", "purchase_date", "fulfillment_channel", "order_status"]) + "\n"
                 + sep.join(["A", "2026-01-05T10:00:00Z", "MFN", "Shipped"]) + "\n")
    assert load(f).orders["order_id"].tolist() == ["A"]


def test_headers_with_dashes_and_case_are_canonical(tmp_path):
    f = tmp_path / "claims.csv"
    f.write_text("Order-ID,Claim Date,CLAIM_STATUS\nA,2026-01-09T10:00:00Z,granted\n")
    o = tmp_path / "orders.csv"
    o.write_text("order_id,purchase_date,fulfillment_channel,order_status\nA,2026-01-05T10:00:00Z,MFN,Shipped\n")
    data = load([o, f])
    assert data.files[1].format == "canonical_claims"
    assert data.orders.loc[0, "claim_status"] == "granted"


def test_folder_mixing_formats(shared_dir, tmp_path):
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for f in FIXTURES.glob("amazon_*"):
        shutil.copy(f, mixed)
    olist = shared_dir / "data" / "olist-sample"
    for name in ("olist_orders_dataset.csv", "olist_order_items_dataset.csv"):
        shutil.copy(olist / name, mixed)
    shutil.copy(shared_dir / "reference" / "report-formats" / "seller_performance_report.ILLUSTRATIVE.json", mixed)
    (mixed / "orders.csv").write_text(ORDERS)
    data = load(mixed)
    formats = {Path(f.path).name: f.format for f in data.files}
    assert formats["olist_orders_dataset.csv"] == "olist_orders"
    assert formats["seller_performance_report.ILLUSTRATIVE.json"] == "amazon_performance_report"
    assert formats["orders.csv"] == "canonical"
    o = data.orders
    # 4 Amazon fixture orders + 2 canonical + 4,000 Olist orders.
    assert o["order_id"].nunique() == 4 + 2 + 4000
    assert set(o["marketplace"]) == {"US", "DE", "BR"}
    assert data.performance["marketplaces"]["US"]["marketplace_id"] == "ATVPDKIKX0DER"
    for f in data.files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected
