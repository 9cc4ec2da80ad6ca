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
