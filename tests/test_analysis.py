"""reinstate.analyze: one Analysis owns the pipeline, computes the per-order facts once and gives the results of
the stage functions called directly."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import reinstate
import reinstate.diagnosis.engine as dx_engine
import reinstate.metrics.flags as flags_module
import reinstate.metrics.health as health_module
from reinstate.analysis import Analysis, analyze
from reinstate.appeal.pipeline import build_appeal, write_appeal
from reinstate.metrics.trend import ALL_METRICS
from reinstate.paths import SAMPLE_DIR

AS_OF = "2026-11-16"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def counted(monkeypatch):
    """Counts every call of order_flags, wherever a stage imported it from."""
    calls = []
    real = flags_module.order_flags

    def wrapper(*args, **kwargs):
        calls.append(kwargs.get("as_of"))
        return real(*args, **kwargs)

    for module in (flags_module, health_module, dx_engine):
        monkeypatch.setattr(module, "order_flags", wrapper)
    return calls


@pytest.fixture(scope="module")
def sample():
    return reinstate.load(SAMPLE_DIR)


def test_a_demo_sequence_computes_the_per_order_facts_once(counted, sample, tmp_path):
    a = analyze(sample, as_of=AS_OF)
    health = a.health()
    drill = a.drilldown("order_defect_rate", channel="MFN")
    trend = a.trend(metric="all", days=90)
    forecast = a.forecast(channel="MFN")
    removable = a.removable()
    rec = a.reconciliation()
    dx = a.diagnosis()
    appeal = a.appeal("odr", answers=SAMPLE_DIR / "answers.yaml")
    written = write_appeal(appeal, a, letter=tmp_path / "appeal.txt", evidence=tmp_path / "evidence")
    # asked again: cached, the same objects
    assert a.health() is health and a.diagnosis() is dx and a.trend(metric="all", days=90) is trend
    assert len(counted) == 1, f"order_flags ran {len(counted)} times"
    assert written["letter"].is_file() and (tmp_path / "evidence").is_dir()

    # The same results as the stage functions called directly (each of which computes its own facts).
    counted.clear()
    pd.testing.assert_frame_equal(health, reinstate.account_health(sample, as_of=AS_OF), check_exact=True)
    pd.testing.assert_frame_equal(drill, reinstate.drilldown(sample, as_of=AS_OF, metric="order_defect_rate",
                                                             channel="MFN"), check_exact=True)
    pd.testing.assert_frame_equal(trend, reinstate.metric_trend(sample, metric=list(ALL_METRICS), end=AS_OF,
                                                                         days=90),
                                  check_exact=True)
    direct = reinstate.recovery_forecast(sample, as_of=AS_OF, channel="MFN")
    pd.testing.assert_frame_equal(forecast.summary, direct.summary, check_exact=True)
    pd.testing.assert_frame_equal(forecast.projection, direct.projection, check_exact=True)
    pd.testing.assert_frame_equal(removable, reinstate.removable_defects(sample, as_of=AS_OF), check_exact=True)
    pd.testing.assert_frame_equal(rec, reinstate.reconcile(sample), check_exact=True)
    direct_dx = reinstate.diagnose(sample, as_of=AS_OF)
    pd.testing.assert_frame_equal(dx.hypotheses, direct_dx.hypotheses, check_exact=True)
    pd.testing.assert_frame_equal(dx.tags, direct_dx.tags, check_exact=True)
    direct_appeal = build_appeal(sample, template="odr", as_of=AS_OF, answers=SAMPLE_DIR / "answers.yaml")
    assert appeal.markdown == direct_appeal.markdown
    assert appeal.to_dict() == direct_appeal.to_dict()
    assert len(counted) >= 6  # the direct calls really do recompute (the count above can fail)


def test_each_selection_has_its_own_facts_and_at_returns_the_kept_analysis(counted):
    from tests.factories import orders as make
    # A1: 4 MFN orders in January, one with 1-star feedback (ODR 1/4); A2: 2 orders, no defect.
    rows = [dict(order_id=f"A1-{i}", account="A1", purchase_date=f"2026-01-{10 + i}T12:00:00Z") for i in range(4)]
    rows[0].update(feedback_rating=1, feedback_date="2026-01-20T12:00:00Z", feedback_removed=False)
    rows += [dict(order_id=f"A2-{i}", account="A2", purchase_date=f"2026-01-{10 + i}T12:00:00Z") for i in range(2)]
    orders = make(rows)
    a = analyze(orders, as_of="2026-03-01")
    one = a.at(account="A1")
    assert a.at(account="A1") is one and one.at(account="A1") is one and one.at() is a
    assert one.account == "A1" and a.account is None
    h1 = one.health()
    assert set(h1["account"]) == {"A1"}
    odr = h1[(h1["metric"] == "order_defect_rate") & (h1["channel"] == "MFN")].iloc[0]
    assert (odr["numerator"], odr["denominator"]) == (1, 4)
    one.drilldown("order_defect_rate")
    assert len(counted) == 1  # one pass for A1's selection, shared by its health and drill-down
    pd.testing.assert_frame_equal(h1, reinstate.account_health(orders, as_of="2026-03-01", account="A1"))


def test_analyze_loads_paths_like_load(sample):
    a = analyze(SAMPLE_DIR, as_of=AS_OF, marketplace="US")
    assert isinstance(a, Analysis) and a.marketplace is None  # the data's only marketplace: no filter needed
    pd.testing.assert_frame_equal(a.data.orders, sample.orders)
    assert a.as_of.isoformat() == AS_OF


def test_no_stage_imports_a_front_end():
    stages = ["metrics", "diagnosis", "appeal", "io", "engine", "history", "plots"]
    offenders = []
    for stage in stages:
        for path in (ROOT / "src" / "reinstate" / stage).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                text = line.strip()
                if text.startswith(("from", "import")) and any(
                        f in text for f in ("..cli", "..ui", "reinstate.cli", "reinstate.ui", "..demo", "..batch")):
                    offenders.append(f"{path.relative_to(ROOT)}: {text}")
    assert not offenders, offenders


def test_plots_take_the_analysis_and_reuse_its_results(counted, sample):
    import matplotlib.pyplot as plt

    from reinstate.plots import metrics as mplots
    a = analyze(sample, as_of=AS_OF)
    ax = mplots.plot_odr_trend(a)
    mplots.plot_recovery(a, channel="MFN")
    mplots.plot_odr_trend(a)
    assert ax.lines and len(counted) == 1
    plt.close("all")
