"""Batch never overwrites, fails one account at a time, and writes a summary worth opening (issues 11 and 15).

Notebooks are not run here (``notebooks=()``): the papermill path is covered by test_batch.py.
"""
import csv
import json

import pytest

from reinstate.batch import discover, run_batch
from reinstate.cli import main
from reinstate.errors import ConfigError
from reinstate.sample import generate_sample, write_sample


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("acct")
    write_sample(generate_sample(orders=400, days=90, seed=5, account="shop"), root / "shop")
    return root / "shop"


def _listing(tmp_path, rows, name="accounts.csv"):
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account", "data_path", "as_of"])
        writer.writerows(rows)
    return path


def _run(spec, out):
    return run_batch(spec, out=out, notebooks=(), progress=lambda *_: None)


def test_colliding_names_get_their_own_folders_and_stay_inside_out(sample_dir, tmp_path):
    out = tmp_path / "out"
    spec = _listing(tmp_path, [["../../evil", sample_dir, ""], ["evil", sample_dir, ""]])
    summary = _run(spec, out)
    assert list(summary["run"]) == ["ok", "ok"]
    assert sorted(summary["folder"]) == ["evil", "evil-2"]          # never one shared folder
    for folder in ("evil", "evil-2"):
        assert (out / folder / "metrics.json").is_file() and (out / folder / "letter.docx").is_file()
    assert not (tmp_path / "evil").exists() and not (tmp_path.parent / "evil").exists()


def test_a_rerun_into_the_same_out_overwrites_nothing(sample_dir, tmp_path):
    out = tmp_path / "out"
    spec = _listing(tmp_path, [["shop", sample_dir, ""]])
    _run(spec, out)
    first_csv = (out / "summary.csv").read_bytes()
    first_metrics = (out / "shop" / "metrics.json").read_bytes()
    summary = _run(spec, out)
    assert (out / "summary.csv").read_bytes() == first_csv
    assert (out / "summary-2.csv").is_file() and (out / "summary-2.html").is_file()
    assert (out / "shop" / "metrics.json").read_bytes() == first_metrics
    assert list(summary["folder"]) == ["shop-2"]


def test_one_bad_row_or_truth_file_fails_only_that_account(sample_dir, tmp_path):
    broken = tmp_path / "broken-truth"
    broken.mkdir()
    (broken / "orders.csv").write_bytes((sample_dir / "orders.csv").read_bytes())
    (broken / "truth.json").write_text("{not json", encoding="utf-8")
    spec = _listing(tmp_path, [["good", sample_dir, ""], ["bad-date", sample_dir, "31/02/2026"],
                               ["no-folder", tmp_path / "nowhere", ""], ["bad-truth", broken, ""]])
    jobs = discover(spec)                                   # no exception: each problem stays with its job
    assert [j.error is None for j in jobs] == [True, False, False, False]
    summary = _run(spec, tmp_path / "out").set_index("account")
    assert summary.at["good", "run"] == "ok"
    assert "as_of '31/02/2026'" in summary.at["bad-date", "error"] and "line 3" in summary.at["bad-date", "error"]
    assert "does not exist" in summary.at["no-folder", "error"]
    assert "truth.json" in summary.at["bad-truth", "error"]
    assert (summary["run"] == "failed").sum() == 3
    assert (tmp_path / "out" / "bad-truth" / "error.txt").is_file()


def test_an_accounts_csv_with_only_a_header_is_a_clear_error(tmp_path, capsys):
    spec = _listing(tmp_path, [])
    with pytest.raises(ConfigError, match="lists no accounts"):
        discover(spec)
    assert main(["batch", "--accounts", str(spec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "lists no accounts" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_summary_csv_is_formula_safe(sample_dir, tmp_path):
    out = tmp_path / "out"
    _run(_listing(tmp_path, [['=HYPERLINK("http://x","y")', sample_dir, ""]]), out)
    with open(out / "summary.csv", newline="", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert row["account"] == "'=HYPERLINK(\"http://x\",\"y\")"


def test_summary_shows_rates_targets_recovery_and_links(sample_dir, tmp_path):
    out = tmp_path / "out"
    summary = _run(_listing(tmp_path, [["shop", sample_dir, ""]]), out)
    row = summary.iloc[0]
    metrics = json.loads((out / "shop" / "metrics.json").read_text())["metrics"]
    odr = [m for m in metrics if m["metric"] == "order_defect_rate"]
    worst = {"breached": 0, "at_risk": 1, "no_data": 2, "good": 3}
    top = min(odr, key=lambda m: worst[m["status"]])
    assert row["order_defect_rate"] == top["status"]
    assert row["order_defect_rate_target"] == pytest.approx(top["target"])
    assert "days_to_recovery" in summary.columns
    assert row["letter"] == "shop/letter.docx" and row["folder"] == "shop"
    page = (out / "summary.html").read_text()
    assert 'href="shop/letter.docx"' in page and "addEventListener('click'" in page
    assert "order_defect_rate_rate" in page


def test_progress_goes_to_stderr_with_a_bar(sample_dir, tmp_path, capsys):
    run_batch(_listing(tmp_path, [["shop", sample_dir, ""]]), out=tmp_path / "out", notebooks=())
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "[1/1] shop" in captured.err and "account" in captured.err   # tqdm's unit
