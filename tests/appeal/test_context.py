import pandas as pd
import pytest
from appeal_helpers import health, health_row, hypothesis, odr_health

from reinstate.appeal.context import build_context, template_context
from reinstate.errors import ConfigError


def test_worst_channel_and_components_are_picked():
    ctx = build_context(health=odr_health(), as_of="2026-11-16")
    odr = ctx["metrics"]["order_defect_rate"]
    # MFN is breached (14/820), AFN good (1/410): the breached channel speaks for the account.
    assert odr["channel"] == "MFN"
    assert (odr["numerator"], odr["denominator"]) == (14, 820)
    assert odr["rate_pct"] == "1.71%"            # 14 / 820 = 0.017073 -> 1.71%
    assert odr["target_pct"] == "1%" and odr["target_phrase"] == "below 1%"
    assert odr["window"] == "3 Aug 2026 to 1 Oct 2026"
    assert odr["per_order_pct"] == "0.12%"       # 1 / 820 = 0.00122
    # Components with at least one order, same channel and window; the zero chargeback row is left out.
    assert [(c["metric"], c["numerator"]) for c in odr["components"]] == [
        ("a_to_z_claim_rate", 9), ("negative_feedback_rate", 6)]
    assert [m["metric"] for m in ctx["flagged_metrics"]][:1] == ["order_defect_rate"]


def test_marketplace_filter_keeps_other_marketplaces_out():
    frame = health([health_row("order_defect_rate", "MFN", 5, 100, "breached", marketplace="UK"),
                    health_row("order_defect_rate", "MFN", 1, 400, "good", marketplace="US")])
    ctx = build_context(health=frame, marketplace="US", as_of="2026-11-16")
    assert ctx["metrics"]["order_defect_rate"]["numerator"] == 1


def test_causes_one_triple_per_cause_and_confidence_filter():
    hyps = pd.DataFrame([
        hypothesis(1, "carrier_delay", 8, 8 / 14, dimension="carrier", value="SwiftPost", statement="S1."),
        hypothesis(2, "carrier_delay", 3, 3 / 14, dimension="sku", value="MUG-1"),      # same cause: merged away
        hypothesis(3, "unresponsive_service", 4, 4 / 14, confidence="medium"),
        hypothesis(4, "product_defect", 3, 3 / 14, confidence="low"),                  # low: left out
    ])
    ctx = build_context(diagnosis=hyps, as_of="2026-11-16")
    assert [c["id"] for c in ctx["causes"]] == ["carrier_delay", "unresponsive_service"]
    first = ctx["causes"][0]
    assert first["evidence"] == "S1."                       # the diagnosis statement is quoted as is
    assert first["scope"] == "shipped with SwiftPost"
    assert "shipped with SwiftPost" in first["root_cause"]  # the scoped pattern, slot filled
    # No statement given: the sentence is built from the numbers. 4 of 14 = 28.6% -> "29%".
    assert ctx["causes"][1]["evidence"].startswith("4 of 14 defects (29%) were buyer messages")
    assert ctx["defects_total"] == 14                       # 8 / (8/14)


def test_action_slots_date_owner_and_overrides():
    ctx = build_context(causes=["late_shipment"], as_of="2026-11-16",
                        actions={"late_shipment.ca.cover": {"owner": "Maria Lopez", "date": "2026-11-10"},
                                 "late_shipment.pm.holiday": {}})
    cause = ctx["causes"][0]
    assert cause["corrective_ids"] == ["late_shipment.ca.cover"]
    assert cause["corrective"] == [("On 10 Nov 2026, Maria Lopez named a second person to confirm shipments "
                                    "on weekends and public holidays.")]
    assert cause["preventive"] == [("Our operations manager extends handling time or sets holiday mode two weeks "
                                    "before every planned closure.")]
    default = build_context(causes=["late_shipment"], as_of="2026-11-16", fields={"action_date": "2026-11-12"})
    assert all(a.startswith("On 12 Nov 2026,") for a in default["causes"][0]["corrective"])
    assert "{" not in " ".join(default["causes"][0]["preventive"])


def test_unknown_cause_is_a_clear_error():
    with pytest.raises(ConfigError, match="unknown cause id.*banana"):
        build_context(causes="late_shipment,banana")


def test_fields_become_top_level_and_seller_details():
    ctx = build_context(seller={"store_name": "Acme", "merchant_token": "A1TOKEN"}, fields={"category": "Toys"},
                        asins="B0AAA;B0BBB")
    assert (ctx["store_name"], ctx["merchant_token"], ctx["category"]) == ("Acme", "A1TOKEN", "Toys")
    assert ctx["asins"] == ["B0AAA", "B0BBB"]


def test_template_context_filters_to_template_causes_and_falls_back_to_defaults():
    hyps = pd.DataFrame([hypothesis(1, "product_defect", 5, 0.5)])
    # late-shipment-rate only writes about late_shipment / stockout causes: product_defect is dropped and the
    # template's default cause is used instead.
    ctx = template_context("late-shipment-rate", diagnosis=hyps, as_of="2026-11-16")
    assert [c["id"] for c in ctx["causes"]] == ["late_shipment"]
    ctx = template_context("review-manipulation", as_of="2026-11-16")
    assert [c["id"] for c in ctx["causes"]] == ["review_manipulation"]


def test_account_wide_hypothesis_with_missing_dates_is_not_a_period():
    # the diagnosis gives account-wide rows NaT dates; NaT is truthy and once produced "between  and"
    row = hypothesis(1, "late_shipment", 4, 0.02, start=pd.NaT, end=pd.NaT, statement="4 of 206 defects.")
    ctx = build_context(diagnosis=pd.DataFrame([row]), causes=["late_shipment"])
    (cause,) = ctx["causes"]
    assert cause["scope"] == "across the account"
    assert "between" not in cause["root_cause"]
