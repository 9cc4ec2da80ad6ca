"""MetricsExplorer driven without a kernel: set widget values, click buttons, read the state.

Hand-built data (as_of 2026-11-20, US): the ODR window is 7 Sep - 5 Nov 2026 (60 days ending as_of - 15).
10 MFN orders on 1-10 Oct, two with 1-star feedback (O1, O2)  -> MFN ODR 2/10 = 20%, breached (< 1%).
5 AFN orders on 1-5 Oct, none defective                       -> AFN ODR 0/5 = 0%, good.
The card shows the worst channel: 20.00%, breached.
"""
import datetime as dt

import pytest
from factories import orders

from reinstate.dataset import Dataset
from reinstate.ui.metrics_explorer import MetricsExplorer


@pytest.fixture
def data():
    rows = [dict(order_id=f"O{i}", purchase_date=f"2026-10-{i:02d}T10:00:00-07:00", fulfillment_channel="MFN",
                 sku="MUG-01" if i <= 2 else "CUP-02", feedback_rating=1 if i <= 2 else 5,
                 feedback_text="contact me at jane@example.com" if i == 1 else None) for i in range(1, 11)]
    rows += [dict(order_id=f"F{i}", purchase_date=f"2026-10-{i:02d}T10:00:00-07:00", fulfillment_channel="AFN",
                  sku="CUP-02", feedback_rating=5) for i in range(1, 6)]
    return Dataset(orders=orders(rows))


def card(app, metric):
    cls = f"rs-card-{metric.replace('_', '-')}"
    return next(c for c in app.w_cards.children if cls in c._dom_classes)


def test_cards_show_worst_channel_rate_and_status(data):
    app = MetricsExplorer(data, as_of="2026-11-20")
    odr = card(app, "order_defect_rate")
    assert "rs-status-breached" in odr._dom_classes
    body = odr.children[0].value
    assert "20.00%" in body and "MFN 60d: 20.00% (2/10)" in body and "AFN 60d: 0.00% (0/5)" in body
    assert "rs-card-selected" in odr._dom_classes


def test_drilldown_lists_the_defective_orders_and_follows_the_channel(data):
    app = MetricsExplorer(data, as_of="2026-11-20")
    assert sorted(app.drill["order_id"]) == ["O1", "O2"]
    assert "O1" in app.w_drill.value and "MUG-01" in app.w_drill.value
    app.w_channel.value = "AFN"
    assert app.channel == "AFN" and len(app.drill) == 0
    odr = card(app, "order_defect_rate")          # AFN only: 0/5 is good
    assert "rs-status-good" in odr._dom_classes
    app.w_channel.value = "__all__"
    assert len(app.drill) == 2


def test_selecting_a_card_changes_metric_trend_and_table(data):
    app = MetricsExplorer(data, as_of="2026-11-20")
    before = app.w_trend.value
    card(app, "negative_feedback_rate").children[1].click()
    assert app.metric == "negative_feedback_rate" and app.w_metric.value == "negative_feedback_rate"
    assert sorted(app.drill["order_id"]) == ["O1", "O2"]
    assert app.w_trend.value[:8] == b"\x89PNG\r\n\x1a\n" and app.w_trend.value != before
    assert set(app.trend["metric"]) == {"negative_feedback_rate"}


def test_as_of_change_moves_the_window(data):
    app = MetricsExplorer(data, as_of="2026-11-20")
    # as_of 2027-01-20: window 22 Nov 2026 - 5 Jan 2027 holds no order -> no_data, nothing to drill
    app.w_as_of.value = dt.date(2027, 1, 20)
    assert "rs-status-no_data" in card(app, "order_defect_rate")._dom_classes
    assert len(app.drill) == 0


def test_language_toggle_translates_labels(data):
    app = MetricsExplorer(data, as_of="2026-11-20")
    app.w_language.value = "zh"
    assert app.w_metric.description == "指标"
    assert ("订单缺陷率", "order_defect_rate") in app.w_metric.options


def test_valid_tracking_card_names_the_worst_category_and_download_writes_a_workbook(tmp_path):
    """On the bundled sample VTR is 95.94 % overall (above its 95 % target) but breached by one category:
    the card says which. The download writes a real workbook under out_dir/exports and links it."""
    import openpyxl

    from reinstate.io.load import load
    from reinstate.paths import SAMPLE_DIR
    from reinstate.ui import MetricsExplorer

    app = MetricsExplorer(load(SAMPLE_DIR), as_of="2026-11-16", out_dir=tmp_path)
    card = next(c for c in app.w_cards.children if "rs-card-valid-tracking-rate" in c._dom_classes)
    body = card.children[0].value
    assert "95.94%" in body and "worst category" in body and "Sports &amp; Outdoors 67/73 = 91.8%" in body
    other = next(c for c in app.w_cards.children if "rs-card-order-defect-rate" in c._dom_classes)
    assert "worst category" not in other.children[0].value
    [path] = app.export()
    assert path.parent == tmp_path / "exports" and path.suffix == ".xlsx"
    assert openpyxl.load_workbook(path).sheetnames == ["health", "failing_orders", "reconciliation"]
    assert 'download="' in app.w_export_result.value and "base64," in app.w_export_result.value
    app.w_export_format.value = ".csv"
    assert [p.name for p in app.export()] == ["health-demo-seller-2026-11-16.csv",
                                              "health-demo-seller-2026-11-16.failing_orders.csv",
                                              "health-demo-seller-2026-11-16.reconciliation.csv"]
