import os
import sys
import tempfile
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).parent))  # tests/factories.py

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# Keep Jupyter and matplotlib from writing into $HOME.
_tmp = Path(tempfile.mkdtemp(prefix="reinstate-test-home-"))
for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
    os.environ.setdefault(var, str(_tmp / var.lower()))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared from the project root; tests using it skip when it is absent (a user's checkout)."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present (only on the development machine)")
    return SHARED


def _java_major() -> int | None:
    import re
    import shutil
    import subprocess

    java = shutil.which("java")
    if java is None:
        return None
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 and m.group(2) else major


@pytest.fixture(scope="session")
def spark_engine():
    """The one local Spark session of the test run (started once: ~30 s on a busy 2-core machine); yields its
    master URL. Skips with the reason when PySpark or Java 17+ is missing."""
    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install '.[spark]')")
    major = _java_major()
    if major is None or major < 17:
        pytest.skip(f"Spark needs Java 17+ (found {'no java' if major is None else f'Java {major}'})")
    from reinstate.engine import backend
    backend("spark", spark_master="local[2]")
    yield "local[2]"
