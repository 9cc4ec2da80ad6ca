"""Browser-test helpers: Voila on 127.0.0.1 serving one notebook, driven by Playwright on the system Chromium.

* Chromium is Debian's /usr/bin/chromium (never ``playwright install``). Missing: skip with the reason,
  except under ``CI=true`` where it fails.
* Jupyter's config/data/runtime dirs, IPython and matplotlib dirs are isolated under a temp dir; the app's
  out dir too (passed to the notebook through ``REINSTATE_OUT``).
* The page may only talk to 127.0.0.1 (everything else is aborted and recorded).
* Only the Voila process group this harness started is killed, in the fixture teardown.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = ROOT / "out" / "screenshots"
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
START_TIMEOUT = 120     # seconds for Voila to answer at all
RENDER_TIMEOUT = 240_000  # ms for the notebook to execute and the widgets to appear (2 shared cores)


def require_chromium():
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (make test installs it with apt-get when run as root)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VoilaServer:
    """One Voila process serving one notebook; ``stop()`` ends exactly its process group."""

    def __init__(self, notebook: Path, workdir: Path):
        self.notebook = notebook
        self.out_dir = workdir / "out"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        jupyter = workdir / "jupyter"
        self.env = {**os.environ,
                    "JUPYTER_CONFIG_DIR": str(jupyter / "config"), "JUPYTER_DATA_DIR": str(jupyter / "data"),
                    "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"), "IPYTHONDIR": str(jupyter / "ipython"),
                    "MPLCONFIGDIR": str(jupyter / "matplotlib"), "MPLBACKEND": "Agg",
                    "REINSTATE_OUT": str(self.out_dir), "PYTHONUNBUFFERED": "1"}
        for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
            Path(self.env[key]).mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "voila.log"
        self.proc: subprocess.Popen | None = None

    def start(self):
        voila = Path(sys.executable).with_name("voila")
        cmd = [str(voila), "--no-browser", f"--port={self.port}", "--Voila.ip=127.0.0.1",
               "--Voila.open_browser=False", str(self.notebook)]
        self._log = open(self.log_path, "w")
        # A new session makes Voila (and its kernels) one process group we alone own.
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"voila exited with {self.proc.returncode}:\n{self.log()}")
            # Any HTTP answer means the server is up (the root URL would execute the notebook: not probed).
            try:
                urllib.request.urlopen(self.url + "voila/static/favicon.ico", timeout=2).close()
                return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"voila did not answer on {self.url} within {START_TIMEOUT}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = os.getpgid(self.proc.pid)
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        self._log.close()


def screenshot(page, name: str, *, full_page: bool = True, locator=None, docs: bool = False) -> Path:
    """Save a PNG under out/screenshots/; a ``docs`` one also under docs/screenshots/ (the README's) when
    REINSTATE_UPDATE_SCREENSHOTS=1."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    (locator or page).screenshot(path=str(path), **({} if locator else {"full_page": full_page}))
    if docs and os.environ.get("REINSTATE_UPDATE_SCREENSHOTS") == "1":
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, DOC_SCREENSHOTS / path.name)
    return path


def open_app(page, server: VoilaServer, selector: str):
    """Load the served notebook and wait for the app's root; on failure say what the page and Voila showed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    page.goto(server.url, timeout=RENDER_TIMEOUT)
    try:
        page.locator(selector).wait_for(timeout=RENDER_TIMEOUT)
    except PlaywrightTimeout:
        shown = page.locator("body").inner_text()[-3000:]
        raise AssertionError(f"{selector} did not appear.\n--- page ---\n{shown}\n--- voila log ---\n"
                             f"{server.log()[-3000:]}") from None
