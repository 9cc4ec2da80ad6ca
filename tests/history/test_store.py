"""The metric history store: save, replace, list, compare, concurrent writers, and the CLI contract."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reinstate.cli import main
from reinstate.errors import ConfigError
from reinstate.history import compare, save_snapshot, snapshots

SRC = Path(__file__).resolve().parents[2] / "src"


def health(account="acct-1", marketplace="US", odr=(3, 300), lsr=(0, 0)):
    """A hand-made two-row health frame: ODR MFN and LSR MFN 10 days (LSR empty -> no_data, rate NaN)."""
    rows = []
    for metric, days, (num, den), status in (("order_defect_rate", 60, odr, "good"),
                                            ("late_shipment_rate", 10, lsr, "no_data")):
        rows.append({"account": account, "marketplace": marketplace, "metric": metric, "channel": "MFN",
                     "window_days": days, "window_start": pd.Timestamp("2026-01-01"),
                     "window_end": pd.Timestamp("2026-02-14"), "numerator": num, "denominator": den,
                     "rate": num / den if den else np.nan, "target": 0.01, "condition": "<",
                     "status": status, "note": ""})
    return pd.DataFrame(rows)


def test_save_then_list_round_trips_values(tmp_path):
    store = tmp_path / "h.duckdb"
    assert save_snapshot(health(), "2026-03-01", store=store) == 2
    got = snapshots(store=store)
    assert len(got) == 2
    odr = got[got["metric"] == "order_defect_rate"].iloc[0]
    assert (odr["numerator"], odr["denominator"]) == (3, 300)
    assert odr["rate"] == pytest.approx(0.01)
    assert str(odr["as_of"])[:10] == "2026-03-01"
    lsr = got[got["metric"] == "late_shipment_rate"].iloc[0]
    assert pd.isna(lsr["rate"])  # NaN is stored as null, never 0


def test_resaving_a_day_replaces_it(tmp_path):
    store = tmp_path / "h.duckdb"
    save_snapshot(health(odr=(3, 300)), "2026-03-01", store=store)
    save_snapshot(health(odr=(5, 300)), "2026-03-01", store=store)
    got = snapshots(store=store)
    assert len(got) == 2
    assert got.loc[got["metric"] == "order_defect_rate", "numerator"].tolist() == [5]


def test_saving_one_account_keeps_the_others_of_that_day(tmp_path):
    store = tmp_path / "h.duckdb"
    save_snapshot(health(account="a"), "2026-03-01", store=store)
    save_snapshot(health(account="b"), "2026-03-01", store=store)
    save_snapshot(health(account="a", odr=(9, 300)), "2026-03-01", store=store)
    got = snapshots(store=store)
    assert sorted(got["account"].unique()) == ["a", "b"] and len(got) == 4
    assert snapshots(store=store, account="b", metric="order_defect_rate")["numerator"].tolist() == [3]


def test_compare_two_days(tmp_path):
    store = tmp_path / "h.duckdb"
    save_snapshot(health(odr=(3, 300)), "2026-03-01", store=store)
    save_snapshot(health(odr=(6, 200)), "2026-03-08", store=store)
    got = compare("2026-03-01", "2026-03-08", store=store)
    odr = got[got["metric"] == "order_defect_rate"].iloc[0]
    assert odr["rate_1"] == pytest.approx(0.01) and odr["rate_2"] == pytest.approx(0.03)
    assert odr["delta"] == pytest.approx(0.02)
    lsr = got[got["metric"] == "late_shipment_rate"].iloc[0]
    assert pd.isna(lsr["delta"]) and lsr["status_1"] == "no_data"


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="no history store"):
        snapshots(store=tmp_path / "none.duckdb")


def test_two_processes_saving_at_once_both_succeed(tmp_path):
    """Two real processes each save 20 days into one file at the same time; DuckDB allows one writer per
    file, so one of them meets the lock and must wait and retry."""
    store = tmp_path / "h.duckdb"
    script = textwrap.dedent(f"""
        import sys, datetime as dt
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_store import health
        from reinstate.history import save_snapshot
        account = sys.argv[1]
        for i in range(20):
            save_snapshot(health(account=account, odr=(i, 300)), dt.date(2026, 3, 1) + dt.timedelta(days=i),
                          store={str(store)!r})
        print("ok")
    """)
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    procs = [subprocess.Popen([sys.executable, "-c", script, acct], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for acct in ("a", "b")]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    got = snapshots(store=store)
    assert len(got) == 2 * 20 * 2
    assert got.groupby("account")["as_of"].nunique().to_dict() == {"a": 20, "b": 20}


def test_cli_save_history_and_compare(tmp_path, capsys, monkeypatch):
    sample = Path(__file__).resolve().parents[2] / "data" / "sample"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REINSTATE_STORE", raising=False)
    monkeypatch.delenv("REINSTATE_HOME", raising=False)
    assert main(["metrics", str(sample), "--as-of", "2026-11-01", "--json", "--save"]) == 0
    saved = json.loads(capsys.readouterr().out)["metrics"]
    assert (tmp_path / "reinstate-history.duckdb").is_file()  # the default store, in the current folder
    assert main(["metrics", str(sample), "--as-of", "2026-11-01", "--save"]) == 0  # same day again
    assert main(["metrics", str(sample), "--as-of", "2026-10-01", "--save"]) == 0
    capsys.readouterr()
    assert main(["history", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["snapshots"]
    assert len(listed) == 2 * len(saved)  # two days, the re-saved one not duplicated
    first = listed[-1]
    assert set(first) >= {"as_of", "account", "marketplace", "metric", "channel", "window_days", "numerator",
                          "denominator", "rate", "status", "saved_at"}
    day2 = {(r["metric"], r["channel"], r["window_days"]): r for r in listed if r["as_of"] == "2026-11-01"}
    for r in saved:  # the stored figures are the ones the metrics command printed
        s = day2[(r["metric"], r["channel"], r["window_days"])]
        assert (s["numerator"], s["denominator"], s["rate"], s["status"]) == \
            (r["numerator"], r["denominator"], r["rate"], r["status"])
    assert main(["history", "--json", "--metric", "order_defect_rate", "--account", "demo-seller"]) == 0
    odr = json.loads(capsys.readouterr().out)["snapshots"]
    assert {r["metric"] for r in odr} == {"order_defect_rate"} and len(odr) == 4  # 2 days x AFN/MFN
    assert main(["history", "--compare", "2026-10-01", "2026-11-01", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["compare"]
    assert len(rows) == len(saved)
    for r in rows:
        assert set(r) == {"account", "marketplace", "metric", "channel", "window_days", "rate_1", "rate_2",
                          "delta", "status_1", "status_2"}
        if r["rate_1"] is not None and r["rate_2"] is not None:
            assert r["delta"] == pytest.approx(r["rate_2"] - r["rate_1"])
    assert main(["history", "--store", str(tmp_path / "other.duckdb")]) == 2
    assert "no history store" in capsys.readouterr().err


def test_store_from_environment(tmp_path, monkeypatch):
    target = tmp_path / "env" / "store.duckdb"
    monkeypatch.setenv("REINSTATE_STORE", str(target))
    save_snapshot(health(), "2026-03-01")
    assert target.is_file() and len(snapshots()) == 2
