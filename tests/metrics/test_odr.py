"""ODR and its components, by hand. as_of 2026-03-01 -> ODR window 2025-12-17 .. 2026-02-14 (US local days)."""
import pandas as pd
import pytest
from factories import orders
from metric_helpers import AS_OF, counts, one

from reinstate.metrics.health import account_health, drilldown

IN = "2026-01-10T10:00:00-08:00"  # well inside the ODR window


ODR_METRICS = ("order_defect_rate", "negative_feedback_rate", "a_to_z_claim_rate", "chargeback_rate")


def health(rows, **kw):
    return account_health(orders(rows), as_of=AS_OF, metrics=ODR_METRICS, **kw)


def test_window_edges_first_and_last_day_in_and_out():
    h = health([
        dict(order_id="first-in", purchase_date="2025-12-17T00:30:00-08:00", feedback_rating=1),
        dict(order_id="before-out", purchase_date="2025-12-16T23:30:00-08:00", feedback_rating=1),
        dict(order_id="last-in", purchase_date="2026-02-14T23:30:00-08:00", feedback_rating=1),
        dict(order_id="after-out", purchase_date="2026-02-15T00:10:00-08:00", feedback_rating=1),
        dict(order_id="clean", purchase_date=IN),
    ])
    r = one(h, "order_defect_rate")
    assert (str(r.window_start.date()), str(r.window_end.date())) == ("2025-12-17", "2026-02-14")
    # in: first-in, last-in (both defective), clean -> 2 defective of 3
    assert counts(h, "order_defect_rate") == (2, 3)


def test_time_zone_edge_local_day_not_utc_day():
    # 2026-02-14 23:30 PST is 2026-02-15 07:30 UTC: in by local day (out by UTC day).
    # 2025-12-17 07:30 UTC is 2025-12-16 23:30 PST: out by local day (in by UTC day).
    h = health([
        dict(order_id="late-evening", purchase_date="2026-02-15T07:30:00Z", feedback_rating=2),
        dict(order_id="utc-morning", purchase_date="2025-12-17T07:30:00Z", feedback_rating=2),
    ])
    assert counts(h, "order_defect_rate") == (1, 1)
    # The same instants in Tokyo (UTC+9): 2026-02-15 16:30 local -> out; 2025-12-17 16:30 local -> in.
    jp = account_health(metrics=ODR_METRICS, data=orders([
        dict(order_id="late-evening", purchase_date="2026-02-15T07:30:00Z", feedback_rating=2, marketplace="JP"),
        dict(order_id="utc-morning", purchase_date="2025-12-17T07:30:00Z", feedback_rating=2, marketplace="JP"),
    ]), as_of=AS_OF)
    assert counts(jp, "order_defect_rate") == (1, 1)
    assert list(drilldown(orders([
        dict(order_id="late-evening", purchase_date="2026-02-15T07:30:00Z", feedback_rating=2, marketplace="JP"),
        dict(order_id="utc-morning", purchase_date="2025-12-17T07:30:00Z", feedback_rating=2, marketplace="JP"),
    ]), as_of=AS_OF, metric="order_defect_rate")["order_id"]) == ["utc-morning"]


def test_multi_item_order_counts_once_and_multiple_defects_count_once():
    h = health([
        # one order, three item rows, negative feedback + granted claim + service chargeback on it
        *[dict(order_id="multi", purchase_date=IN, sku=s, feedback_rating=1, claim_status="granted",
               chargeback_type="service", chargeback_outcome="lost") for s in ("A", "B", "C")],
        dict(order_id="clean1", purchase_date=IN), dict(order_id="clean2", purchase_date=IN),
        dict(order_id="clean3", purchase_date=IN),
    ])
    # 4 distinct orders; 1 defective; each component also 1 -> 1/4 everywhere
    assert counts(h, "order_defect_rate") == (1, 4)
    assert counts(h, "negative_feedback_rate") == (1, 4)
    assert counts(h, "a_to_z_claim_rate") == (1, 4)
    assert counts(h, "chargeback_rate") == (1, 4)
    assert one(h, "order_defect_rate").rate == pytest.approx(0.25)
    d = drilldown(orders([dict(order_id="multi", purchase_date=IN, sku=s, feedback_rating=1, claim_status="granted",
                               chargeback_type="service") for s in ("A", "B")]),
                  as_of=AS_OF, metric="order_defect_rate")
    assert len(d) == 1 and d.loc[0, "sku"] == "A; B"
    assert d.loc[0, "reason"] == "negative_feedback+a_to_z_claim+chargeback"


@pytest.mark.parametrize("status, counted", [
    ("open", True), ("granted", True), ("refunded", True),
    ("denied", False), ("withdrawn", False), ("amazon_funded", False)])
def test_each_claim_status(status, counted):
    h = health([dict(order_id="c", purchase_date=IN, claim_status=status), dict(order_id="x", purchase_date=IN)])
    assert counts(h, "a_to_z_claim_rate") == (int(counted), 2)
    assert counts(h, "order_defect_rate") == (int(counted), 2)


@pytest.mark.parametrize("kind, outcome, counted", [
    ("service", "lost", True), ("service", "open", True), ("service", None, True),
    ("fraud", "lost", False), ("service", "won", False), ("fraud", "won", False)])
def test_fraud_and_won_chargebacks(kind, outcome, counted):
    h = health([dict(order_id="cb", purchase_date=IN, chargeback_type=kind, chargeback_outcome=outcome),
                dict(order_id="x", purchase_date=IN)])
    assert counts(h, "chargeback_rate") == (int(counted), 2)


@pytest.mark.parametrize("rating, removed, counted", [
    (1, False, True), (2, False, True), (2, True, False), (3, False, False), (5, False, False), (1, None, True)])
def test_feedback_rating_and_removed(rating, removed, counted):
    h = health([dict(order_id="f", purchase_date=IN, feedback_rating=rating, feedback_removed=removed),
                dict(order_id="x", purchase_date=IN)])
    assert counts(h, "negative_feedback_rate") == (int(counted), 2)


def test_channels_are_separate_and_cancelled_excluded_by_default():
    rows = [
        dict(order_id="m1", purchase_date=IN, feedback_rating=1),
        dict(order_id="m2", purchase_date=IN),
        dict(order_id="m3", purchase_date=IN, order_status="Cancelled"),
        dict(order_id="a1", purchase_date=IN, fulfillment_channel="AFN"),
        dict(order_id="a2", purchase_date=IN, fulfillment_channel="AFN"),
        dict(order_id="a3", purchase_date=IN, fulfillment_channel="AFN"),
        dict(order_id="a4", purchase_date=IN, fulfillment_channel="AFN", feedback_rating=2),
    ]
    h = health(rows)
    # MFN: m1, m2 (m3 cancelled, excluded) -> 1/2; AFN 1/4 (never blended into 2/6)
    assert counts(h, "order_defect_rate", "MFN") == (1, 2)
    assert counts(h, "order_defect_rate", "AFN") == (1, 4)
    assert "1 cancelled orders excluded" in one(h, "order_defect_rate", "MFN").note
    h2 = health(rows, include_cancelled_in_odr=True)
    assert counts(h2, "order_defect_rate", "MFN") == (1, 3)


def test_defect_date_does_not_matter_only_purchase_date():
    # A claim filed long after the window still counts against the order's purchase day.
    h = health([dict(order_id="late-claim", purchase_date=IN, claim_status="open",
                     claim_date="2026-02-28T10:00:00-08:00")])
    assert counts(h, "a_to_z_claim_rate") == (1, 1)


def test_empty_window_is_no_data_not_zero():
    h = health([dict(order_id="old", purchase_date="2025-06-01T10:00:00-08:00", feedback_rating=1)])
    r = one(h, "order_defect_rate")
    assert (r.numerator, r.denominator, r.status) == (0, 0, "no_data")
    assert pd.isna(r.rate) and r.note.startswith("empty window")


def test_missing_columns_are_no_data_and_named():
    h = health([dict(order_id="o", purchase_date=IN)])  # no feedback, claim, chargeback columns at all
    r = one(h, "negative_feedback_rate")
    assert r.status == "no_data" and pd.isna(r.rate) and "feedback_rating" in r.note
    assert one(h, "order_defect_rate").status == "no_data"
    # Only claims given: ODR is computed from claims and says what it lacked.
    h = health([dict(order_id="o", purchase_date=IN, claim_status="granted"), dict(order_id="p", purchase_date=IN)])
    r = one(h, "order_defect_rate")
    assert (r.numerator, r.denominator) == (1, 2)
    assert "negative_feedback" in r.note and "chargeback" in r.note


def test_statuses_good_at_risk_breached():
    def odr_status(defects, total):
        rows = [dict(order_id=f"o{i}", purchase_date=IN, feedback_rating=1 if i < defects else None)
                for i in range(total)]
        return one(health(rows), "order_defect_rate").status
    assert odr_status(0, 1000) == "good"
    assert odr_status(7, 1000) == "good"       # 0.7% < 0.8%
    assert odr_status(8, 1000) == "at_risk"    # 0.8% = 80% of the way to 1%
    assert odr_status(9, 1000) == "at_risk"
    assert odr_status(10, 1000) == "breached"  # 1.0% is not < 1%


def test_group_wise_over_accounts_and_marketplaces():
    rows = [dict(order_id="a", purchase_date=IN, feedback_rating=1, account="s1"),
            dict(order_id="b", purchase_date=IN, account="s1"),
            dict(order_id="a", purchase_date=IN, account="s2"),  # same order id, other account: distinct order
            dict(order_id="u", purchase_date=IN, account="s2", marketplace="UK", feedback_rating=2)]
    h = health(rows)
    assert counts(h, "order_defect_rate", account="s1") == (1, 2)
    s2 = h[(h["account"] == "s2") & (h["metric"] == "order_defect_rate")].set_index("marketplace")
    assert (s2.loc["US", "numerator"], s2.loc["US", "denominator"]) == (0, 1)
    assert (s2.loc["UK", "numerator"], s2.loc["UK", "denominator"]) == (1, 1)
    only_uk = health(rows, marketplace="UK")
    assert set(only_uk["marketplace"]) == {"UK"}


def test_odr_offset_and_dashboard_dates_override():
    rows = [dict(order_id="o", purchase_date="2026-02-15T10:00:00-08:00", feedback_rating=1)]
    assert counts(health(rows), "order_defect_rate") == (0, 0)  # 02-15 is after the default window
    assert counts(health(rows, odr_offset_days=14), "order_defect_rate") == (1, 1)
    h = health(rows, windows={"order_defect_rate": ("2026-01-01", "2026-02-15")})
    r = one(h, "order_defect_rate")
    assert (r.numerator, r.denominator, r.window_days) == (1, 1, 46)
    assert counts(h, "negative_feedback_rate") == (1, 1)  # components follow the ODR window
