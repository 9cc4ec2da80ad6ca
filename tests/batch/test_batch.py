"""`reinstate batch`: three generated accounts (different seeds) and one broken one; the broken one fails alone."""
import json

import pandas as pd
import pytest

from reinstate.batch import discover, run_batch
from reinstate.cli import main
from reinstate.errors import ConfigError
from reinstate.sample import generate_sample, write_sample


@pytest.fixture(scope="module")
def accounts(tmp_path_factory):
    root = tmp_path_factory.mktemp("accounts")
    for seed in (11, 12, 13):
        write_sample(generate_sample(orders=2000, days=120, seed=seed, account=f"acct-{seed}"), root / f"acct-{seed}")
    broken = root / "zz-broken"
    broken.mkdir()
    (broken / "orders.csv").write_text("order_id;purchase_date\nA;2026-01-01\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def batch(accounts, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch-out")
    # One notebook keeps the papermill path honest without running all four per account in the unit suite;
    # `make demo` runs all four.
    summary = run_batch(accounts, out=out, notebooks=("01-load-and-validate.ipynb",), progress=lambda *_: None)
    return out, summary


def test_summary_lists_every_account_and_the_failure_reason(batch):
    out, summary = batch
    assert sorted(summary["account"]) == ["acct-11", "acct-12", "acct-13", "zz-broken"]
    failed = summary[summary["run"] == "failed"]
    assert list(failed["account"]) == ["zz-broken"]
    assert "orders.csv" in failed["error"].iloc[0]          # the reason names the file
    assert summary["run"].iloc[-1] == "failed"              # failures listed last
    on_disk = pd.read_csv(out / "summary.csv")
    assert list(on_disk["account"]) == list(summary["account"])
    assert "zz-broken" in (out / "summary.html").read_text(encoding="utf-8")


def test_each_account_gets_notebook_metrics_diagnosis_letter_and_evidence(batch):
    out, summary = batch
    for account in ("acct-11", "acct-12", "acct-13"):
        folder = out / account
        assert (folder / "notebooks" / "01-load-and-validate.ipynb").is_file()
        metrics = json.loads((folder / "metrics.json").read_text())
        assert {m["account"] for m in metrics["metrics"]} == {account}
        diagnosis = json.loads((folder / "diagnosis.json").read_text())
        assert diagnosis["defects_total"] > 0
        assert (folder / "letter.docx").stat().st_size > 0
        assert (folder / "evidence" / "manifest.json").is_file()
        # the per-metric status in the summary is the worst over channels/windows of that account's metrics.json
        worst = {"breached": 0, "at_risk": 1, "no_data": 2, "good": 3}
        odr = min((m["status"] for m in metrics["metrics"] if m["metric"] == "order_defect_rate"), key=worst.get)
        assert summary.set_index("account").at[account, "order_defect_rate"] == odr


def test_worst_accounts_come_first(batch):
    _, summary = batch
    ranks = {"breached": 0, "at_risk": 1, "no_data": 2, "good": 3}
    ok = summary[summary["run"] == "ok"]["worst_status"].map(ranks).tolist()
    assert ok == sorted(ok)


def test_accounts_csv_and_bad_spec(accounts, tmp_path):
    listing = tmp_path / "accounts.csv"
    listing.write_text(f"account,data_path,as_of\nA,{accounts / 'acct-11'},2026-11-10\n", encoding="utf-8")
    (job,) = discover(listing)
    assert (job.account, str(job.as_of)) == ("A", "2026-11-10")
    with pytest.raises(ConfigError, match="data_path"):
        bad = tmp_path / "bad.csv"
        bad.write_text("account\nA\n", encoding="utf-8")
        discover(bad)
    assert main(["batch", "--accounts", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
