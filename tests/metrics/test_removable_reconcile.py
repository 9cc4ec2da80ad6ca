"""Removable defects and reconciliation against Amazon's GET_V2_SELLER_PERFORMANCE_REPORT shape."""
import json

import pandas as pd
import pytest
from factories import orders

from reinstate.errors import ConfigError
from reinstate.metrics.reconcile import RECONCILE_COLUMNS, reconcile
from reinstate.metrics.removable import reads_as_product_review, removable_defects

IN = "2026-01-10T10:00:00-08:00"
AS_OF = "2026-03-01"


def test_removable_defects_kinds_and_odr_after():
    rows = [
        dict(order_id="fba", fulfillment_channel="AFN", feedback_rating=1, feedback_text="arrived late", purchase_date=IN),
        *[dict(order_id=f"a{i}", fulfillment_channel="AFN", purchase_date=IN) for i in range(3)],
        dict(order_id="review", feedback_rating=2, feedback_text="The product broke after a week", purchase_date=IN),
        dict(order_id="service", feedback_rating=1, feedback_text="Seller never answered", purchase_date=IN),
        dict(order_id="claim-ok", claim_status="granted", purchase_date=IN,
             latest_ship_date="2026-01-11T23:59:59-08:00", ship_confirmed_at="2026-01-11T09:00:00-08:00",
             tracking_valid=True, latest_delivery_date="2026-01-15T23:59:59-08:00",
             delivered_at="2026-01-14T12:00:00-08:00"),
        dict(order_id="claim-late", claim_status="granted", purchase_date=IN,
             latest_ship_date="2026-01-11T23:59:59-08:00", ship_confirmed_at="2026-01-12T09:00:00-08:00",
             tracking_valid=True, latest_delivery_date="2026-01-15T23:59:59-08:00",
             delivered_at="2026-01-14T12:00:00-08:00"),
        dict(order_id="both", claim_status="granted", feedback_rating=1, feedback_text="poor quality material",
             purchase_date=IN, latest_ship_date="2026-01-11T23:59:59-08:00",
             ship_confirmed_at="2026-01-11T09:00:00-08:00", tracking_valid=True,
             latest_delivery_date="2026-01-15T23:59:59-08:00", delivered_at="2026-01-15T12:00:00-08:00"),
        *[dict(order_id=f"m{i}", purchase_date=IN) for i in range(5)],
    ]
    r = removable_defects(orders(rows), as_of=AS_OF)
    got = set(zip(r["order_id"], r["kind"]))
    assert got == {("fba", "afn_feedback"), ("review", "product_review_feedback"),
                   ("claim-ok", "claim_on_time_delivery"), ("both", "product_review_feedback"),
                   ("both", "claim_on_time_delivery")}
    afn = r[r["channel"] == "AFN"].iloc[0]
    assert (afn.odr_before, afn.odr_after) == (0.25, 0.0)  # 1 of 4 AFN orders -> 0 of 4
    mfn = r[r["channel"] == "MFN"].set_index(["order_id", "kind"])
    # MFN: 10 orders; defective: review, service, claim-ok, claim-late, both = 5 -> 50%
    assert mfn["odr_before"].iloc[0] == 0.5
    assert mfn.loc[("review", "product_review_feedback"), "odr_after"] == 0.4
    # "both" carries two defects: removing one alone leaves the order defective
    assert mfn.loc[("both", "claim_on_time_delivery"), "odr_after"] == 0.5
    # removing everything listed clears review, claim-ok and both -> 2 of 10
    assert r[r["channel"] == "MFN"]["cumulative_odr_after"].iloc[-1] == pytest.approx(0.2)


def test_review_lexicon():
    text = pd.Series(["Product broke", "Package arrived late, product broke", "Great seller", None])
    got = reads_as_product_review(text)
    assert list(got["is_review"]) == [True, False, False, False]


ILLUSTRATIVE = "reference/report-formats/seller_performance_report.ILLUSTRATIVE.json"


def report_like():
    """A hand-made report with the ILLUSTRATIVE shape: ODR window 2024-11-07..2025-01-05, LSR 2025-01-10..19."""
    rng = {"reportingDateFrom": "2024-11-07T00:00:00Z", "reportingDateTo": "2025-01-05T23:59:59Z"}
    return {"accountStatuses": [{"marketplaceId": "ATVPDKIKX0DER", "status": "NORMAL"}],
            "performanceMetrics": [{
                "marketplaceId": "ATVPDKIKX0DER",
                "orderDefectRate": {"mfn": {"reportingDateRange": rng, "orderCount": 4,
                                            "orderWithDefects": {"count": 1, "status": "BAD"},
                                            "claims": {"count": 0}, "chargebacks": {"count": 0},
                                            "negativeFeedback": {"count": 1}, "rate": 0.25, "status": "BAD",
                                            "targetValue": 0.01, "targetCondition": "LESS_THAN"}},
                "lateShipmentRateList": [{"reportingDateRange": {"reportingDateFrom": "2025-01-10T00:00:00Z",
                                                                 "reportingDateTo": "2025-01-19T23:59:59Z"},
                                          "orderCount": 2, "lateShipmentCount": 1, "rate": 0.5}],
            }]}


def test_reconcile_matches_and_explains_differences():
    rows = [dict(order_id=f"o{i}", purchase_date="2024-12-01T10:00:00-08:00", feedback_rating=1 if i == 0 else None)
            for i in range(4)]
    rows.append(dict(order_id="c", purchase_date="2024-12-01T10:00:00-08:00", order_status="Cancelled"))
    rows.append(dict(order_id="edge", purchase_date="2025-01-06T10:00:00-08:00"))  # day after Amazon's window
    rec = reconcile(orders(rows), report_like())
    assert list(rec.columns) == RECONCILE_COLUMNS
    rec = rec.set_index(["metric", "window_days"])
    odr = rec.loc[("order_defect_rate", 60)]
    assert (odr.amazon_numerator, odr.amazon_denominator, odr.our_numerator, odr.our_denominator) == (1, 4, 1, 4)
    assert odr.difference == 0 and odr.likely_reason == "match"
    lsr = rec.loc[("late_shipment_rate", 10)]
    assert lsr.our_denominator == 0 and lsr.likely_reason.startswith("missing input")
    # Amazon counting 5 orders = ours with the cancelled one included -> denominator choice
    report = report_like()
    report["performanceMetrics"][0]["orderDefectRate"]["mfn"]["orderCount"] = 5
    odr = reconcile(orders(rows), report).set_index("metric").loc["order_defect_rate"]
    assert "denominator choice" in odr.likely_reason


def test_reconcile_against_the_illustrative_file(shared_dir):
    doc = json.loads((shared_dir / ILLUSTRATIVE).read_text())
    rows = [dict(order_id=f"o{i}", purchase_date="2024-12-01T10:00:00-08:00", feedback_rating=None) for i in range(10)]
    rec = reconcile(orders(rows), doc)
    keyed = rec.set_index(["metric", "channel", "window_days"])
    mfn = keyed.loc[("order_defect_rate", "MFN", 60)]
    assert (mfn.amazon_numerator, mfn.amazon_denominator, mfn.amazon_rate) == (9, 1200, 0.0075)
    assert mfn.our_denominator == 10
    assert str(mfn.window_start.date()) == "2024-11-07" and str(mfn.window_end.date()) == "2025-01-05"
    assert keyed.loc[("late_shipment_rate", "MFN", 10), "amazon_denominator"] == 200
    unit = rec[(rec["metric"] == "on_time_delivery_rate") & (rec["window_days"] == 14)].iloc[0]
    assert (unit.amazon_numerator, unit.amazon_denominator) == (270, 290)
    assert rec["likely_reason"].str.len().gt(0).all()


def test_reconcile_needs_a_report_and_an_account():
    with pytest.raises(ConfigError, match="GET_V2_SELLER_PERFORMANCE_REPORT"):
        reconcile(orders([dict(order_id="o", purchase_date=IN)]))
    two = orders([dict(order_id="o", purchase_date=IN, account="a"), dict(order_id="p", purchase_date=IN, account="b")])
    with pytest.raises(ConfigError, match="2 accounts"):
        reconcile(two, report_like())
