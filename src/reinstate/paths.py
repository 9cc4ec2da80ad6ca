"""Where things live.

Policy (templates, reference tables) is package data found through importlib.resources, so an installed wheel
works from any folder. The user's folders (out/, data/raw/) come from the current directory, or from
``REINSTATE_HOME`` when set. The bundled sample and notebooks exist only in a source checkout.
"""
import os
from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
POLICY_DIR = Path(str(resources.files("reinstate") / "policy"))
TEMPLATES_DIR = POLICY_DIR / "templates"
REFERENCE_DIR = POLICY_DIR / "reference"



def _source_checkout() -> Path | None:
    """The project folder when the package runs from a source checkout (``src/reinstate`` beside a
    ``pyproject.toml``), else None: an installed wheel has no sample and no notebooks."""
    root = PACKAGE_DIR.parents[1]
    return root if (root / "pyproject.toml").is_file() and (root / "src" / "reinstate") == PACKAGE_DIR else None


# Checkout-only material, None in an installed package (session.sample_dir() then looks under the working
# folder, where the demo writes a sample; session.notebook_dir() says the notebooks are not installed).
PROJECT_ROOT = _source_checkout()
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample" if PROJECT_ROOT else None
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks" if PROJECT_ROOT else None


def home() -> Path:
    """The user's working folder: ``REINSTATE_HOME`` if set, else the current directory."""
    return Path(os.environ.get("REINSTATE_HOME") or os.getcwd()).expanduser()


def out_dir() -> Path:
    """Default output folder: ``<home>/out`` (not created here)."""
    return home() / "out"


def raw_dir() -> Path:
    """Where a user keeps raw exports: ``<home>/data/raw``."""
    return home() / "data" / "raw"


def template_dirs() -> tuple[Path, ...]:
    """Template folders, most important first: ``REINSTATE_TEMPLATES`` (``--templates DIR``; several joined by
    os.pathsep), then ``<home>/templates`` if it exists, then the package's own. A user's template replaces the
    package's one of the same id; the package's partials (``_blocks.j2``) stay available to it."""
    user = [Path(d).expanduser() for d in os.environ.get("REINSTATE_TEMPLATES", "").split(os.pathsep) if d]
    local = home() / "templates"
    if local.is_dir() and local.resolve() != TEMPLATES_DIR.resolve():
        user.append(local)
    return (*user, TEMPLATES_DIR)
