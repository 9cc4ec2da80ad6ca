"""History in the front ends: batch saves every account's snapshot; the explorer and notebook 02's helper show
the saved days when a store exists, and nothing (no error) when none does."""
from __future__ import annotations

import csv

import pandas as pd
import pytest

import reinstate
from reinstate.batch import run_batch
from reinstate.history.display import history_view, saved_history
from reinstate.history.store import save_snapshot, snapshots
from reinstate.paths import SAMPLE_DIR
from reinstate.sample import generate_sample, write_sample

AS_OF = "2026-11-16"


@pytest.fixture(autouse=True)
def no_env_store(monkeypatch):
    monkeypatch.delenv("REINSTATE_STORE", raising=False)


@pytest.fixture(scope="module")
def accounts(tmp_path_factory):
    root = tmp_path_factory.mktemp("accounts")
    for name, seed in (("shop-a", 5), ("shop-b", 6)):
        write_sample(generate_sample(orders=300, days=90, seed=seed, account=name), root / name)
    listing = root / "accounts.csv"
    with open(listing, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account", "data_path", "as_of"])
        for name in ("shop-a", "shop-b"):
            writer.writerow([name, root / name, "2026-11-10"])
    return root, listing


def test_batch_saves_every_accounts_snapshot_under_out(accounts, tmp_path):
    root, listing = accounts
    out = tmp_path / "out"
    summary = run_batch(listing, out=out, notebooks=(), progress=lambda *_: None)
    assert list(summary["run"]) == ["ok", "ok"]
    saved = snapshots(store=out / "reinstate-history.duckdb")
    assert sorted(saved["account"].unique()) == ["shop-a", "shop-b"]
    assert {str(d)[:10] for d in saved["as_of"]} == {"2026-11-10"}
    for name in ("shop-a", "shop-b"):   # every health row of the day, nothing more
        health = reinstate.account_health(reinstate.load(root / name), as_of="2026-11-10")
        assert (saved["account"] == name).sum() == len(health)
    # a rerun replaces the day, it does not duplicate it
    run_batch(listing, out=out, notebooks=(), progress=lambda *_: None)
    assert len(snapshots(store=out / "reinstate-history.duckdb")) == len(saved)


def test_batch_store_option_and_no_save(accounts, tmp_path):
    _, listing = accounts
    store = tmp_path / "elsewhere.duckdb"
    run_batch(listing, out=tmp_path / "a", notebooks=(), progress=lambda *_: None, store=store)
    assert store.is_file() and not (tmp_path / "a" / "reinstate-history.duckdb").exists()
    run_batch(listing, out=tmp_path / "b", notebooks=(), progress=lambda *_: None, save=False)
    assert not (tmp_path / "b" / "reinstate-history.duckdb").exists()


def test_nothing_is_shown_without_a_store(tmp_path):
    assert saved_history(store=tmp_path / "none.duckdb") is None
    assert history_view(store=tmp_path / "none.duckdb") is None
    from reinstate.ui import MetricsExplorer
    app = MetricsExplorer(reinstate.load(SAMPLE_DIR), as_of=AS_OF, store=tmp_path / "none.duckdb")
    assert app.history is None and app.w_history.value == "" and app.w_history.layout.display == "none"
    assert app.w_error.value == ""


def test_the_explorer_lists_the_saved_days_of_the_chosen_metric(tmp_path):
    data = reinstate.load(SAMPLE_DIR)
    store = tmp_path / "h.duckdb"
    for day in ("2026-11-09", AS_OF):
        save_snapshot(reinstate.account_health(data, as_of=day), day, store=store)
    from reinstate.ui import MetricsExplorer
    app = MetricsExplorer(data, as_of=AS_OF, store=store, metric="late_shipment_rate")
    expected = snapshots(store=store, metric="late_shipment_rate")
    assert len(app.history) == len(expected) > 0
    assert {str(d)[:10] for d in app.history["as_of"]} == {"2026-11-09", AS_OF}
    assert "Saved snapshots" in app.w_history.value and app.w_history.layout.display is None
    app.select_metric("order_defect_rate")
    assert len(app.history) == len(snapshots(store=store, metric="order_defect_rate"))
    # the notebook helper shows the same rows (rate as a percentage)
    table = history_view("late_shipment_rate", store=store)
    assert isinstance(table, pd.DataFrame) and len(table) == len(expected)
