"""The public Olist sample (Portuguese reviews): hand-labelled tags and sensible causes for the worst sellers."""
from pathlib import Path

import pandas as pd
import pytest

from reinstate.diagnosis.engine import diagnose
from reinstate.diagnosis.text import classify_texts, tags_of

HERE = Path(__file__).parent
SENSIBLE = {"late_delivery", "item_not_received", "wrong_item", "transit_damage", "carrier_delay",
            "late_shipment", "product_defect", "not_as_described", "stockout_or_cancellation"}


def test_hand_labelled_olist_reviews(shared_dir):
    # 34 real Olist reviews labelled by hand; the project keeps only their review ids and labels, the texts are
    # read from ../shared (title + message, as the loader builds feedback_text). A development set (its
    # phrases went into the lexicons). Measured 29/34 before issue 12, 28/34 = 0.824 after it: the issue-12
    # sets label "aguardo retorno" (waiting for the seller's answer) unresponsive_service, this one does not.
    # Held-out figures are in test_tags_quality.py and docs/diagnosis.md.
    d = pd.read_csv(HERE / "olist_labelled.csv", keep_default_na=False)
    reviews = pd.read_csv(shared_dir / "data" / "olist-sample" / "olist_order_reviews_dataset.csv",
                          keep_default_na=False).drop_duplicates("review_id").set_index("review_id")
    flat = lambda col: reviews.loc[d["review_id"], col].map(lambda s: " ".join(str(s).split()))  # noqa: E731
    texts = (flat("review_comment_title") + " " + flat("review_comment_message")).str.strip().reset_index(drop=True)
    pred = tags_of(classify_texts(texts, languages=["pt", "en"]))
    norm = lambda s: ";".join(sorted(x for x in s.split(";") if x))  # noqa: E731
    exact = (pred.map(norm) == d["labels"].map(norm)).mean()
    assert exact >= 0.8
    # Every "not received" review is tagged so (the claim type that matters most for an appeal).
    inr = d["labels"].str.contains("item_not_received")
    assert pred[inr].str.contains("item_not_received").mean() >= 0.9


def test_worst_olist_sellers_get_sensible_causes(shared_dir):
    folder = shared_dir / "data" / "olist-sample"
    if not folder.is_dir():
        pytest.skip("olist sample not present")
    from reinstate.io.load import load
    data = load(folder, marketplace="BR")
    orders = data.orders
    # Worst sellers by negative reviews (rating 1-2) over the whole sample period.
    neg = orders[orders["feedback_rating"].isin([1, 2])].drop_duplicates(["account", "order_id"])
    neg = neg[neg["account"] != "default"]  # orders without items have no seller
    worst = neg["account"].value_counts().head(3).index
    start, end = orders["purchase_date"].min().date(), orders["purchase_date"].max().date()
    named = set()
    for seller in worst:
        dx = diagnose(data, account=seller, as_of="2018-11-01", start=start, end=end, min_support=2)
        assert dx.defects_total >= 2
        named |= set(dx.headlines["cause"])
        # Most negative reviews get a cause from their text or their delivery dates.
        assert dx.unexplained <= 0.5 * dx.defects_total
    assert named & {"late_delivery", "item_not_received", "carrier_delay", "late_shipment", "wrong_item",
                    "transit_damage"}
