"""The metrics explorer in a real browser (Voila serving tests/e2e/metrics-explorer.ipynb on the sample):
cards with status colours, selecting a metric, filtering by channel and cause tag."""
from __future__ import annotations

import pytest
from browser_harness import open_app, screenshot

NOTEBOOK = "tests/e2e/metrics-explorer.ipynb"
pytestmark = pytest.mark.browser


def test_cards_trend_and_drilldown(page, voila):
    from playwright.sync_api import expect

    open_app(page, voila, ".rs-metrics-explorer")
    cards = page.locator(".rs-card")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 8
    # the sample's ODR is breached (see data/sample/README.md): its card says so in colour and in words
    odr = page.locator(".rs-card-order-defect-rate")
    expect(odr).to_have_class(__import__("re").compile(r"rs-status-breached"))
    expect(odr).to_contain_text("Breached")
    expect(page.locator(".rs-drilldown table")).to_be_visible()
    page.set_viewport_size({"width": 1320, "height": 1450})   # cards, trend and table in one picture
    screenshot(page, "metrics-explorer", full_page=False, docs=True)

    # pick Late Shipment Rate from its card: the table title follows
    page.locator(".rs-card-late-shipment-rate .rs-card-select").click()
    expect(page.locator(".rs-section", has_text="Orders behind the numerator")).to_contain_text("Late Shipment Rate")
    rows_all = page.locator(".rs-drilldown tbody tr")
    expect(rows_all.first).to_be_visible()
    # filter by a cause tag: every remaining row carries it
    tags = page.locator(".rs-tag-filter select option")
    assert tags.count() >= 2
    tag = tags.nth(1).inner_text()
    page.locator(".rs-tag-filter select").select_option(label=tag)
    expect(page.locator(".rs-drilldown tbody tr").first).to_contain_text(tag)
    cells = page.locator(".rs-drilldown tbody tr td:last-child").all_inner_texts()
    assert cells and all(tag in c for c in cells)
    # channel AFN: late shipment is a seller-fulfilled metric, so nothing is listed
    page.locator(".rs-channel button", has_text="AFN").click()
    expect(page.locator(".rs-drilldown")).to_contain_text("No orders")
    assert all("127.0.0.1" not in url for url in page.blocked)
