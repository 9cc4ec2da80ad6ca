"""Where things live. Anchored on this file, never on the current directory."""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SAMPLE_DIR = DATA_DIR / "sample"
REFERENCE_DIR = DATA_DIR / "reference"
RAW_DIR = DATA_DIR / "raw"
TEMPLATES_DIR = PROJECT_ROOT / "templates"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
OUT_DIR = PROJECT_ROOT / "out"
