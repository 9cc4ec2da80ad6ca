"""Windows and statuses, by hand."""
import datetime as dt

import numpy as np
import pytest

from reinstate.errors import ConfigError
from reinstate.metrics.policy import attach_targets, status_of
from reinstate.metrics.windows import metric_windows


def test_windows_match_amazons_report_example():
    # The ILLUSTRATIVE report (snapshot 2025-01-20) shows ODR 2024-11-07..2025-01-05, LSR 30 d 2024-12-21..
    # 2025-01-19, LSR 10 d 2025-01-10..19, cancel 2025-01-13..19, unit OTDR 2024-12-30..2025-01-12.
    w = {(x.metric, x.window_days): (str(x.start), str(x.end)) for x in metric_windows("2025-01-20")}
    assert w[("order_defect_rate", 60)] == ("2024-11-07", "2025-01-05")
    assert w[("late_shipment_rate", 30)] == ("2024-12-21", "2025-01-19")
    assert w[("late_shipment_rate", 10)] == ("2025-01-10", "2025-01-19")
    assert w[("pre_fulfillment_cancel_rate", 7)] == ("2025-01-13", "2025-01-19")
    assert w[("on_time_delivery_rate", 14)] == ("2024-12-30", "2025-01-12")
    assert w[("late_response_rate", 90)] == ("2024-10-22", "2025-01-19")


def test_window_overrides():
    w = metric_windows("2025-01-20", overrides={("late_shipment_rate", 10): ("2025-01-01", "2025-01-05")},
                       metrics=("late_shipment_rate",))
    assert [(x.window_days, x.start) for x in w] == [(5, dt.date(2025, 1, 1)), (30, dt.date(2024, 12, 21))]
    with pytest.raises(ConfigError, match="2 windows"):
        metric_windows("2025-01-20", overrides={"late_shipment_rate": ("2025-01-01", "2025-01-05")})
    with pytest.raises(ConfigError, match="before start"):
        metric_windows("2025-01-20", overrides={"order_defect_rate": ("2025-01-05", "2025-01-01")})
    with pytest.raises(ConfigError, match="as a date"):
        metric_windows("yesterday-ish")


def test_status_boundaries():
    # lower is better, < 1%: at_risk from 0.8%; higher is better, > 95%: at_risk at or below 96%
    got = status_of([0.0079, 0.008, 0.0099, 0.01, np.nan, 0.97, 0.96, 0.951, 0.95, 0.90],
                    [0.01] * 5 + [0.95] * 4 + [0.90], ["<"] * 5 + [">"] * 4 + [">="])
    assert list(got) == ["good", "at_risk", "at_risk", "breached", "no_data",
                         "good", "at_risk", "at_risk", "breached", "at_risk"]
    assert list(status_of([0.005], [0.01], ["<"], margin=0.5)) == ["at_risk"]


def test_targets_per_marketplace():
    import pandas as pd
    frame = pd.DataFrame({"marketplace": ["US", "DE", "IN", "US"],
                          "metric": ["on_time_delivery_rate", "on_time_delivery_rate",
                                     "pre_fulfillment_cancel_rate", "pre_fulfillment_cancel_rate"]})
    got = attach_targets(frame)
    assert list(zip(got["target"], got["condition"])) == [(0.90, ">="), (0.97, ">"), (0.02, "<"), (0.025, "<")]
