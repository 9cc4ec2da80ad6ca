"""The human-readable health table formats what account_health computed, nothing more."""
import datetime as dt

import pandas as pd

from reinstate.metrics.display import readable, styled


def test_readable_formats_rates_counts_windows_and_no_data():
    health = pd.DataFrame({
        "account": ["a", "a"], "marketplace": ["US", "US"], "metric": ["order_defect_rate", "late_shipment_rate"],
        "channel": ["MFN", "MFN"], "window_days": [60, 10],
        "window_start": [dt.date(2026, 9, 3), dt.date(2026, 11, 6)],
        "window_end": [dt.date(2026, 11, 1), dt.date(2026, 11, 15)],
        "numerator": [34, 0], "denominator": [1050, 0], "rate": [34 / 1050, None], "target": [0.01, 0.04],
        "condition": ["<", "<"], "status": ["breached", "no_data"], "note": [None, "no orders in the window"]})
    table = readable(health)
    assert table.loc[0, "rate"] == "3.24%"          # 34 / 1050 = 0.032381
    assert table.loc[1, "rate"] == "n/a"            # no_data is never shown as 0 %
    assert table.loc[0, "count"] == "34 / 1050"
    assert table.loc[1, "window"] == "10d: 2026-11-06 to 2026-11-15"
    assert table.loc[0, "target"] == "< 1.0%"
    assert table.loc[0, "note"] == ""
    assert "#f6d5d5" in styled(health).to_html()    # breached row is coloured
