"""The Olist sample (real data) loads with the mapping of its README."""
import pandas as pd
import pytest

from reinstate.io.load import load


@pytest.fixture(scope="module")
def olist(shared_dir):
    return load(shared_dir / "data" / "olist-sample")


def test_counts_from_the_readme(shared_dir, olist):
    o = olist.orders
    reads = {f.format: f.rows_read for f in olist.files}
    # README: 4,000 orders, 4,519 items, 3,986 reviews (4,177 physical lines: quoted line breaks).
    assert reads["olist_orders"] == 4000 and reads["olist_order_items"] == 4519 and reads["olist_reviews"] == 3986
    assert o["order_id"].nunique() == 4000
    # canceled 23 + unavailable 17 -> 40 cancelled orders.
    assert o.loc[o["order_status"] == "Cancelled", "order_id"].nunique() == 23 + 17
    # delivered 3,898 + shipped 39 -> Shipped; processing 14 + invoiced 9 -> Pending.
    assert o.loc[o["order_status"] == "Shipped", "order_id"].nunique() == 3898 + 39
    assert o.loc[o["order_status"] == "Pending", "order_id"].nunique() == 14 + 9
    assert set(o["marketplace"]) == {"BR"} and set(o["fulfillment_channel"]) == {"MFN"}
    for f in olist.files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected


def test_sao_paulo_time(olist):
    o = olist.orders.set_index("order_id")
    row = o.loc["bb953a084ab406da9e19dfdc06df0245"]
    row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
    # 2018-07-29 13:54:51 in Sao Paulo (UTC-3, no DST in 2018 winter) = 16:54:51 UTC.
    assert row["purchase_date"] == pd.Timestamp("2018-07-29T16:54:51Z")
    # Estimated delivery 2018-09-03 00:00:00 is a date: end of that local day = 02:59:59 UTC next day.
    assert row["latest_delivery_date"] == pd.Timestamp("2018-09-04T02:59:59Z")


def test_items_carry_seller_and_category(olist):
    o = olist.orders.set_index("order_id")
    first = o.loc["8426a61c687c38a2fb35080413ec9eb4"]
    first = first.iloc[0] if isinstance(first, pd.DataFrame) else first
    assert first["account"] == "080199a181c46c657dc5aa235411be3b"
    assert first["sku"] == "110adb18eeba9a0984478ee3c9302e16"
    assert "customer_id" not in olist.orders.columns  # PII
    # Categories come out in English when the translation table is loaded.
    assert "health_beauty" in set(olist.orders["product_category"].dropna())
    assert "beleza_saude" not in set(olist.orders["product_category"].dropna())


def test_reviews_become_feedback(olist):
    o = olist.orders
    rated = o.dropna(subset=["feedback_rating"]).drop_duplicates("order_id")
    assert rated["feedback_rating"].between(1, 5).all()
    superseded = olist.rejects[olist.rejects["reason"].str.contains("superseded")]
    # Every review is either attached to its order or rejected as superseded by a later one.
    assert len(rated) + len(superseded) == 3986
