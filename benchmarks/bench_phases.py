"""Where the whole `reinstate metrics FILE --as-of D --json` process spends its time, phase by phase, beside the
same split of the floor (``pyarrow.csv.read_csv``). Run as a script in a fresh process:

    python bench_phases.py command|floor FILE AS_OF OUT.json

``command`` times, in one process and in the order the CLI does them: the imports (pandas, pyarrow, DuckDB,
Ibis and the package), ``reinstate.analyze(FILE, as_of=D)`` (the fast path's one DuckDB pass: read, normal-form
gate, per-order facts; or the careful loader when the file is not in normal form), ``Analysis.health()`` (the
windows over the per-order facts) and the JSON text. ``floor`` times ``import pyarrow.csv`` and the read.
Interpreter start-up is measured by the caller (an empty ``python -c pass`` process). Each phase: wall and CPU
seconds (CPU over all threads) and the process's peak RSS after it (MB). The benchmark prints these in its
"how far, and why" lines for the whole-process targets, so the reason a target is missed is a measured split.
"""
from __future__ import annotations

import json
import resource
import sys
import time


class Phases:
    def __init__(self):
        self.rows: list[dict] = []

    def __call__(self, name: str, fn):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        out = fn()
        self.rows.append({"phase": name, "wall": round(time.perf_counter() - wall0, 3),
                          "cpu": round(time.process_time() - cpu0, 3),
                          "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)})
        return out


def command(path: str, as_of: str) -> list[dict]:
    phase = Phases()

    def imports():
        import duckdb  # noqa: F401
        import ibis  # noqa: F401
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401

        import reinstate.analysis  # noqa: F401
        import reinstate.metrics.contract  # noqa: F401
    phase("imports", imports)
    from reinstate.analysis import analyze
    from reinstate.metrics.contract import health_to_json
    analysis = phase("read, check, per-order facts (analyze)", lambda: analyze(path, as_of=as_of))
    health = phase("windows (health)", analysis.health)
    phase("JSON", lambda: json.dumps(health_to_json(health, analysis.as_of), indent=2))
    return phase.rows


def floor(path: str) -> list[dict]:
    phase = Phases()
    csv = phase("imports", lambda: __import__("pyarrow.csv").csv)
    phase("read_csv", lambda: csv.read_csv(path))
    return phase.rows


def main(argv: list[str]) -> int:
    which, path, as_of, out = argv
    rows = command(path, as_of) if which == "command" else floor(path)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(rows, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
