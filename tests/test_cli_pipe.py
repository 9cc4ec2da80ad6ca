"""A reader that stops early (`reinstate … | head`) gets no traceback: exit 141, like other Unix tools."""
import os
import sys

from reinstate.cli import main
from reinstate.paths import SAMPLE_DIR


def test_closed_pipe_ends_quietly(monkeypatch, capsys):
    read_end, write_end = os.pipe()
    os.close(read_end)                                   # the reader has gone, like `head` after its lines
    closed = open(write_end, "w", buffering=1)
    monkeypatch.setattr(sys, "stdout", closed)
    try:
        code = main(["metrics", str(SAMPLE_DIR), "--as-of", "2026-11-16", "--json"])
    finally:
        monkeypatch.undo()
    assert code == 141
    assert "Traceback" not in capsys.readouterr().err
