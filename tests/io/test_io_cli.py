"""`reinstate validate`: table, JSON shape, rejects file, exit codes."""
import json
from pathlib import Path

import pytest

import reinstate.cli as cli

FIXTURES = Path(__file__).parent / "fixtures"
BAD = Path(__file__).parent / "bad"


@pytest.fixture(autouse=True)
def only_validate(monkeypatch):
    # Other subcommands are built by other stages; this keeps these tests about `validate` alone.
    monkeypatch.setattr(cli, "COMMANDS", ("validate",))


def test_json_shape_and_rejects_file(tmp_path, capsys):
    target = tmp_path / "rejects.csv"
    code = cli.main(["validate", str(FIXTURES / "rows_with_problems.csv"), "--json", "--rejects", str(target)])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(out) == {"files", "rows_rejected", "rows_unmatched", "rejects_file"}
    (f,) = out["files"]
    assert set(f) == {"path", "format", "status", "reason", "rows_read", "rows_accepted", "rows_rejected",
                      "rows_unmatched"}
    assert (f["status"], f["reason"], f["rows_unmatched"]) == ("ok", "", 0)
    assert (f["format"], f["rows_read"], f["rows_accepted"], f["rows_rejected"]) == ("canonical", 10, 2, 8)
    assert out["rows_rejected"] == 8 and out["rejects_file"] == str(target)
    assert target.read_text().count("\n") == 1 + 8


def test_rejects_file_is_never_overwritten(tmp_path, capsys):
    target = tmp_path / "rejects.csv"
    target.write_text("keep me")
    cli.main(["validate", str(FIXTURES / "rows_with_problems.csv"), "--json", "--rejects", str(target)])
    out = json.loads(capsys.readouterr().out)
    assert out["rejects_file"] == str(tmp_path / "rejects-2.csv")
    assert target.read_text() == "keep me"


def test_clean_files_write_no_rejects_file(capsys):
    code = cli.main(["validate", str(FIXTURES / "amazon_all_orders.tsv"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["rejects_file"] is None and out["rows_rejected"] == 0


def test_table_output(tmp_path, capsys):
    code = cli.main(["validate", str(FIXTURES), "--rejects", str(tmp_path / "r.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert "amazon_all_orders" in out and "amazon_feedback" in out and "total" in out
    assert "rejected rows written to" in out


def test_strict_exits_2(tmp_path, capsys):
    code = cli.main(["validate", str(FIXTURES / "rows_with_problems.csv"), "--strict",
                     "--rejects", str(tmp_path / "r.csv")])
    assert code == 2
    assert "--strict" in capsys.readouterr().err


def test_unreadable_file_exits_2_without_traceback(capsys):
    code = cli.main(["validate", str(BAD / "missing_order_status.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "missing_order_status.csv" in err and "column 'order_status'" in err and "expected" in err
    assert "Traceback" not in err
