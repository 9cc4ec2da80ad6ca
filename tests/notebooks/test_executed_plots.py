"""Executed notebooks keep their plots even when the parent process runs with MPLBACKEND=Agg (as `make` and CI
did): session.execute_notebook starts kernels without it. Slow: runs notebooks 02 and 03 on the sample."""
import json
import os
from pathlib import Path

import pytest

from reinstate import session

ROOT = Path(__file__).resolve().parents[2]


def images(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum("image/png" in out.get("data", {}) for cell in nb["cells"] for out in cell.get("outputs", []))


@pytest.mark.slow
def test_executed_02_and_03_contain_their_plots(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # the kernel runs in notebooks/: make it import this checkout's package whatever PYTHONPATH said
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    params = {"data_path": str(session.sample_dir()), "as_of": "2026-11-16", "marketplace": "US",
              "account": None, "out_dir": str(tmp_path / "out")}
    # 02 draws the ODR trend, its components, the late-shipment trend and the recovery; 03 the Pareto and heatmap
    for name, plots in (("02-account-health.ipynb", 4), ("03-root-causes.ipynb", 2)):
        target = session.execute_notebook(ROOT / "notebooks" / name, tmp_path / name, params, progress=False)
        assert images(target) == plots, name
    assert os.environ["MPLBACKEND"] == "Agg"  # restored for the parent


def test_kernel_environment_drops_and_restores_mplbackend(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    with session.kernel_environment():
        assert "MPLBACKEND" not in os.environ
    assert os.environ["MPLBACKEND"] == "Agg"


def test_makefile_keeps_mplbackend_away_from_kernels():
    """`make lab`, `make demo` and nbval start kernels from make's environment: it must not carry Agg."""
    makefile = (ROOT / "Makefile").read_text()
    assert "unexport MPLBACKEND" in makefile
    assert not any(line.startswith("export MPLBACKEND") for line in makefile.splitlines())


def test_notebook_runs_show_progress_without_kernel_noise(tmp_path, capfd, monkeypatch):
    import nbformat

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("print(x + 1)")]
    source = tmp_path / "tiny.ipynb"
    nbformat.write(nb, source)
    target = session.execute_notebook(source, tmp_path / "out" / "tiny.ipynb", {}, progress=True)
    err = capfd.readouterr().err
    assert "tiny: 100%" in err and "2/2" in err                        # the cell bar, named after the notebook
    assert "without encryption" not in err and "KeyboardInterrupt" not in err
    assert nbformat.read(target, as_version=4).cells[1].outputs[0]["text"] == "2\n"
