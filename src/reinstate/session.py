"""What the notebooks' parameters cell resolves to: the data folder, the analysis date and the output folder.

Kept here so notebooks, the batch runner and the demo agree on the defaults:
no data path = the bundled sample; no as_of = the sample's suggested date (truth.json) or today.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .paths import SAMPLE_DIR, home
from .paths import out_dir as default_out_dir


def data_dir(data_path=None) -> Path:
    """The folder (or file) to load: ``data_path`` resolved against the working folder, or data/sample."""
    if data_path in (None, ""):
        return SAMPLE_DIR
    path = Path(data_path).expanduser()
    return path if path.is_absolute() or path.exists() else home() / path


def default_as_of(data_path=None, as_of=None) -> dt.date:
    """``as_of`` if given; else the ``as_of`` recorded in the data folder's truth.json (generated data); else today."""
    if as_of not in (None, ""):
        return dt.date.fromisoformat(str(as_of)[:10])
    truth = data_dir(data_path) / "truth.json"
    if truth.is_file():
        return dt.date.fromisoformat(json.loads(truth.read_text(encoding="utf-8"))["as_of"])
    return dt.date.today()


def out_dir(path=None) -> Path:
    """The output folder (created): ``path`` resolved against the working folder, or out/."""
    if path in (None, ""):
        target = default_out_dir()
    else:
        target = Path(path).expanduser()
        target = target if target.is_absolute() else home() / target
    target.mkdir(parents=True, exist_ok=True)
    return target


def from_environment(data_path=None, as_of=None, out=None) -> tuple:
    """Fill unset notebook parameters from REINSTATE_DATA / REINSTATE_AS_OF / REINSTATE_OUT.

    Voila (``make app``) cannot inject parameters the way papermill does, so the served notebook reads them
    from the environment; values set in the notebook or injected by papermill win.
    """
    import os

    return (data_path or os.environ.get("REINSTATE_DATA") or None,
            as_of or os.environ.get("REINSTATE_AS_OF") or None,
            out or os.environ.get("REINSTATE_OUT") or None)
