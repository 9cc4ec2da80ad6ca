"""CLI `reinstate diagnose`, the diagnosis plots and the recall benchmark's quick mode."""
import json
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from factories import orders
from reinstate.cli import main
from reinstate.diagnosis.engine import diagnose
from reinstate.plots.diagnosis import pareto_counts, plot_defect_heatmap, plot_pareto

ROOT = Path(__file__).resolve().parents[2]


def _rows():
    # 60 MFN orders Feb 5..Feb 24; SKU A = 0..19 with 5 damage reviews, SKU B 1 damage review, 1 INR claim.
    rows = []
    for i in range(60):
        r = dict(order_id=f"C{i}", purchase_date=f"2026-02-{5 + i % 20:02d}T12:00:00Z", sku="A" if i < 20 else "B",
                 carrier="UPS" if i % 2 else "USPS")
        if i < 5 or i == 30:
            r.update(feedback_rating=1, feedback_text="arrived damaged")
        if i == 40:
            r.update(claim_date="2026-03-01T00:00:00Z", claim_status="granted", claim_reason="Item not received")
        rows.append(r)
    return orders(rows)


@pytest.fixture
def canonical_csv(tmp_path):
    path = tmp_path / "orders.csv"
    df = _rows()
    for c in df.columns:
        if str(df[c].dtype).startswith("datetime"):
            df[c] = df[c].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    df.to_csv(path, index=False)
    return path


def test_cli_json_and_tags_never_overwrite(canonical_csv, tmp_path, capsys):
    tags = tmp_path / "tags.csv"
    tags.write_text("keep me\n")
    assert main(["diagnose", str(canonical_csv), "--as-of", "2026-04-20", "--json", "--tags", str(tags)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["as_of", "defects_total", "causes", "unexplained"]
    # 7 defects: 5 + 1 damage reviews and 1 claim. SKU A's 5 of 20 vs 1 of 40 elsewhere (Fisher p ~ 0.01)
    # does not survive the correction, so the damage is reported account-wide.
    assert doc["defects_total"] == 7 and doc["unexplained"] == 1
    assert doc["causes"][0]["cause"] == "transit_damage" and doc["causes"][0]["scope"]["dimension"] == "account"
    assert doc["causes"][0]["defects_explained"] == 6
    assert tags.read_text() == "keep me\n"
    written = (tmp_path / "tags-2.csv").read_text().splitlines()
    assert written[0] == "order_id,tags,text,decided_by"
    assert len(written) == 1 + 7  # the 7 orders with a defect or a text
    assert "C40,item_not_received,claim_reason: Item not received,item_not_received:lexicon" in written


def test_cli_bad_date_is_a_clean_error(canonical_csv, capsys):
    assert main(["diagnose", str(canonical_csv), "--as-of", "someday"]) == 2
    assert "--as-of" in capsys.readouterr().err


def test_plots_have_titles_labels_and_counts():
    dx = diagnose(_rows(), as_of="2026-04-20")
    counts = pareto_counts(dx, by="cause")
    assert counts.to_dict() == {"transit_damage": 6, "item_not_received": 1}
    ax = plot_pareto(dx)
    assert ax.get_title() == "Defects by cause (7 defects)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["transit_damage", "item_not_received"]
    line = ax.figure.axes[1].lines[0]
    assert list(line.get_ydata()) == pytest.approx([6 / 7, 1.0])
    ax = plot_pareto(dx, by="scope")
    assert "hypothesis" in ax.get_title()
    ax = plot_defect_heatmap(dx, dimension="sku")
    assert ax.get_ylabel() == "sku" and "Weekly defect rate" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B"]
    plt.close("all")


def test_recall_benchmark_quick_mode_runs():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "diagnosis_recall.py"), "--quick"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert '"recall_at_3"' in out.stdout and "null_false_high_share" in out.stdout
