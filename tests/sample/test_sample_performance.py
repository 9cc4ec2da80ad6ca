"""The sample's performance.json: Amazon's shipment-based on-time count by hand, and the committed report
reconciles with our figures on all but the one documented metric."""
import json

import pandas as pd

from reinstate.paths import SAMPLE_DIR
from reinstate.sample.performance import shipment_on_time


def test_shipment_on_time_by_hand():
    utc = lambda s: pd.Timestamp(s, tz="UTC")
    orders = pd.DataFrame({
        "order_id": ["a", "a", "b", "c", "d", "e"],          # a has two item rows: one shipment
        "fulfillment_channel": ["MFN", "MFN", "MFN", "MFN", "AFN", "MFN"],
        "tracking_valid": [True, True, True, False, True, True],
        # deadlines as Pacific days: a 2 Nov, b 3 Nov, c (no tracking), d (FBA), e 20 Nov (outside the window)
        "latest_delivery_date": [utc("2026-11-03T06:59:59"), utc("2026-11-03T06:59:59"),
                                 utc("2026-11-04T07:59:59"), utc("2026-11-03T06:59:59"),
                                 utc("2026-11-03T06:59:59"), utc("2026-11-21T07:59:59")],
        "delivered_at": [utc("2026-11-02T20:00"), utc("2026-11-02T20:00"), utc("2026-11-05T20:00"),
                         None, None, None],
    })
    row = {"window_start": pd.Timestamp("2026-10-26"), "window_end": pd.Timestamp("2026-11-08")}
    assert shipment_on_time(orders, row, "America/Los_Angeles") == (1, 2)  # a on time, b late


def test_committed_report_differs_only_on_shipment_based_on_time_delivery():
    from reinstate.io.load import load
    from reinstate.metrics.reconcile import reconcile

    doc = json.loads((SAMPLE_DIR / "performance.json").read_text())
    block = doc["performanceMetrics"][0]
    assert block["marketplaceId"] == "ATVPDKIKX0DER"
    rec = reconcile(load(SAMPLE_DIR))
    differs = rec[rec["likely_reason"] != "match"]
    assert len(rec) == 14 and len(differs) == 1
    row = differs.iloc[0]
    assert row["metric"] == "on_time_delivery_rate"
    assert "shipments" in row["likely_reason"]
    assert row["amazon_denominator"] == block["onTimeDeliveryRate"]["shipmentCountWithValidTracking"]
    assert row["our_denominator"] == block["unitOnTimeDeliveryRate"]["totalUnitCount"]
