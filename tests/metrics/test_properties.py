"""Property tests: invariants that must hold for any order table."""
import pandas as pd
from factories import orders
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reinstate.metrics.health import account_health

AS_OF = "2026-03-01"
LOWER_IS_BETTER = ("order_defect_rate", "negative_feedback_rate", "a_to_z_claim_rate", "chargeback_rate",
                   "late_shipment_rate", "pre_fulfillment_cancel_rate")
METRICS = LOWER_IS_BETTER + ("valid_tracking_rate", "on_time_delivery_rate")
BASE = pd.Timestamp("2025-12-01T10:00:00-08:00")

order = st.fixed_dictionaries({
    "day": st.integers(0, 90),
    "channel": st.sampled_from(["MFN", "AFN"]),
    "status": st.sampled_from(["Shipped", "Shipped", "Cancelled", "Unshipped"]),
    "cancelled_by": st.sampled_from([None, "seller", "buyer", "amazon"]),
    "rating": st.sampled_from([None, None, 1, 2, 3, 5]),
    "removed": st.booleans(),
    "claim": st.sampled_from([None, None, "open", "granted", "denied", "withdrawn", "amazon_funded"]),
    "cb": st.sampled_from([None, None, ("service", "lost"), ("fraud", "lost"), ("service", "won")]),
    "ship_hours": st.sampled_from([None, -5, 3, 30]),  # confirmation relative to the ship-by deadline
    "deliver_hours": st.sampled_from([None, -20, 2, 40]),
    "valid": st.booleans(),
    "qty": st.integers(1, 3),
    "items": st.integers(1, 2),
    "account": st.sampled_from(["s1", "s2"]),
})


def build(specs):
    rows = []
    for i, o in enumerate(specs):
        purchase = BASE + pd.Timedelta(days=o["day"])
        ship_by = purchase + pd.Timedelta(days=2)
        deliver_by = purchase + pd.Timedelta(days=5)
        for item in range(o["items"]):
            rows.append(dict(
                order_id=f"o{i}", account=o["account"], fulfillment_channel=o["channel"], order_status=o["status"],
                purchase_date=purchase.isoformat(), sku=f"k{item}", quantity=o["qty"],
                cancelled_by=o["cancelled_by"] if item == 0 else None, product_category="Toys",
                feedback_rating=o["rating"], feedback_removed=o["removed"], claim_status=o["claim"],
                chargeback_type=o["cb"][0] if o["cb"] else None, chargeback_outcome=o["cb"][1] if o["cb"] else None,
                latest_ship_date=ship_by.isoformat(),
                ship_confirmed_at=None if o["ship_hours"] is None else
                (ship_by + pd.Timedelta(hours=o["ship_hours"])).isoformat(),
                tracking_valid=o["valid"], latest_delivery_date=deliver_by.isoformat(),
                delivered_at=None if o["deliver_hours"] is None else
                (deliver_by + pd.Timedelta(hours=o["deliver_hours"])).isoformat()))
    return orders(rows)


def health(frame):
    return account_health(frame, as_of=AS_OF, metrics=METRICS)


FAST = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.lists(order, min_size=1, max_size=25))
def test_rates_in_unit_interval_and_odr_between_components(specs):
    h = health(build(specs))
    rates = h["rate"].dropna()
    assert ((rates >= 0) & (rates <= 1)).all()
    assert (h["numerator"] <= h["denominator"]).all()
    odr = h[h["metric"].isin(LOWER_IS_BETTER[:4])].pivot_table(
        index=["account", "marketplace", "channel"], columns="metric", values="numerator")
    parts = odr[["negative_feedback_rate", "a_to_z_claim_rate", "chargeback_rate"]]
    assert (odr["order_defect_rate"] <= parts.sum(axis=1)).all()
    assert (odr["order_defect_rate"] >= parts.max(axis=1)).all()


@FAST
@given(st.lists(order, min_size=1, max_size=20), st.integers(0, 90), st.sampled_from(["s1", "s2"]),
       st.sampled_from(["MFN", "AFN"]))
def test_defect_free_order_never_raises_a_lower_is_better_rate(specs, day, account, channel):
    before = health(build(specs))
    clean = dict(day=day, channel=channel, status="Shipped", cancelled_by=None, rating=5, removed=False,
                 claim=None, cb=None, ship_hours=-5, deliver_hours=-20, valid=True, qty=1, items=1, account=account)
    after = health(build(specs + [clean]))
    key = ["account", "marketplace", "metric", "channel", "window_days"]
    both = before.merge(after, on=key, suffixes=("_b", "_a"))
    both = both[both["metric"].isin(LOWER_IS_BETTER) & both["rate_b"].notna()]
    assert (both["rate_a"] <= both["rate_b"] + 1e-15).all()


@FAST
@given(st.lists(order, min_size=2, max_size=20), st.randoms(use_true_random=False))
def test_permuting_rows_changes_nothing(specs, rnd):
    frame = build(specs)
    index = list(frame.index)
    rnd.shuffle(index)
    shuffled = frame.loc[index].reset_index(drop=True)
    pd.testing.assert_frame_equal(health(frame), health(shuffled))
