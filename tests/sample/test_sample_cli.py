"""`reinstate sample` on the command line."""
import json

from reinstate.cli import main


def test_writes_files_and_prints_as_of(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["sample", "--orders", "300", "--days", "40", "--seed", "3", "--out", str(out),
                 "--end", "2026-05-31", "--causes", "transit_damage,late_shipment", "--strength", "2"]) == 0
    printed = capsys.readouterr().out
    assert "suggested as_of: 2026-06-01" in printed
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["orders.csv", "feedback.csv", "claims.csv", "chargebacks.csv", "returns.csv",
                            "messages.csv", "truth.json", "performance.json"])
    truth = json.loads((out / "truth.json").read_text())
    assert truth["params"] == {"orders": 300, "days": 40, "seed": 3, "end": "2026-05-31", "account": "demo-seller",
                               "marketplace": "US", "causes": ["transit_damage", "late_shipment"], "strength": 2.0}


def test_refuses_a_non_empty_folder_unless_forced(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    assert main(["sample", "--orders", "50", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and "--force" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert main(["sample", "--orders", "50", "--out", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "orders.csv").exists() and (tmp_path / "notes.txt").read_text() == "keep me"


def test_bad_option_is_a_user_error(tmp_path, capsys):
    assert main(["sample", "--orders", "50", "--out", str(tmp_path / "x"), "--causes", "gremlins"]) == 2
    assert "unknown cause 'gremlins'" in capsys.readouterr().err
