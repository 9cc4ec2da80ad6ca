"""What the notebooks' parameters cell resolves to: the data folder, the analysis date and the output folder.

Kept here so notebooks, the batch runner and the demo agree on the defaults:
no data path = the bundled sample; no as_of = the sample's suggested date (truth.json) or today.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from .errors import ConfigError
from .paths import NOTEBOOKS_DIR, SAMPLE_DIR, home
from .paths import out_dir as default_out_dir

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Kernel arguments for unattended runs: no "running over TCP without encryption" warning on every start.
QUIET_KERNEL = ["--IPKernelApp.log_level=ERROR"]


def iso_day(value, what: str = "as_of") -> dt.date:
    """``YYYY-MM-DD`` (or a date) -> date. Anything else (01/11/2026, 11.01.2026, 2026-1-5) is refused rather
    than guessed: day and month order differ between countries, and a wrong guess moves every window."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if ISO_DAY.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ConfigError(f"{what} '{value}': expected an ISO date YYYY-MM-DD{_iso_hint(text)}")


def _iso_hint(text: str) -> str:
    """', e.g. 2026-11-01 or 2026-01-11' for an ambiguous d/m/y text; else a plain example."""
    parts = re.split(r"[/.\-\s]+", text)
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
        a, b, year = int(parts[0]), int(parts[1]), parts[2]
        options = []
        for month, day in ((a, b), (b, a)):
            with contextlib.suppress(ValueError):
                options.append(dt.date(int(year), month, day).isoformat())
        options = list(dict.fromkeys(options))
        if options:
            return " (" + " or ".join(options) + ")"
    return " (e.g. 2026-11-16)"


def sample_dir() -> Path:
    """The bundled sample: data/sample of the source checkout, else ``<home>/data/sample`` (an installed package
    has no sample; ``reinstate sample --out data/sample`` or ``python -m reinstate.demo`` writes one there)."""
    if SAMPLE_DIR is not None and SAMPLE_DIR.is_dir():
        return SAMPLE_DIR
    return home() / "data" / "sample"


def data_dir(data_path=None) -> Path:
    """The folder (or file) to load: ``data_path`` resolved against the working folder, or the sample."""
    if data_path in (None, ""):
        folder = sample_dir()
        if not folder.is_dir():
            raise ConfigError(f"no data_path given and no sample at {folder} (an installed package has none): "
                              "give your exports' folder, or write a sample with "
                              "`reinstate sample --out data/sample`")
        return folder
    path = Path(data_path).expanduser()
    return path if path.is_absolute() or path.exists() else home() / path


def default_as_of(data_path=None, as_of=None) -> dt.date:
    """``as_of`` if given; else the ``as_of`` recorded in the data folder's truth.json (generated data); else today."""
    if as_of not in (None, ""):
        return iso_day(as_of)
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


@contextlib.contextmanager
def kernel_environment():
    """While kernels start, drop MPLBACKEND: a kernel that inherits ``MPLBACKEND=Agg`` (set by scripts and CI for
    headless plotting in the parent) draws nothing, and executed notebooks end up without their plots."""
    saved = os.environ.pop("MPLBACKEND", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["MPLBACKEND"] = saved


def notebook_dir() -> Path:
    """Where notebooks 01-04 are: the source checkout's notebooks/ (an installed package does not ship them)."""
    if NOTEBOOKS_DIR is None or not NOTEBOOKS_DIR.is_dir():
        raise ConfigError("the notebooks are not installed: they ship with the source checkout (git clone), "
                          "not with the wheel")
    return NOTEBOOKS_DIR


def execute_notebook(source: Path, target: Path, params: dict, *, cwd=None, progress: bool = True) -> Path:
    """Run one notebook top to bottom with papermill into ``target``, quietly and with plots.

    The kernel starts without MPLBACKEND (plots stay inline) and without its start-up warnings; its own stderr
    (shutdown noise such as KeyboardInterrupt tracebacks) goes to a temporary file that is printed only when
    the run fails. A cell progress bar named after the notebook goes to stderr when ``progress``.
    """
    import papermill as pm

    target.parent.mkdir(parents=True, exist_ok=True)
    with kernel_environment(), tempfile.TemporaryFile("w+b") as noise, _stderr_to(noise):
        # sys.stderr is the terminal's duplicate here, not the redirected descriptor 2
        bar = {"desc": Path(source).stem, "leave": True, "file": sys.stderr} if progress else False
        try:
            pm.execute_notebook(str(source), str(target), parameters=params, kernel_name="python3",
                                cwd=str(cwd or Path(source).parent), progress_bar=bar, log_output=False,
                                extra_arguments=QUIET_KERNEL)
        except BaseException:
            noise.seek(0)
            sys.stderr.write(noise.read().decode("utf-8", "replace")[-4000:])  # the kernel's last words
            raise
    return target


@contextlib.contextmanager
def _stderr_to(handle):
    """Send file descriptor 2 (what child processes such as kernels inherit) to ``handle``; Python's own
    ``sys.stderr`` (progress bars, messages) keeps writing to the terminal through a duplicate."""
    fd = 2
    try:
        sys.stderr.flush()
        saved = os.dup(fd)
    except (AttributeError, OSError, ValueError):  # no descriptor 2 (embedded interpreter): nothing to redirect
        yield
        return
    terminal = open(saved, "w", buffering=1, closefd=False, encoding="utf-8", errors="replace")
    previous = sys.stderr
    os.dup2(handle.fileno(), fd)
    sys.stderr = terminal
    try:
        yield
    finally:
        terminal.flush()
        sys.stderr = previous
        os.dup2(saved, fd)
        os.close(saved)
