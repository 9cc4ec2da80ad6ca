"""Trend agrees with account_health day by day; forecast on a tiny hand case."""
import numpy as np
import pandas as pd
import pytest
from factories import orders

from reinstate.dataset import Dataset
from reinstate.metrics.forecast import orders_needed, recovery_forecast
from reinstate.metrics.health import account_health
from reinstate.metrics.trend import metric_trend


def random_orders(n=400, seed=3):
    """Random but valid canonical orders over ~5 months, two accounts, two marketplaces, both channels."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-10-01", tz="UTC")
    purchase = start + pd.to_timedelta(rng.uniform(0, 150, n), unit="D")
    ship_by = purchase + pd.Timedelta(days=2)
    deliver_by = purchase + pd.Timedelta(days=6)
    rows = []
    for i in range(n):
        rows.append(dict(
            order_id=f"o{i % 350}", account=f"s{i % 2}", marketplace=["US", "DE"][i % 3 == 0],
            fulfillment_channel=["MFN", "AFN"][i % 4 == 0], purchase_date=purchase[i].isoformat(),
            order_status=["Shipped", "Cancelled"][rng.random() < 0.05],
            cancelled_by=rng.choice(["seller", "buyer", None]), quantity=int(rng.integers(1, 4)),
            product_category=rng.choice(["Toys", "Home"]),
            latest_ship_date=ship_by[i].isoformat(),
            ship_confirmed_at=None if rng.random() < 0.1 else (ship_by[i] + pd.Timedelta(
                hours=float(rng.normal(-10, 12)))).isoformat(),
            tracking_valid=bool(rng.random() < 0.9), latest_delivery_date=deliver_by[i].isoformat(),
            delivered_at=None if rng.random() < 0.1 else (deliver_by[i] + pd.Timedelta(
                hours=float(rng.normal(-20, 30)))).isoformat(),
            feedback_rating=int(rng.integers(1, 6)) if rng.random() < 0.2 else None,
            claim_status=rng.choice(["open", "denied", "granted"]) if rng.random() < 0.05 else None,
            chargeback_type=rng.choice(["service", "fraud"]) if rng.random() < 0.03 else None))
    frame = orders(rows)
    msgs = pd.DataFrame({
        "message_id": [f"m{i}" for i in range(120)], "order_id": [f"o{i}" for i in range(120)],
        "received_at": start + pd.to_timedelta(rng.uniform(0, 150, 120), unit="D")})
    msgs["responded_at"] = msgs["received_at"] + pd.to_timedelta(rng.uniform(1, 40, 120), unit="h")
    msgs.loc[::7, "responded_at"] = pd.NaT
    msgs["message_id"] = msgs["message_id"].astype("string")
    msgs["order_id"] = msgs["order_id"].astype("string")
    return Dataset(orders=frame, messages=msgs)


KEY = ["account", "marketplace", "metric", "channel", "window_days"]
METRICS = ["order_defect_rate", "negative_feedback_rate", "late_shipment_rate", "pre_fulfillment_cancel_rate",
           "valid_tracking_rate", "on_time_delivery_rate", "late_response_rate", "chargeback_rate"]


def test_trend_equals_health_on_sampled_days():
    data = random_orders()
    trend = metric_trend(data, metric=METRICS, start="2025-11-01", end="2026-03-31")
    for day in ["2025-11-01", "2025-12-15", "2026-01-31", "2026-02-17", "2026-03-31"]:
        h = account_health(data, as_of=day, metrics=METRICS).set_index(KEY).sort_index()
        t = trend[trend["as_of"] == pd.Timestamp(day)].set_index(KEY).sort_index()
        assert list(h.index) == list(t.index)
        for col in ("numerator", "denominator", "window_start", "window_end"):
            assert (h[col].to_numpy() == t[col].to_numpy()).all(), (day, col)
        np.testing.assert_array_equal(h["rate"].to_numpy(), t["rate"].to_numpy())
        # VTR status in health also applies the per-category rule; every other status must agree exactly.
        same = h.index.get_level_values("metric") != "valid_tracking_rate"
        assert (h.loc[same, "status"].to_numpy() == t.loc[same, "status"].to_numpy()).all()
    assert trend["denominator"].sum() > 0 and trend["numerator"].sum() > 0  # the comparison was not vacuous


def test_trend_default_range_and_channel_filter():
    data = random_orders(120)
    t = metric_trend(data, metric="order_defect_rate", days=10, channel="AFN")
    assert t["as_of"].nunique() == 10 and set(t["channel"]) == {"AFN"}
    # end defaults to the day after the latest purchase
    latest = data.orders["purchase_date"].max().date()
    assert t["as_of"].max() == pd.Timestamp(latest) + pd.Timedelta(days=1)


def test_forecast_hand_case():
    # 100 MFN orders purchased 2026-01-01..01-04 (25 a day), 2 of them (on 01-01) with negative feedback.
    rows = [dict(order_id=f"o{i}", purchase_date=f"2026-01-0{1 + i // 25}T10:00:00-08:00",
                 feedback_rating=1 if i < 2 else None) for i in range(100)]
    f = recovery_forecast(orders(rows), as_of="2026-02-20", daily_orders=10, horizon_days=60)
    s = f.summary.iloc[0]
    # as_of 02-20: window 2025-12-08..2026-02-05 holds all 100 orders -> ODR 2/100 = 2%
    assert (s.numerator, s.denominator, s.status) == (2, 100, "breached")
    # defect-free orders needed: 2/(100+x) < 1%  <=>  x > 100  -> 101; defects to remove: 2-r < 1 -> r = 2
    assert (s.defect_free_orders_needed, s.defects_to_remove) == (101, 2)
    # Projection: the 01-01 orders (and both defects) leave when the window starts 01-02, i.e. as_of
    # 01-02 + 74 days = 2026-03-17. Before that, on 03-16, the window 01-01..03-01 holds the 100 real orders plus
    # 10 a day for 02-20..03-01 (10 days) = 200 -> 2/200 = 1.0%, not under 1%. So recovery is 2026-03-17.
    assert s.recovery_date == pd.Timestamp("2026-03-17") and s.days_to_recovery == 25
    p = f.projection.set_index("as_of")
    assert p.loc["2026-03-16", "denominator"] == 200 and p.loc["2026-03-16", "numerator"] == 2
    assert p.loc["2026-03-17", "numerator"] == 0


def test_forecast_recent_volume_default():
    # 30 orders over the 30 days before as_of -> 1 order a day projected
    rows = [dict(order_id=f"r{i}", purchase_date=(pd.Timestamp("2026-01-21T10:00:00-08:00")
                                                    + pd.Timedelta(days=i)).isoformat()) for i in range(30)]
    f = recovery_forecast(orders(rows), as_of="2026-02-20")
    assert f.summary.iloc[0]["daily_orders"] == pytest.approx(1.0)


@pytest.mark.parametrize("num, den, target, cond, add, remove", [
    (3, 100, 0.01, "<", 201, 3),     # 3/(100+x) < 1% -> x > 200; 3 - r < 1 -> r = 3
    (1, 100, 0.01, "<", 1, 1),       # 1/100 is not < 1%: one more order (1/101) or remove it
    (0, 10, 0.01, "<", 0, 0),
    (1, 100, 0.01, "<=", 0, 0),      # 1/100 <= 1% already
    (5, 100, 0.04, "<", 26, 2),      # 5/(100+x) < 4% -> x > 25; 5 - r < 4 -> r = 2
])
def test_orders_needed_exact(num, den, target, cond, add, remove):
    assert orders_needed([num], [den], [target], [cond]) == ([add], [remove])
