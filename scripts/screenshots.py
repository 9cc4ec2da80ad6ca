"""Screenshot the MetricsExplorer as a user sees it: Voila serving the app on the bundled sample, in Chromium.

    .venv/bin/python scripts/screenshots.py --replace   # refreshes docs/screenshots/metrics-explorer.png
    .venv/bin/python scripts/screenshots.py --out DIR   # elsewhere (never overwrites: numbered siblings)

Needs /usr/bin/chromium (``make test`` installs it as root). Jupyter's folders live in a temporary directory;
only the Voila process group started here is stopped at the end.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat as nbf

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
APP = '''\
import reinstate
from reinstate import session
from reinstate.ui import MetricsExplorer

data = reinstate.load(session.data_dir(None))
MetricsExplorer(data, as_of=session.default_as_of(None), metric="valid_tracking_rate").widget'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"voila exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"voila did not answer at {url} within {timeout:.0f} s")


def main(argv=None) -> int:
    from playwright.sync_api import sync_playwright

    from reinstate.files import write_new

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1100, help="browser width in pixels (default 1100)")
    parser.add_argument("--replace", action="store_true", help="replace the existing screenshot (for docs/)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reinstate-shots-") as tmp:
        tmp = Path(tmp)
        nb = nbf.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbf.v4.new_code_cell(APP)]
        notebook = tmp / "Metrics explorer.ipynb"
        nbf.write(nb, notebook)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
        for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
            env[var] = str(tmp / var.lower())
        env.pop("MPLBACKEND", None)
        port = free_port()
        voila = Path(sys.executable).with_name("voila")
        proc = subprocess.Popen([str(voila), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", notebook.name],
                                cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_for(url, proc)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": args.width, "height": 1600}, device_scale_factor=1)
                page.goto(url, timeout=240_000)
                app = page.locator(".rs-metrics-explorer")
                app.wait_for(timeout=240_000)
                page.locator(".rs-drilldown table").wait_for(timeout=120_000)
                page.wait_for_timeout(1000)
                png = app.screenshot()
                target = args.out / "metrics-explorer.png"
                if args.replace:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(png)
                else:
                    target = write_new(target, png)
                browser.close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
