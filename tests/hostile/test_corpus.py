"""The hostile corpus: every file gets a verdict, never a traceback, and the row counts add up.

For each file: ``reinstate validate --json`` exits 0 (read) or 2 (cannot be used), rows_read ==
rows_accepted + rows_rejected, and rows_read is the number of records counted by hand from
make_corpus.py (``EXPECTED``). Run on the whole folder, every file is still reported.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import reinstate.cli as cli

FILES = Path(__file__).parent / "files"
ROOT = Path(__file__).resolve().parents[2]

# name -> (status, rows_read, rows_rejected, rows_unmatched); None = the file cannot be used (exit 2).
EXPECTED = {
    "unclosed_quote.csv": ("ok", 100, 1, 0),      # line 42 opens a quote that never closes
    "two_stray_quotes.csv": ("ok", 100, 1, 0),    # line 12; the quote on line 52 is mid-field (literal)
    "mixed_encoding.csv": ("ok", 20, 0, 0),
    "huge_quantities.csv": ("ok", 6, 5, 0),       # 1e20, inf, 2**63, 2**63-1 (above 10000), -1
    "excel_tracking.csv": ("ok", 3, 0, 0),
    "long_field.csv": ("ok", 2, 0, 0),            # 140 KB field + a quoted line break
    "binary.csv": None,
    "empty.csv": None,
    "only_header.csv": ("ok", 0, 0, 0),
    "offsets.csv": ("ok", 5, 2, 0),               # 'now' and year 1 rejected
    "header_clash_space.csv": None,
    "header_clash_case.csv": None,
    "deep.json": None,
    "control_chars.csv": None,
    "utf16.txt": ("ok", 4, 0, 0),
    "lone_cr.csv": ("ok", 3, 0, 0),
    "blank_lines.csv": ("ok", 4, 0, 0),
    "ragged.csv": ("ok", 4, 2, 0),                # two rows with extra non-empty fields
    "non_standard_pii.csv": ("ok", 1, 0, 0),
    "formula_cells.csv": ("ok", 2, 2, 0),
    "contacts_in_rejects.csv": ("ok", 1, 1, 0),
    "feedback_alone.csv": ("ok", 4, 1, 3),        # rating 9 rejected; three wait for their orders
    "messages_alone.csv": ("ok", 2, 0, 2),
    "json_lines.jsonl": ("ok", 3, 0, 0),
    "bom_semicolon.csv": ("ok", 3, 0, 0),
    "orders.csv.gz": ("ok", 5, 0, 0),
    "truncated.csv.gz": None,
    "two_members.zip": [("ok", 4, 0, 0), ("ok", 2, 0, 0)],   # one report per member
    "empty.zip": None,
    "orders": ("ok", 2, 0, 0),
    "orders.dat": ("ok", 3, 0, 0),
    "not_a_workbook.xlsx": None,
    "old_excel.xls": None,
    "orders.xlsx": ("ok", 3, 0, 0),               # the blank sheet row is not a record
}


@pytest.fixture(autouse=True)
def only_validate(monkeypatch):
    monkeypatch.setattr(cli, "COMMANDS", ("validate",))


def test_the_corpus_and_the_table_agree():
    assert sorted(p.name for p in FILES.iterdir()) == sorted(EXPECTED)


def _validate(paths, tmp_path, capsys):
    code = cli.main(["validate", *map(str, paths), "--json", "--rejects", str(tmp_path / "rejects.csv")])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "\x1b" not in captured.err and "\x07" not in captured.err and "\x00" not in captured.err
    return code, json.loads(captured.out), captured.err


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_file_gets_a_verdict_and_counts_that_add_up(name, tmp_path, capsys):
    code, out, err = _validate([FILES / name], tmp_path, capsys)
    expected = EXPECTED[name]
    for f in out["files"]:
        assert f["rows_read"] == f["rows_accepted"] + f["rows_rejected"]
        assert 0 <= f["rows_unmatched"] <= f["rows_accepted"]
    if expected is None:
        assert code == 2
        (f,) = out["files"]
        assert f["status"] == "error" and name in f["reason"]
        assert name in err and len(err.strip().splitlines()) == 1
        return
    assert code == 0
    got = [(f["status"], f["rows_read"], f["rows_rejected"], f["rows_unmatched"]) for f in out["files"]]
    assert got == (expected if isinstance(expected, list) else [expected])


def test_the_whole_folder_reports_every_file(tmp_path, capsys):
    folder = tmp_path / "mixed"
    shutil.copytree(FILES, folder)
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "README.md").write_text("notes")
    code, out, _ = _validate([folder], tmp_path, capsys)
    assert code == 2                                          # some files cannot be used ...
    by_name = {Path(f["path"].split(":")[0]).name: f for f in out["files"]}
    ok = [f for f in out["files"] if f["status"] == "ok"]
    assert len(ok) == sum(len(v) if isinstance(v, list) else 1 for v in EXPECTED.values() if v is not None)
    assert {n for n, v in EXPECTED.items() if v is None} == {n for n, f in by_name.items() if f["status"] == "error"}
    assert by_name["picture.png"]["status"] == "skipped" and by_name["README.md"]["status"] == "skipped"
    assert out["rows_rejected"] == sum(f["rows_rejected"] for f in out["files"])


def test_no_traceback_from_the_real_command(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-m", "reinstate", "validate", str(FILES), "--json",
                           "--rejects", str(tmp_path / "r.csv")], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["files"]
