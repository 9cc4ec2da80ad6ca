"""GET_V2_SELLER_PERFORMANCE_REPORT: the illustrative file and defensive parsing."""
import json

import pandas as pd

from reinstate.io.load import load
from reinstate.io.performance import parse_performance, performance_frame


def test_illustrative_report(shared_dir):
    data = load(shared_dir / "reference" / "report-formats" / "seller_performance_report.ILLUSTRATIVE.json")
    perf = data.performance
    assert data.files[0].format == "amazon_performance_report" and data.orders.empty
    assert perf["account_statuses"] == {"US": "NORMAL"}
    us = perf["marketplaces"]["US"]
    assert us["account_health_rating"]["score"] == 428
    odr = {m["variant"]: m for m in us["metrics"] if m["metric"] == "order_defect_rate"}
    assert odr["mfn"]["rate"] == 0.0075 and odr["mfn"]["counts"]["orderCount"] == 1200
    assert odr["mfn"]["counts"]["orderWithDefects"] == 9 and odr["afn"]["counts"]["negativeFeedback"] == 2
    assert odr["mfn"]["reporting_date_from"] == pd.Timestamp("2024-11-07T00:00:00Z")
    assert odr["mfn"]["target_condition"] == "LESS_THAN" and odr["mfn"]["status"] == "GOOD"
    lsr = {m["variant"]: m for m in us["metrics"] if m["key"] == "lateShipmentRateList"}
    # Windows 2025-01-10..19 (10 days) and 2024-12-21..2025-01-19 (30 days).
    assert set(lsr) == {"10d", "30d"} and lsr["10d"]["counts"]["lateShipmentCount"] == 1
    table = performance_frame(perf)
    assert {"pre_fulfillment_cancel_rate", "valid_tracking_rate", "on_time_delivery_rate"} <= set(table["metric"])


def test_unknown_keys_and_values_are_tolerated(tmp_path):
    doc = {"accountStatuses": [{"marketplaceId": "A1PA6795UKMFR9", "status": "SUSPENDED"}],
           "performanceMetrics": [{"marketplaceId": "A1PA6795UKMFR9",
                                   "lateShipmentRate": {"rate": 0.05, "status": "WARNED", "targetValue": "x",
                                                        "targetCondition": "LESS_THAN_OR_EQUAL"},
                                   "brandNewMetric": {"rate": 0.5}, "oddScalar": 3, "orderDefectRate": None},
                                  "not a dict"]}
    f = tmp_path / "perf.json"
    f.write_text(json.dumps(doc))
    perf = load(f).performance
    assert perf["account_statuses"] == {"DE": "SUSPENDED"}
    lsr = perf["marketplaces"]["DE"]["metrics"][0]
    assert (lsr["rate"], lsr["status"], lsr["target_value"], lsr["target_condition"]) == \
        (0.05, "WARNED", None, "LESS_THAN_OR_EQUAL")
    assert lsr["reporting_date_from"] is None
    assert "performanceMetrics[0].brandNewMetric" in perf["unknown_keys"]
    assert parse_performance([1, 2])["marketplaces"] == {}
