"""LSR, cancel rate, VTR, OTDR and late response, by hand. as_of 2026-03-01 (see helpers.AS_OF for windows)."""
import pandas as pd
import pytest
from factories import orders
from metric_helpers import AS_OF, counts, one

from reinstate.dataset import Dataset
from reinstate.metrics.health import account_health, drilldown, valid_tracking_by_category


def health(rows, metrics, **kw):
    return account_health(orders(rows), as_of=AS_OF, metrics=metrics, **kw)


def ship(oid, ship_by, confirmed, **kw):
    return dict(order_id=oid, purchase_date="2026-02-01T10:00:00-08:00", latest_ship_date=ship_by,
                ship_confirmed_at=confirmed, **kw)


def test_late_shipment_rules_and_both_windows():
    rows = [
        ship("ontime", "2026-02-25T23:59:59-08:00", "2026-02-25T18:00:00-08:00"),
        ship("late", "2026-02-25T23:59:59-08:00", "2026-02-26T09:00:00-08:00"),
        ship("unconfirmed", "2026-02-27T23:59:59-08:00", None),             # deadline passed before as_of: late
        ship("edge-last-day", "2026-02-28T23:59:59-08:00", "2026-02-28T12:00:00-08:00"),  # in both windows
        ship("edge-first-10", "2026-02-19T23:59:59-08:00", "2026-02-20T08:00:00-08:00"),  # late, first 10-d day
        ship("before-10", "2026-02-18T23:59:59-08:00", "2026-02-19T08:00:00-08:00"),     # late, 30-d window only
        ship("outside", "2026-01-29T23:59:59-08:00", "2026-01-30T08:00:00-08:00"),       # before the 30-d window
        ship("after", "2026-03-01T23:59:59-08:00", None),                               # deadline is as_of: out
        ship("cancelled", "2026-02-25T23:59:59-08:00", None, order_status="Cancelled"),   # never in LSR
        ship("afn", "2026-02-25T23:59:59-08:00", "2026-02-27T08:00:00-08:00", fulfillment_channel="AFN"),
    ]
    h = health(rows, ("late_shipment_rate",))
    # 10-day (02-19..02-28): ontime, late, unconfirmed, edge-last-day, edge-first-10 -> late 3 of 5
    assert counts(h, "late_shipment_rate", window_days=10) == (3, 5)
    # 30-day (01-30..02-28): the five above + before-10 -> late 4 of 6
    assert counts(h, "late_shipment_rate", window_days=30) == (4, 6)
    d = drilldown(orders(rows), as_of=AS_OF, metric="late_shipment_rate", window_days=10)
    assert dict(zip(d["order_id"], d["reason"])) == {
        "late": "confirmed after ship-by", "unconfirmed": "not confirmed, ship-by passed",
        "edge-first-10": "confirmed after ship-by"}


def test_lsr_unconfirmed_only_late_once_deadline_passed():
    # Deadline 2026-02-28 23:59:59 local: viewed on 2026-02-28 it has not passed (and the window ends 02-27).
    rows = [ship("u", "2026-02-27T23:59:59-08:00", None)]
    assert counts(account_health(orders(rows), as_of="2026-02-28", metrics=("late_shipment_rate",)),
                  "late_shipment_rate", window_days=10) == (1, 1)
    assert counts(account_health(orders(rows), as_of="2026-02-27", metrics=("late_shipment_rate",)),
                  "late_shipment_rate", window_days=10) == (0, 0)


def cancel(oid, by=None, status="Cancelled", **kw):
    return dict(order_id=oid, purchase_date="2026-02-25T10:00:00-08:00", order_status=status, cancelled_by=by, **kw)


def test_cancel_rate_buyer_vs_seller_vs_unknown():
    rows = [cancel("seller", "seller"), cancel("amazon", "amazon"), cancel("buyer", "buyer"),
            cancel("unknown", None), cancel("fine", None, status="Shipped"), cancel("fine2", None, status="Shipped"),
            cancel("fine3", None, status="Shipped"), cancel("fine4", None, status="Shipped"),
            cancel("afn", "seller", fulfillment_channel="AFN"),
            dict(order_id="old", purchase_date="2026-02-21T10:00:00-08:00", order_status="Cancelled",
                 cancelled_by="seller")]  # 02-21 is the day before the 7-day window
    h = health(rows, ("pre_fulfillment_cancel_rate",))
    # MFN in window: 8 orders (cancelled ones included); counted: seller, amazon, unknown = 3 (buyer never)
    r = one(h, "pre_fulfillment_cancel_rate")
    assert (r.numerator, r.denominator) == (3, 8)
    assert r.note == "upper bound: 1 cancellations with unknown initiator"


def test_cancel_rate_item_level_cancellation_counts_the_order():
    rows = [dict(order_id="partial", purchase_date="2026-02-25T10:00:00-08:00", sku="A", cancelled_by="seller"),
            dict(order_id="partial", purchase_date="2026-02-25T10:00:00-08:00", sku="B"),
            dict(order_id="buyer-partial", purchase_date="2026-02-25T10:00:00-08:00", sku="A", cancelled_by="buyer"),
            dict(order_id="buyer-partial", purchase_date="2026-02-25T10:00:00-08:00", sku="B")]
    h = health(rows, ("pre_fulfillment_cancel_rate",))
    r = one(h, "pre_fulfillment_cancel_rate")
    assert (r.numerator, r.denominator, r.note) == (1, 2, "")


def tracked(oid, deliver_by, valid, category, **kw):
    return {**dict(order_id=oid, purchase_date="2026-02-01T10:00:00-08:00",
                   ship_confirmed_at="2026-02-02T10:00:00-08:00", latest_delivery_date=deliver_by,
                   tracking_valid=valid, product_category=category), **kw}


def test_valid_tracking_rate_and_worst_category():
    rows = [tracked(f"t{i}", "2026-02-10T23:59:59-08:00", True, "Toys") for i in range(18)]
    rows += [tracked("t-bad", "2026-02-10T23:59:59-08:00", False, "Toys")]
    rows += [tracked(f"k{i}", "2026-02-10T23:59:59-08:00", i > 0, "Kitchen") for i in range(4)]
    rows += [tracked("not-shipped", "2026-02-10T23:59:59-08:00", False, "Toys", ship_confirmed_at=None),
             tracked("outside", "2026-01-29T23:59:59-08:00", False, "Toys")]
    h = health(rows, ("valid_tracking_rate",))
    r = one(h, "valid_tracking_rate")
    # shipped in window: 19 Toys + 4 Kitchen = 23; valid 18 + 3 = 21 -> 91.3% overall (breached anyway)
    assert (r.numerator, r.denominator) == (21, 23)
    assert r.note == "worst category: Kitchen 3/4 = 75.0%"
    cats = valid_tracking_by_category(orders(rows), as_of=AS_OF).set_index("product_category")
    assert (cats.loc["Toys", "numerator"], cats.loc["Toys", "denominator"]) == (18, 19)
    assert cats.loc["Kitchen", "status"] == "breached"


def test_category_breach_sets_status_even_when_overall_is_good():
    rows = [tracked(f"t{i}", "2026-02-10T23:59:59-08:00", True, "Toys") for i in range(97)]
    rows += [tracked(f"k{i}", "2026-02-10T23:59:59-08:00", i > 0, "Kitchen") for i in range(3)]
    r = one(health(rows, ("valid_tracking_rate",)), "valid_tracking_rate")
    # overall 99/100 = 99% (good) but Kitchen 2/3 = 66.7% breaches the per-category 95%
    assert (r.numerator, r.denominator, r.status) == (99, 100, "breached")


def delivery(oid, deliver_by, delivered, qty=1, valid=True, **kw):
    return dict(order_id=oid, purchase_date="2026-02-01T10:00:00-08:00", latest_delivery_date=deliver_by,
                delivered_at=delivered, quantity=qty, tracking_valid=valid,
                ship_confirmed_at="2026-02-03T10:00:00-08:00", **kw)


def test_on_time_delivery_counts_units_and_local_days():
    rows = [
        delivery("ontime", "2026-02-10T23:59:59-08:00", "2026-02-10T22:00:00-08:00", qty=3),
        delivery("same-day-late-hour", "2026-02-10T23:59:59-08:00", "2026-02-11T07:30:00Z", qty=1),  # 23:30 local
        delivery("late", "2026-02-10T23:59:59-08:00", "2026-02-11T10:00:00-08:00", qty=2),
        delivery("undelivered", "2026-02-12T23:59:59-08:00", None, qty=1),
        delivery("untracked", "2026-02-10T23:59:59-08:00", "2026-02-20T10:00:00-08:00", qty=5, valid=False),
        delivery("first-day", "2026-02-08T23:59:59-08:00", "2026-02-08T10:00:00-08:00", qty=1),
        delivery("last-day", "2026-02-21T23:59:59-08:00", "2026-02-21T10:00:00-08:00", qty=1),
        delivery("after", "2026-02-22T23:59:59-08:00", "2026-02-25T10:00:00-08:00", qty=4),
    ]
    r = one(health(rows, ("on_time_delivery_rate",)), "on_time_delivery_rate")
    # tracked units in 02-08..02-21: 3 + 1 + 2 + 1 + 1 + 1 = 9; on time: 3 + 1 + 1 + 1 = 6
    assert (r.numerator, r.denominator) == (6, 9)
    assert (r.target, r.condition, r.status) == (0.90, ">=", "breached")


def test_otdr_target_differs_outside_us():
    rows = [delivery("o", "2026-02-10T23:59:59+01:00", "2026-02-10T10:00:00+01:00", marketplace="DE")]
    r = one(account_health(orders(rows), as_of=AS_OF, metrics=("on_time_delivery_rate",)), "on_time_delivery_rate")
    assert (r.target, r.condition) == (0.97, ">")


def test_cancel_target_india():
    rows = [cancel("x", None, status="Shipped", marketplace="IN")]
    r = one(account_health(orders(rows), as_of=AS_OF, metrics=("pre_fulfillment_cancel_rate",)),
            "pre_fulfillment_cancel_rate")
    assert (r.target, r.condition) == (0.02, "<")


def test_late_response_rate_windows_and_deadline():
    data = Dataset(orders=orders([dict(order_id="o1", purchase_date="2026-02-01T10:00:00-08:00")]),
                   messages=pd.DataFrame({
                       "message_id": ["fast", "slow", "none", "skip", "yesterday", "old"],
                       "order_id": ["o1"] * 6,
                       "received_at": pd.to_datetime([
                           "2026-02-25T10:00:00-08:00", "2026-02-25T10:00:00-08:00", "2026-02-26T10:00:00-08:00",
                           "2026-02-26T10:00:00-08:00", "2026-02-28T10:00:00-08:00", "2026-02-01T10:00:00-08:00"],
                           utc=True),
                       "responded_at": pd.to_datetime([
                           "2026-02-25T12:00:00-08:00", "2026-02-26T11:00:00-08:00", None, None,
                           "2026-02-28T11:00:00-08:00", None], utc=True),
                       "no_response_needed": pd.array([False, False, False, True, False, False], "boolean")}))
    h = account_health(data, as_of=AS_OF, metrics=("late_response_rate",))
    # 7 d (02-22..02-28): fast (on time), slow (25 h), none (no reply); skip marked no-response-needed;
    # yesterday's deadline (03-01 10:00) has not passed by the window end (03-01 00:00) -> left out.
    assert counts(h, "late_response_rate", "ALL", window_days=7) == (2, 3)
    # 30 d (01-30..02-28) adds "old" (no reply) -> 3 of 4
    assert counts(h, "late_response_rate", "ALL", window_days=30) == (3, 4)
    d = drilldown(data, as_of=AS_OF, metric="late_response_rate", window_days=7)
    assert dict(zip(d["message_id"], d["reason"])) == {"slow": "responded after 24 hours", "none": "no response"}


def test_missing_mfn_columns_no_data_named():
    h = health([dict(order_id="o", purchase_date="2026-02-25T10:00:00-08:00")],
               ("late_shipment_rate", "on_time_delivery_rate"))
    r = one(h, "late_shipment_rate", window_days=10)
    assert r.status == "no_data" and "latest_ship_date" in r.note and "ship_confirmed_at" in r.note
    assert one(h, "on_time_delivery_rate").status == "no_data"


def test_drilldown_columns_and_denominator_view():
    rows = [ship("late", "2026-02-25T23:59:59-08:00", "2026-02-26T09:00:00-08:00", sku="S1", carrier="UPS"),
            ship("ok", "2026-02-25T23:59:59-08:00", "2026-02-25T09:00:00-08:00", sku="S2", carrier="UPS")]
    from reinstate.metrics.health import DRILLDOWN_COLUMNS
    d = drilldown(orders(rows), as_of=AS_OF, metric="late_shipment_rate", which="denominator")
    assert list(d.columns) == DRILLDOWN_COLUMNS
    assert dict(zip(d["order_id"], d["in_numerator"])) == {"late": True, "ok": False}
    assert set(d["carrier"]) == {"UPS"} and set(d["sku"]) == {"S1", "S2"}
    with pytest.raises(Exception, match="unknown metric"):
        drilldown(orders(rows), as_of=AS_OF, metric="odr")


def test_cancel_rate_reads_amazon_item_status_for_a_partly_cancelled_order():
    """All Orders marks a cancelled item with item-status Cancelled inside a Shipped order (no initiator)."""
    frame = orders([dict(order_id="p", purchase_date="2026-02-25T10:00:00-08:00", sku="A"),
                    dict(order_id="p", purchase_date="2026-02-25T10:00:00-08:00", sku="B"),
                    dict(order_id="q", purchase_date="2026-02-25T10:00:00-08:00", sku="A")])
    frame["item_status"] = pd.array(["Shipped", "Cancelled", "Shipped"], dtype="string")
    r = one(account_health(frame, as_of=AS_OF, metrics=("pre_fulfillment_cancel_rate",)),
            "pre_fulfillment_cancel_rate")
    # 2 MFN orders in the window; "p" has a cancelled item with unknown initiator -> counted, upper bound
    assert (r.numerator, r.denominator) == (1, 2)
    assert "unknown initiator" in r.note
