"""Display helpers for the notebooks: hand-built inputs, formatted outputs (no <NA>, no e-notation, no repeats)."""
import types

import pandas as pd

from reinstate.display import hypotheses_table, p_value_text, statements
from reinstate.metrics.display import forecast_summary, reconciliation_table, reconciliation_text, removable_table

NA = pd.NA


def fake_dx():
    """Two ranked causes; the SKU one also shows on its ASIN and category (nested_in 2), the carrier one
    has a narrower cause nested in it."""
    h = pd.DataFrame({
        "rank": pd.array([1, 2, NA, NA, NA], dtype="Int64"),
        "cause": ["carrier_delay", "transit_damage", "transit_damage", "transit_damage", "item_not_received"],
        "dimension": ["carrier", "sku", "asin", "product_category", "carrier"],
        "value": ["USPS", "KT-1", "B0X", "Kitchen", "USPS"],
        "start": pd.to_datetime(["2026-09-01"] * 5), "end": pd.to_datetime(["2026-10-01"] * 5),
        "defects_explained": [47, 10, 10, 10, 9], "share": [47 / 206, 10 / 206, 10 / 206, 10 / 206, 9 / 206],
        "scope_rate": [0.319, 0.0746, 0.0746, 0.031, 0.03], "rest_rate": [0.031, 0.00177, 0.00177, 0.0015, 0.0],
        "lift": [10.15, 42.07, 42.07, 20.0, 87.4], "p_adjusted": [2.1e-49, 0.0123, 4e-13, 4e-13, 3.6e-8],
        "confidence": ["high", "medium", "high", "high", "high"],
        "statement": ["47 late via USPS.", "10 damaged on SKU KT-1.", "10 damaged on ASIN B0X.",
                      "10 damaged in Kitchen.", "9 not received via USPS."],
        "nested_in": pd.array([NA, NA, 2, 2, 1], dtype="Int64"),
    })
    return types.SimpleNamespace(hypotheses=h)


def test_p_values_are_read_not_decoded():
    assert [p_value_text(p) for p in (2.1e-49, 0.00123, 0.0123, 0.2, 1.0, None)] == \
        ["< 0.0001", "0.0012", "0.01", "0.20", "1", "—"]


def test_hypotheses_table_has_ranked_rows_only_with_the_nested_scopes_folded_in():
    t = hypotheses_table(fake_dx())
    assert t["rank"].tolist() == [1, 2]
    assert t.loc[1, "where"] == "SKU KT-1" and t.loc[1, "defects"] == "10 (5%)"
    assert t.loc[1, "also seen as"] == "ASIN B0X; category Kitchen"
    assert t.loc[0, "also seen as"] == "carrier USPS (item not received)"
    assert t.loc[0, "p (corrected)"] == "< 0.0001" and t.loc[1, "p (corrected)"] == "0.01"
    assert t.loc[0, "lift"] == "10.2×" and t.loc[1, "in scope"] == "7.5%"
    assert "<NA>" not in t.to_string() and "nan" not in t.to_string().lower() and "e-" not in t.to_string()


def test_statements_name_each_set_of_defects_once():
    assert statements(fake_dx()) == ["47 late via USPS.",
                                     "10 damaged on SKU KT-1. (The same defects show on ASIN B0X, category Kitchen.)"]


def test_forecast_summary_reads_as_a_sentence_row():
    summary = pd.DataFrame([{"account": "a", "channel": "MFN", "rate": 34 / 1050, "numerator": 34, "denominator": 1050,
                             "target": 0.01, "condition": "<", "status": "breached",
                             "recovery_date": pd.Timestamp("2026-12-23"), "days_to_recovery": 37,
                             "defect_free_orders_needed": 2351, "defects_to_remove": 24}])
    row = forecast_summary(types.SimpleNamespace(summary=summary)).iloc[0]
    assert row["ODR now"] == "3.24% (34/1050)" and row["target"] == "< 1.0%"
    assert row["under target on"] == "2026-12-23 (in 37 days)"
    assert row["or today with"] == "24 fewer defects or 2,351 more defect-free orders"


def test_removable_table_keeps_the_columns_that_matter():
    frame = pd.DataFrame({"order_id": ["1"], "channel": ["AFN"], "component": ["negative_feedback"],
                          "kind": ["afn_feedback"], "purchase_date": pd.to_datetime(["2026-09-17T21:00Z"]),
                          "evidence": ["long text " * 20], "odr_after": [0.5], "cumulative_odr_after": [0.00883]})
    table = removable_table(frame).data
    assert list(table.columns) == ["order_id", "channel", "component", "kind", "purchase_date", "ODR after (cumulative)"]
    assert table.iloc[0].tolist() == ["1", "AFN", "negative feedback", "afn feedback", "2026-09-17", "0.88%"]


def test_reconciliation_table_and_text():
    rec = pd.DataFrame({"metric": ["order_defect_rate", "on_time_delivery_rate"], "channel": ["MFN", "MFN"],
                        "window_start": pd.to_datetime(["2026-09-03", "2026-10-26"]),
                        "window_end": pd.to_datetime(["2026-11-01", "2026-11-08"]),
                        "our_numerator": [34, 183], "our_denominator": [1050, 344], "our_rate": [34 / 1050, 183 / 344],
                        "amazon_numerator": [34, 139], "amazon_denominator": [1050, 259],
                        "amazon_rate": [34 / 1050, 139 / 259], "difference": [0.0, 183 / 344 - 139 / 259],
                        "likely_reason": ["match", "Amazon counts shipments here, we count units"]})
    t = reconciliation_table(rec)
    assert t.loc[1, "ours"] == "53.20% (183/344)" and t.loc[1, "amazon"] == "53.67% (139/259)"
    assert t.loc[1, "difference"] == "-0.47 pt"   # 53.198 - 53.668
    text = reconciliation_text(rec)
    assert text.startswith("1 of 2 of Amazon's figures match ours exactly: order defect rate MFN (3.24%).")
    assert "Likely reason: Amazon counts shipments here, we count units." in text


def test_orders_table_reads_days_and_blanks():
    from reinstate.metrics.display import orders_table
    frame = pd.DataFrame({"order_id": ["1", "2"], "reason": ["negative_feedback+a_to_z_claim", "a_to_z_claim"],
                          "purchase_date": pd.to_datetime(["2026-09-20T07:19Z", "2026-09-24T00:09Z"]),
                          "sku": ["A", "B"], "carrier": ["USPS", None], "feedback_rating": pd.array([1, NA], "Int64"),
                          "claim_status": [None, "granted"], "ship_from": ["X", "Y"]})
    t = orders_table(frame).data
    assert list(t.columns) == ["order_id", "reason", "purchased", "sku", "carrier", "rating", "claim"]
    assert t.iloc[0].tolist() == ["1", "negative feedback + a to z claim", "2026-09-20", "A", "USPS", 1, ""]
    assert t.iloc[1].tolist() == ["2", "a to z claim", "2026-09-24", "B", "", "", "granted"]


def test_notebook_parameters_take_iso_dates_only():
    import pytest

    from reinstate import session
    from reinstate.errors import ConfigError

    assert str(session.default_as_of(None, "2026-11-16")) == "2026-11-16"
    with pytest.raises(ConfigError, match=r"2026-01-11 or 2026-11-01"):
        session.default_as_of(None, "01/11/2026")
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        session.default_as_of(None, "2026-11-16T10:00")
