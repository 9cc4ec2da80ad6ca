"""A command that computes on loaded rows says how many rows it left out, and why, on stderr."""
import json

from reinstate.cli import main

HEADER = "order_id,purchase_date,fulfillment_channel,order_status\n"


def _orders(tmp_path, bad_rows: int) -> str:
    # 5 good rows, then `bad_rows` rows whose purchase date cannot be read (lines 7, 8, ... of the file).
    good = [f"111-000000{i}-0000001,2026-10-0{i}T10:00:00-07:00,MFN,Shipped\n" for i in range(1, 6)]
    bad = [f"111-900000{i}-0000001,yesterday,MFN,Shipped\n" for i in range(bad_rows)]
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "".join(good + bad), encoding="utf-8")
    return str(path)


def test_metrics_names_the_rejected_row(tmp_path, capsys):
    code = main(["metrics", _orders(tmp_path, 1), "--as-of", "2026-11-16", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "1 row rejected and not counted (" in err
    assert "orders.csv line 7, purchase_date: unparseable date" in err
    assert "reinstate validate" in err
    assert "Traceback" not in err
    # The five good orders are what is counted (every one is MFN, shipped, in the LSR window's reach or not:
    # the denominators never exceed 5).
    assert all(m["denominator"] <= 5 for m in json.loads(out)["metrics"])


def test_many_rejects_show_three_and_a_count(tmp_path, capsys):
    main(["metrics", _orders(tmp_path, 5), "--as-of", "2026-11-16", "--json"])
    err = capsys.readouterr().err
    assert "5 rows rejected and not counted" in err
    assert "line 7," in err and "line 9," in err and "line 10," not in err
    assert "and 2 more" in err


def test_clean_data_says_nothing(tmp_path, capsys):
    main(["metrics", _orders(tmp_path, 0), "--as-of", "2026-11-16", "--json"])
    assert "rejected" not in capsys.readouterr().err
