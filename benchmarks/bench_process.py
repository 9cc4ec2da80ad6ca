"""Whole-process comparison: the `reinstate metrics FILE --as-of D --json` command against a process that only
reads the same file with ``pyarrow.csv.read_csv`` (the floor), run alternately A B A B ... so that drift of a
shared machine hits both alike. Per run: wall seconds of the process (start to exit, interpreter start-up and
imports included), CPU seconds (user + system, from ``os.wait4``) and peak RSS (``ru_maxrss``). Reported: the
median of each, and the median of the pair-by-pair ratios (command / floor).
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR_CODE = "import sys, pyarrow.csv as c; t = c.read_csv(sys.argv[1]); print(t.num_rows)"


def run_once(argv: list[str], *, cwd: Path, env: dict, timeout: float, log: Path | None = None) -> dict:
    """One process: wall, cpu seconds, peak RSS MB, exit code and whether it timed out. Its output goes to
    ``log`` (stdout and stderr) when given; otherwise stdout is discarded and stderr kept for the error line."""
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below, after the process ends)
    start = time.perf_counter()
    timed_out = False
    try:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT if log else subprocess.PIPE,
                                cwd=cwd, env=env)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.01)
        wall = time.perf_counter() - start
        err = proc.stderr.read().decode(errors="replace").strip().splitlines() if proc.stderr else []
    finally:
        if log:
            out.close()
    if log and log.is_file():
        err = log.read_text(errors="replace").strip().splitlines()
    code = os.waitstatus_to_exitcode(status)
    return {"ok": code == 0 and not timed_out, "exit": code, "timed_out": timed_out, "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
            "error": err[-1][:300] if code and err else ""}


def compare(csv_file: Path, as_of: str, *, root: Path, runs: int = 3, timeout: float = 1800,
            engine: str | None = None, env_extra: dict | None = None) -> dict:
    """Median figures of both commands and of their ratios over ``runs`` alternating pairs (one warm-up pair).
    ``env_extra``: environment for the command only (``REINSTATE_FAST_PATH=0``: the careful loader's path)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root / "src"), os.environ.get("PYTHONPATH")])))
    command_env = {**env, **(env_extra or {})}
    command = [sys.executable, "-m", "reinstate", "metrics", str(csv_file), "--as-of", as_of, "--json"]
    if engine:
        command += ["--engine", engine]
    floor = [sys.executable, "-c", FLOOR_CODE, str(csv_file)]
    pairs = []
    for i in range(runs + 1):
        a = run_once(command, cwd=root, env=command_env, timeout=timeout)
        b = run_once(floor, cwd=root, env=env, timeout=timeout)
        if not (a["ok"] and b["ok"]):
            return {"ok": False, "error": a["error"] or b["error"] or "exit code", "command": a, "floor": b}
        if i:  # the first pair warms the file cache and the interpreter's bytecode
            pairs.append((a, b))

    def med(side, key):
        return round(statistics.median(p[side][key] for p in pairs), 3)

    def ratio(key):
        return round(statistics.median(p[0][key] / p[1][key] for p in pairs), 3)

    out = {"ok": True, "runs": runs, "file": str(csv_file), "file_mb": round(csv_file.stat().st_size / 1e6, 1),
           "command": " ".join(["reinstate", *command[3:]]), "floor": "pyarrow.csv.read_csv(FILE)"}
    for key in ("wall", "cpu", "peak_rss_mb"):
        out[f"command_{key}"] = med(0, key)
        out[f"floor_{key}"] = med(1, key)
        out[f"ratio_{key}"] = ratio(key)
    out["ratio_wall_range"] = [round(min(p[0]["wall"] / p[1]["wall"] for p in pairs), 3),
                               round(max(p[0]["wall"] / p[1]["wall"] for p in pairs), 3)]
    out["phases"] = phases(csv_file, as_of, root=root, env=env, command_env=command_env, timeout=timeout)
    return out


def phases(csv_file: Path, as_of: str, *, root: Path, env: dict, command_env: dict, timeout: float) -> dict:
    """One more process of each side, split into phases by ``bench_phases`` (imports, read/check/facts, windows,
    JSON; the floor's imports and read), plus interpreter start-up (an empty ``python -c pass``): the measured
    reason behind the whole-process ratios. ``{"ok": False, "error": ...}`` when a process fails."""
    script = str(Path(__file__).resolve().parent / "bench_phases.py")
    out: dict = {"ok": True}
    with tempfile.TemporaryDirectory(prefix="bench-phases-") as tmp:
        start = run_once([sys.executable, "-c", "pass"], cwd=root, env=env, timeout=timeout)
        out["startup"] = {"wall": round(start["wall"], 3), "cpu": round(start["cpu"], 3)}
        for side, side_env in (("command", command_env), ("floor", env)):
            result = Path(tmp) / f"{side}.json"
            run = run_once([sys.executable, script, side, str(csv_file), as_of, str(result)], cwd=root,
                           env=side_env, timeout=timeout)
            if not run["ok"] or not result.is_file():
                return {"ok": False, "error": f"{side} phases: {run['error'] or 'exit code ' + str(run['exit'])}"}
            out[side] = json.loads(result.read_text())
    return out
