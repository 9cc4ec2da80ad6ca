"""The benchmark harness at a tiny size, so it cannot rot. No timing assertions: only that every step runs,
reports its measurements, and that ratios and targets are derived correctly from given numbers."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench_data  # noqa: E402
import bench_steps  # noqa: E402
import run  # noqa: E402


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A 300-order data set generated and prepared in-process (what run.py does in child processes)."""
    data_dir = tmp_path_factory.mktemp("bench")
    params = {"orders": 300, "days": 120, "seed": 3, "end": "2026-11-15"}
    folder = bench_data.size_dir(data_dir, orders=300, days=120, seed=3)
    folder.mkdir(parents=True)
    bench_data.generate(folder, params)
    bench_data.prepare(folder, n_accounts=10)
    return data_dir, folder, params


def test_parse_size_and_label():
    assert run.parse_size("100k") == 100_000
    assert run.parse_size("1M") == 1_000_000
    assert run.parse_size("2500") == 2500
    assert run.label(10_000_000) == "10M" and run.label(100_000) == "100k" and run.label(2500) == "2500"


def test_generated_data_is_cached_and_complete(tiny):
    _, folder, params = tiny
    assert bench_data.raw_is_current(folder, params)
    assert not bench_data.raw_is_current(folder, {**params, "seed": 4})
    assert bench_data.prepared_is_current(folder)
    for name in bench_data.TABLE_FILES:
        assert (folder / "csv" / f"{name}.csv").is_file() and (folder / "parquet" / f"{name}.parquet").is_file()


def test_multi_account_frame_keeps_rows_and_orders_whole(tiny):
    _, folder, _ = tiny
    one, many = bench_data.read_prepared(folder), bench_data.read_prepared(folder, "multi")
    assert len(many.orders) == len(one.orders)
    assert 1 < many.orders["account"].nunique() <= 10
    # every item row of an order, and its messages, went to the same account
    assert (many.orders.groupby("order_id")["account"].nunique() == 1).all()
    if many.messages is not None:
        per_order = many.orders.drop_duplicates("order_id").set_index("order_id")["account"]
        assert (many.messages["account"].to_numpy() == many.messages["order_id"].map(per_order).to_numpy()).all()


def test_prepared_frames_match_a_fresh_load(tiny):
    """The metric steps start from the cached frames: they must be what reinstate.load returns."""
    import reinstate
    _, folder, _ = tiny
    fresh = reinstate.load(folder / "parquet")
    cached = bench_data.read_prepared(folder)
    assert list(cached.orders.columns) == list(fresh.orders.columns)
    assert cached.orders.dtypes.astype(str).tolist() == fresh.orders.dtypes.astype(str).tolist()
    assert cached.orders.equals(fresh.orders)


@pytest.mark.parametrize("step", list(bench_steps.SIZE_STEPS))
def test_every_size_step_runs_in_process(tiny, step):
    _, folder, _ = tiny
    res = bench_steps.run_worker(step, str(folder))
    assert res["seconds"] >= 0 and res["cpu_seconds"] >= 0 and res["peak_rss_mb"] > 0
    assert res["rows"] > 0


def test_run_end_to_end_in_child_processes(tiny, tmp_path, capsys):
    data_dir, folder, params = tiny
    out = tmp_path / "results.json"
    code = run.main(["--sizes", "300", "--days", "120", "--seed", "3", "--accounts", "10", "--steps",
                     "csv_floor,parquet_floor,load_csv", "--no-notebooks", "--no-preview", "--whole-runs", "1",
                     "--data-dir", str(data_dir), "--out", str(out), "--quiet"])
    assert code == 0
    results = json.loads(out.read_text())
    assert results["machine"]["cpu_count"] >= 1 and results["machine"]["memory_gb"] > 0
    steps = results["sizes"][0]["steps"]
    assert set(steps) == {"csv_floor", "parquet_floor", "load_csv"}
    assert all(s["ok"] and s["peak_rss_mb"] > 0 for s in steps.values())
    assert steps["csv_floor"]["x_csv_floor"] == 1.0
    printed = capsys.readouterr().out
    assert "load_csv" in printed and "x csv fl" in printed
    whole = results["sizes"][0]["whole_process"]  # the metrics command vs read_csv, as whole processes
    assert whole["ok"] and whole["runs"] == 1, whole
    assert whole["command_peak_rss_mb"] > 0 and whole["floor_wall"] > 0
    assert whole["ratio_wall"] == pytest.approx(whole["command_wall"] / whole["floor_wall"], rel=0.01)
    assert "whole: metrics --json" in printed
    phases = whole["phases"]  # one more process of each side, split into phases: the "why" of the ratios
    assert phases["ok"], phases
    assert [r["phase"] for r in phases["command"]][0] == "imports" and phases["command"][-1]["phase"] == "JSON"
    assert [r["phase"] for r in phases["floor"]] == ["imports", "read_csv"]
    assert all(r["wall"] >= 0 and r["peak_rss_mb"] > 0 for r in phases["command"] + phases["floor"])


def test_whole_process_targets_from_given_numbers():
    # command 3 s / read_csv 2 s = 1.5x wall (<= 1.5, met); 900 MB / 600 MB = 1.5x RSS (> 1.0, missed)
    entry = {"label": "1M", "orders": 1_000_000, "steps": {},
             "whole_process": {"ok": True, "ratio_wall": 1.5, "ratio_cpu": 2.0, "ratio_peak_rss_mb": 1.5,
                               "command_peak_rss_mb": 900.0, "floor_peak_rss_mb": 600.0}}
    got = {t["target"]: t for t in run.evaluate([entry], {})}
    assert got["metrics_cli_vs_read_csv_wall"]["met"] is True
    assert got["metrics_cli_vs_read_csv_wall"]["met_cpu"] is False
    assert "why" not in got["metrics_cli_vs_read_csv_wall"]  # met on wall: nothing to explain
    rss = got["metrics_cli_vs_read_csv_peak_rss"]
    assert rss["met"] is False
    assert rss["how_far"].startswith("1.50x the limit")  # 1.5 / 1.0
    assert "900 MB against the read's 600 MB" in rss["why"]


def _phases():
    # start-up 0.05 s; command: imports 0.8, analyze 4.0, health 0.5, JSON 0.05 (total 5.4 s);
    # read: imports 0.2, read_csv 1.0.
    row = lambda phase, wall, rss: {"phase": phase, "wall": wall, "cpu": wall, "peak_rss_mb": rss}
    return {"ok": True, "startup": {"wall": 0.05, "cpu": 0.04},
            "command": [row("imports", 0.8, 150), row("read, check, per-order facts (analyze)", 4.0, 600),
                        row("windows (health)", 0.5, 650), row("JSON", 0.05, 650)],
            "floor": [row("imports", 0.2, 80), row("read_csv", 1.0, 800)]}


def test_how_far_and_why_of_the_whole_process_from_given_numbers(capsys):
    # 5.4 s against 1.2 s = 4.5x, 3x the 1.5 limit. Largest phase: analyze, 4.0 of 5.4 s = 74 %.
    # The work without start-up and imports: 4.0 + 0.5 + 0.05 = 4.55 s against the 1.0 s parse = 4.5x (4.55).
    whole = {"ok": True, "ratio_wall": 4.5, "ratio_cpu": 3.0, "ratio_peak_rss_mb": 0.8, "command_wall": 5.4,
             "command_cpu": 5.3, "floor_wall": 1.2, "floor_cpu": 1.5, "command_peak_rss_mb": 650.0,
             "floor_peak_rss_mb": 800.0, "phases": _phases()}
    entry = {"label": "1M", "orders": 1_000_000, "steps": {}, "whole_process": whole}
    got = {t["target"]: t for t in run.evaluate([entry], {})}
    wall = got["metrics_cli_vs_read_csv_wall"]
    assert wall["how_far"].startswith("3.00x the limit")
    assert "Largest part: read, check, per-order facts (analyze) (74% of the command)" in wall["why"]
    assert "the command's work is 4.5x the read's parse (4.55 s vs 1.00 s)" in wall["why"]
    assert got["metrics_cli_vs_read_csv_peak_rss"]["met"] is True
    printed = run.table({"sizes": [], "sample": {}, "targets": list(got.values())})
    assert "Targets not met: how far, and why" in printed
    assert "metrics_cli_vs_read_csv_wall (1M): 3.00x the limit" in printed
    assert "metrics_cli_vs_read_csv_peak_rss (1M)" not in printed.split("how far, and why")[1]


def test_why_a_10M_diagnosis_is_over_its_memory_limit():
    # 6.4 GB held before the step began (the loaded Dataset), 12 GB at the peak: the step added 5.6 GB.
    e = _entry("10M", 10_000_000)
    e["steps"]["diagnosis"] = {"ok": True, "seconds": 60.0, "cpu_seconds": 70.0, "peak_rss_mb": 12 * 1024.0,
                               "setup_rss_mb": 6.4 * 1024}
    got = {t["target"]: t for t in run.evaluate([e], {})}
    row = got["diagnosis_10M_peak_rss_gb"]
    assert row["met"] is False and row["how_far"].startswith("3.00x the limit")  # 12 / 4
    assert "held 6.40 GB before the step began" in row["why"] and "the step added 5.60 GB" in row["why"]


def _entry(label, orders, **seconds):
    # CPU seconds twice the wall seconds (two busy threads), so CPU ratios equal the wall ratios.
    return {"label": label, "orders": orders,
            "steps": {k: {"ok": True, "seconds": v, "cpu_seconds": 2 * v, "peak_rss_mb": 100.0}
                      for k, v in seconds.items()}}


def test_targets_from_given_numbers():
    # 1M: load+metrics 5 s over a 2 s floor = 2.5x (> 2, missed); trend 6 s / metrics 3 s = 2x (<= 3, met);
    # 1,000 accounts 3.3 s / 3 s = 1.1x (met); diagnosis 12 s (> 10, missed).
    sizes = [_entry("1M", 1_000_000, csv_floor=2.0, load_csv_metrics=5.0, metrics=3.0, trend=6.0,
                    metrics_1000_accounts=3.3, diagnosis=12.0)]
    sample = {"notebooks": {"ok": True, "seconds": 40.0, "count": 4}, "preview": {"ok": True, "median_seconds": 0.08}}
    got = {t["target"]: t for t in run.evaluate(sizes, sample)}
    assert got["load_csv_metrics_vs_csv_floor"]["value"] == 2.5 and got["load_csv_metrics_vs_csv_floor"]["met"] is False
    assert got["trend_vs_metrics"]["value"] == 2.0 and got["trend_vs_metrics"]["met"] is True
    assert got["trend_vs_metrics"]["value_cpu"] == 2.0 and got["trend_vs_metrics"]["met_cpu"] is True
    assert got["accounts_1000_vs_1"]["value"] == 1.1 and got["accounts_1000_vs_1"]["met"] is True
    assert got["diagnosis_1M_seconds"]["met"] is False
    assert got["notebooks_total_seconds"]["met"] is True
    assert got["preview_median_seconds"]["met"] is False
    assert "peak_rss_10M_gb" not in got  # only evaluated when a 10M size ran


def test_10M_memory_target_fails_when_a_step_failed():
    e = _entry("10M", 10_000_000, metrics=1.0)
    e["steps"]["diagnosis"] = {"ok": False, "error": "exit code -9", "peak_rss_mb": 9000.0}
    got = {t["target"]: t for t in run.evaluate([e], {})}
    assert got["peak_rss_10M_gb"]["met"] is False


def test_markdown_tables_replace_only_the_marked_section(tmp_path):
    results = {"started": "2026-11-26T10:00:00", "machine": {"usable_cores": 2, "memory_gb": 23.5},
               "sizes": [{**_entry("1M", 1_000_000, csv_floor=2.0, load_csv=8.0), "rows": {"orders": 1_156_000}}],
               "sample": {}, "targets": []}
    doc = tmp_path / "performance.md"
    doc.write_text("intro\n<!-- bench:results -->\nold table\n<!-- /bench:results -->\noutro\n")
    run.write_markdown(results, doc)
    text = doc.read_text()
    assert text.startswith("intro\n") and text.endswith("outro\n") and "old table" not in text
    # the row of load_csv: 8 s wall, 16 s CPU (two threads in _entry), 100 MB peak
    assert "| 1M | 1,156,000 | load_csv | 8.00 | 16.00 | 100 |" in text


def test_whole_process_rows_sit_beside_their_floor_in_the_printed_table():
    """Each size's whole processes follow its step rows: the read_csv floor, then the command with its ratios,
    then (with --whole-careful) the same command with the fast path off."""
    whole = {"ok": True, "command_wall": 3.0, "command_cpu": 4.0, "command_peak_rss_mb": 700.0, "floor_wall": 1.0,
             "floor_cpu": 1.5, "floor_peak_rss_mb": 800.0, "ratio_wall": 3.0, "ratio_cpu": 2.67,
             "ratio_peak_rss_mb": 0.875}
    careful = {**whole, "command_wall": 8.0, "ratio_wall": 8.0}
    sizes = [{**_entry("100k", 100_000, csv_floor=0.2, metrics=0.5), "whole_process": whole},
             {**_entry("1M", 1_000_000, csv_floor=2.0, metrics=5.0), "whole_process": whole,
              "whole_process_careful": careful}]
    printed = run.table({"sizes": sizes, "sample": {}, "targets": []}).splitlines()
    names = [line[:28].split(None, 1) for line in printed[2:] if line.strip() and not line.startswith("target")]
    rows = [(size, name.strip()) for size, name in (n for n in names if len(n) == 2)]
    assert rows[:4] == [("100k", "csv_floor"), ("100k", "metrics"), ("100k", "whole: read_csv"),
                        ("100k", "whole: metrics --json")]
    assert rows[4:9] == [("1M", "csv_floor"), ("1M", "metrics"), ("1M", "whole: read_csv"),
                         ("1M", "whole: metrics --json"), ("1M", "whole: ... careful")]
    assert "x8.0 wall" in printed[2 + 8]
