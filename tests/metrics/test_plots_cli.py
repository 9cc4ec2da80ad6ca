"""Plots (lines, titles, labels, shading) and the metrics CLI (JSON contract, exit codes)."""
import datetime as dt
import json
import sys
import types

import matplotlib
import matplotlib.pyplot as plt
import pytest
from factories import orders

from reinstate.cli import main
from reinstate.cli.metrics import JSON_FIELDS, to_json, to_table
from reinstate.dataset import Dataset
from reinstate.errors import ConfigError
from reinstate.metrics.forecast import recovery_forecast
from reinstate.metrics.health import account_health
from reinstate.plots.metrics import plot_metric_trend, plot_odr_components, plot_odr_trend, plot_recovery

matplotlib.use("Agg")


def spike_orders():
    """MFN: 10 orders a day for 2025-12-01..2026-01-29 with 3 defects on each of 2026-01-01..01-05; AFN clean."""
    rows = []
    for d in range(60):
        day = f"{dt.date(2025, 12, 1) + dt.timedelta(days=d)}T10:00:00-08:00"
        for k in range(10):
            bad = 31 <= d <= 35 and k < 3
            rows.append(dict(order_id=f"m{d}-{k}", purchase_date=day, feedback_rating=1 if bad else None,
                             claim_status="granted" if bad and k == 0 else None))
        rows.append(dict(order_id=f"a{d}", purchase_date=day, fulfillment_channel="AFN", feedback_rating=None))
    return orders(rows)


def test_odr_trend_plot_lines_target_and_shading():
    ax = plot_odr_trend(spike_orders(), as_of="2026-03-31", days=60)
    labels = [line.get_label() for line in ax.get_lines()]
    assert {"AFN", "MFN"} <= set(labels)
    assert any(label.startswith("target < 1.0%") for label in labels)
    assert ax.get_title().startswith("Order Defect Rate")
    assert "%" in ax.yaxis.get_major_formatter()(0.01, 0)
    # MFN breached while the spike is in the window -> one shaded span labelled "MFN breached"
    spans = [p for p in ax.patches if p.get_label() == "MFN breached"]
    assert len(spans) == 1 and not [p for p in ax.patches if p.get_label() == "AFN breached"]
    plt.close(ax.figure)


def test_components_and_other_trend_plots():
    data = spike_orders()
    ax = plot_odr_components(data, channel="MFN", as_of="2026-03-31", days=60)
    # no chargeback input -> that layer is left out rather than drawn as 0%
    assert [c.get_label() for c in ax.collections] == ["Negative feedback rate", "A-to-z claim rate"]
    assert "ODR (MFN)" in [line.get_label() for line in ax.get_lines()]
    plt.close(ax.figure)
    fig, ax = plt.subplots()
    out = plot_metric_trend(data, metric="pre_fulfillment_cancel_rate", as_of="2026-03-31", days=30, ax=ax)
    assert out is ax and ax.get_title().startswith("Pre-fulfilment Cancel Rate")
    plt.close(fig)


def test_recovery_plot_marks_the_recovery_day():
    f = recovery_forecast(spike_orders(), as_of="2026-02-20", daily_orders=10)
    s = f.summary.iloc[0]
    assert s.status == "breached"
    ax = plot_recovery(f)
    labels = [line.get_label() for line in ax.get_lines()]
    assert "projected MFN ODR (no new defects)" in labels and "back under target" in labels
    assert any(f"{s.recovery_date:%Y-%m-%d}" in t.get_text() for t in ax.texts)
    plt.close(ax.figure)


def test_plot_needs_one_account():
    data = orders([dict(order_id="a", purchase_date="2026-01-10T10:00:00-08:00", account="x", feedback_rating=1),
                   dict(order_id="b", purchase_date="2026-01-10T10:00:00-08:00", account="y", feedback_rating=1)])
    with pytest.raises(ConfigError, match="account="):
        plot_odr_trend(data, as_of="2026-03-01", days=5)
    plt.close("all")


def small_health():
    return account_health(orders([dict(order_id="a", purchase_date="2026-01-10T10:00:00-08:00", feedback_rating=1),
                                  dict(order_id="b", purchase_date="2025-01-10T10:00:00-08:00")]),
                          as_of="2026-03-01")


def test_json_contract():
    doc = to_json(small_health(), "2026-03-01")
    assert set(doc) == {"as_of", "metrics"} and doc["as_of"] == "2026-03-01"
    json.dumps(doc)  # serialisable as is
    for m in doc["metrics"]:
        assert tuple(m) == JSON_FIELDS
        assert isinstance(m["numerator"], int) and isinstance(m["denominator"], int)
        assert isinstance(m["target"], float) and m["condition"] in ("<", "<=", ">", ">=")
        assert (m["rate"] is None) == (m["status"] == "no_data")
    odr = next(m for m in doc["metrics"] if m["metric"] == "order_defect_rate")
    assert (odr["window_start"], odr["window_end"], odr["rate"], odr["status"]) == \
        ("2025-12-17", "2026-02-14", 1.0, "breached")


def test_table_colours_only_when_asked():
    h = small_health()
    assert "\033[" not in to_table(h, colour=False)
    assert "\033[31;1mbreached" in to_table(h, colour=True)


@pytest.fixture
def fake_load(monkeypatch):
    """Stand in for reinstate.io.load so the CLI test does not depend on file formats."""
    data = Dataset(orders=orders([dict(order_id="a", purchase_date="2026-01-10T10:00:00-08:00", feedback_rating=1)]))
    module = types.ModuleType("reinstate.io.load")
    module.load = lambda paths, **kw: data
    monkeypatch.setitem(sys.modules, "reinstate.io.load", module)


def test_cli_json_and_exit_codes(fake_load, capsys):
    assert main(["metrics", "x.csv", "--as-of", "2026-03-01", "--json"]) == 0  # breached, but exit 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["as_of"] == "2026-03-01" and doc["metrics"][0]["metric"] == "order_defect_rate"
    assert main(["metrics", "x.csv", "--as-of", "2026-03-01", "--json", "--fail-on", "breached"]) == 1
    capsys.readouterr()
    assert main(["metrics", "x.csv", "--as-of", "2026-03-01"]) == 0
    out = capsys.readouterr().out
    assert "order defect rate" in out and "\033[" not in out  # not a TTY: no colours
    assert main(["metrics", "x.csv", "--as-of", "not-a-date"]) == 2
    assert "--as-of" in capsys.readouterr().err
