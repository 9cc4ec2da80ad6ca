"""A wheel installed outside the checkout works from any folder: it finds its templates and writes a letter.

Offline and quick enough for CI: the wheel is built without build isolation from a copy of the sources, and
installed (no dependencies, no index) into a fresh venv of this interpreter that sees this environment's
packages through a .pth line, so only reinstate itself comes from the wheel. Everything runs from an empty
temporary folder, far from the checkout.
"""
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def run(cmd, cwd, env, check=True):
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if check and done.returncode != 0:
        raise AssertionError(f"{cmd} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    pytest.importorskip("setuptools", minversion="77")
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "REINSTATE_HOME", "REINSTATE_TEMPLATES")}
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(base / "dist"), str(src)], cwd=base, env=env)
    [wheel] = (base / "dist").glob("reinstate-*.whl")
    target = base / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    cwd=base, env=env).stdout.strip())
    # this environment's packages (pandas, jinja2, pip, ...) but not its editable reinstate: a plain path line
    # does not run the .pth hooks of that folder
    paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "zz-host-packages.pth").write_text("\n".join(paths) + "\n")
    run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)], cwd=base, env=env)
    work = base / "elsewhere"
    work.mkdir()
    return python, target / "bin" / "reinstate", work, env


def test_the_installed_package_is_the_wheel(installed):
    python, _, work, env = installed
    where = run([str(python), "-c", "import reinstate; print(reinstate.__file__)"], cwd=work, env=env).stdout
    assert str(ROOT) not in where and "site-packages" in where
    # the text model (text_model.npz) is package data: without it the lexicons would silently decide alone
    run([str(python), "-c", "from reinstate.diagnosis.model import load_model; assert load_model() is not None"],
        cwd=work, env=env)


def test_templates_check_and_a_letter_from_a_generated_sample(installed):
    python, script, work, env = installed
    checked = run([str(python), str(script), "templates", "check"], cwd=work, env=env)
    assert "odr" in checked.stdout
    run([str(python), str(script), "sample", "--orders", "800", "--out", "data/sample"], cwd=work, env=env)
    out = run([str(python), str(script), "letter", "data/sample", "--template", "odr", "--as-of", "2026-11-16",
               "--set", "store_name=Acme Home", "--set", "seller_name=A. Seller", "--out", "appeal.txt"],
              cwd=work, env=env, check=False)
    assert out.returncode == 0, out.stderr
    letter = (work / "appeal.txt").read_text(encoding="utf-8")
    assert "Acme Home" in letter and "Order Defect Rate" in letter
    assert not (ROOT / "appeal.txt").exists() and not list(ROOT.glob("out/rejects*"))


def test_demo_generates_its_sample_and_says_why_there_are_no_notebooks(installed, tmp_path):
    python, _, _, env = installed
    done = run([str(python), "-m", "reinstate.demo", "--out", "out"], cwd=tmp_path, env=env)
    assert "generating one into" in done.stdout and "ship with the source checkout" in done.stdout
    assert (tmp_path / "data" / "sample" / "performance.json").is_file()
    assert "Reconciliation with Amazon's own figures" in done.stdout
    assert (tmp_path / "out" / "letters" / "appeal-odr.txt").is_file()
