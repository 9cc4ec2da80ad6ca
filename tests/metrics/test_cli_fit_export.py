"""The metrics and diagnose commands on the bundled sample: tables fit 100 columns, ISO dates only,
--out writes real workbooks (opened with openpyxl) and other formats, reconciliation in text and JSON."""
import json

import pandas as pd
import pytest

from reinstate.cli import main
from reinstate.export_tables import escape_formula, write_tables
from reinstate.paths import SAMPLE_DIR

SAMPLE = str(SAMPLE_DIR)


@pytest.mark.parametrize("command", ["metrics", "diagnose"])
def test_output_fits_100_columns_and_wide_does_not(command, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert main([command, SAMPLE, "--as-of", "2026-11-16"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 10 and max(map(len, lines)) <= 100
    assert main([command, SAMPLE, "--as-of", "2026-11-16", "--wide"]) == 0
    assert max(map(len, capsys.readouterr().out.splitlines())) > 100


def test_metrics_footnotes_carry_the_notes(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    main(["metrics", SAMPLE, "--as-of", "2026-11-16"])
    out = capsys.readouterr().out
    vtr = next(line for line in out.splitlines() if line.startswith("valid tracking"))
    mark = vtr.split()[-1]  # e.g. [3]
    assert mark.startswith("[") and any(line.startswith(mark + " worst category: Sports & Outdoors")
                                        for line in out.splitlines())


@pytest.mark.parametrize("bad, hint", [("01/11/2026", "2026-01-11 or 2026-11-01"), ("2026-1-5", "e.g."),
                                       ("16.11.2026", "2026-11-16"), ("2026-02-30", "e.g.")])
def test_only_iso_dates(bad, hint, capsys):
    assert main(["metrics", SAMPLE, "--as-of", bad]) == 2
    err = capsys.readouterr().err
    assert "YYYY-MM-DD" in err and hint in err and "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("command", [["diagnose", SAMPLE], ["letter", "--template", "odr", SAMPLE],
                                     ["batch", "--accounts", SAMPLE, "--out", "unused"]])
def test_every_command_refuses_an_ambiguous_as_of(command, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([*command, "--as-of", "01/11/2026"]) == 2
    err = capsys.readouterr().err
    assert "YYYY-MM-DD" in err and "2026-01-11 or 2026-11-01" in err and "Traceback" not in err


def test_metrics_reconciliation_in_text_and_json(capsys):
    main(["metrics", SAMPLE, "--as-of", "2026-11-16"])
    out = capsys.readouterr().out
    assert "13 of 14 of Amazon's figures match ours" in out and "counts shipments" in out
    main(["metrics", SAMPLE, "--as-of", "2026-11-16", "--json"])
    doc = json.loads(capsys.readouterr().out)
    rec = doc["reconciliation"]
    assert len(rec) == 14
    [diff] = [r for r in rec if r["likely_reason"] != "match"]
    # from performance.json: onTimeDeliveryCount 139 of shipmentCountWithValidTracking 259
    assert (diff["metric"], diff["amazon_numerator"], diff["amazon_denominator"]) == ("on_time_delivery_rate", 139, 259)
    assert diff["difference"] == pytest.approx(diff["our_rate"] - 139 / 259, abs=1e-6)  # Amazon rounds its rate


def test_metrics_out_xlsx_is_a_real_workbook(tmp_path, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "health.xlsx"
    assert main(["metrics", SAMPLE, "--as-of", "2026-11-16", "--out", str(target)]) == 0
    assert main(["metrics", SAMPLE, "--as-of", "2026-11-16", "--out", str(target)]) == 0  # never overwrites
    assert sorted(p.name for p in tmp_path.iterdir()) == ["health-2.xlsx", "health.xlsx"]
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["health", "failing_orders", "reconciliation"]
    ws = wb["health"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2" and header[:3] == ["account", "marketplace", "metric"]
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    odr = next(r for r in rows if r["metric"] == "order_defect_rate" and r["channel"] == "MFN")
    assert odr["rate"] == pytest.approx(34 / 1050) and odr["status"] == "breached"
    rate_cell = ws.cell(row=2 + rows.index(odr), column=header.index("rate") + 1)
    status_cell = ws.cell(row=2 + rows.index(odr), column=header.index("status") + 1)
    assert rate_cell.number_format == "0.00%" and status_cell.fill.fgColor.rgb.endswith("F6D5D5")
    failing = wb["failing_orders"]
    head = [c.value for c in failing[1]]
    rows = [dict(zip(head, r)) for r in failing.iter_rows(min_row=2, values_only=True)]
    assert failing.freeze_panes == "A2" and "feedback_text" not in head and "buyer_email" not in head
    # the 34 MFN ODR defects of the health sheet are among the failing orders
    assert len({r["order_id"] for r in rows if r["metric"] == "order_defect_rate" and r["channel"] == "MFN"}) == 34


def test_diagnose_out_csv_json_parquet(tmp_path, capsys):
    assert main(["diagnose", SAMPLE, "--as-of", "2026-11-16", "--out", str(tmp_path / "dx.csv")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dx.csv", "dx.failing_orders.csv"]
    causes = pd.read_csv(tmp_path / "dx.csv")
    assert causes.loc[causes["rank"] == 1, "cause"].item() == "late_shipment"
    assert main(["diagnose", SAMPLE, "--as-of", "2026-11-16", "--out", str(tmp_path / "dx.json")]) == 0
    doc = json.loads((tmp_path / "dx.json").read_text())
    assert set(doc) == {"causes", "failing_orders"} and "text" not in doc["failing_orders"][0]
    assert main(["diagnose", SAMPLE, "--as-of", "2026-11-16", "--out", str(tmp_path / "dx.parquet")]) == 0
    assert len(pd.read_parquet(tmp_path / "dx.parquet")) == len(causes)
    assert main(["diagnose", SAMPLE, "--as-of", "2026-11-16", "--out", str(tmp_path / "dx.txt")]) == 2
    assert ".xlsx" in capsys.readouterr().err


def test_text_that_would_run_as_a_formula_is_escaped(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    assert escape_formula("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" and escape_formula("ok") == "ok"
    frame = pd.DataFrame({"text": ["=1+1", "@SUM(A1)", "+3", "plain", None], "n": [1, 2, 3, 4, 5]})
    [xlsx] = write_tables(tmp_path / "t.xlsx", {"t": frame})
    values = [r[0] for r in openpyxl.load_workbook(xlsx)["t"].iter_rows(min_row=2, values_only=True)]
    assert values == ["'=1+1", "'@SUM(A1)", "'+3", "plain", None]
    [csv] = write_tables(tmp_path / "t.csv", {"t": frame})
    assert csv.read_text().splitlines()[1] == "'=1+1,1"


def test_narrow_table_shrinks_names_but_keeps_figures_and_status():
    from reinstate.cli.metrics import to_table

    day = pd.Timestamp("2026-11-01")
    health = pd.DataFrame({
        "account": ["acme-home-and-kitchen-store", "b"], "marketplace": ["US", "UK"],
        "metric": ["order_defect_rate", "valid_tracking_rate"], "channel": ["MFN", "MFN"], "window_days": [60, 30],
        "window_start": [day, day], "window_end": [day, day], "numerator": [3, 100], "denominator": [183, 101],
        "rate": [3 / 183, 100 / 101], "target": [0.01, 0.95], "condition": ["<", ">"],
        "status": ["breached", "breached"], "note": ["", "worst category: Apparel 18/19 = 94.7%"]})
    for width in (100, 80):
        lines = to_table(health, colour=False, width=width).splitlines()
        assert max(map(len, lines)) <= width - 1
        assert lines[0].split()[-1] == "status" and "1.64%" in lines[2] and "breached" in lines[2]
        assert "breached [1]" in lines[3] and lines[-1] == "[1] worst category: Apparel 18/19 = 94.7%"
        assert "acme-" in lines[2]
    assert "acme-home-and-kitchen-store" in to_table(health, colour=False, wide=True)
