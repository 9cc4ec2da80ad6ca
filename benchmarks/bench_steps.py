"""The measured steps. Each runs in a fresh process started by run.py (``run.py --worker STEP ...``).

A step has an untimed ``setup`` (imports, reading its cached input) and a timed body. The worker reports the
body's wall and CPU seconds and the process's peak RSS (``ru_maxrss``), which includes the setup: for the
metric steps that is the loaded Dataset they work on, which a user's process holds as well.
"""
from __future__ import annotations

import glob
import os
import statistics
import tempfile
import time
from pathlib import Path

import bench_data

ROOT = bench_data.ROOT


def _files(folder: Path, suffix: str) -> list[Path]:
    return sorted(Path(p) for p in glob.glob(str(folder / f"*{suffix}")))


# ------------------------------------------------------------------------------------------------ steps
# Each returns (setup, body): setup() -> state, body(state) -> dict of extra facts (rows, counts).

def csv_floor(folder: Path):
    """The floor: pyarrow.csv.read_csv of every CSV file of the data set, default options (threads on)."""
    import pyarrow.csv as pacsv

    def body(_):
        rows = sum(pacsv.read_csv(p).num_rows for p in _files(folder / "csv", ".csv"))
        return {"rows": rows}
    return (lambda: None), body


def parquet_floor(folder: Path):
    """The floor: pyarrow.parquet.read_table of every Parquet file of the data set."""
    import pyarrow.parquet as pq

    def body(_):
        rows = sum(pq.read_table(p).num_rows for p in _files(folder / "parquet", ".parquet"))
        return {"rows": rows}
    return (lambda: None), body


def _loaded(data) -> dict:
    return {"rows": int(len(data.orders)), "rejected": int(len(data.rejects))}


def load_csv(folder: Path):
    """reinstate.load of the CSV folder: read, sniff, map, coerce, validate, join."""
    from reinstate.io.load import load  # imported here, outside the timed body, like the floor's pyarrow
    return (lambda: None), (lambda _: _loaded(load(folder / "csv")))


def load_parquet(folder: Path):
    """reinstate.load of the Parquet folder."""
    from reinstate.io.load import load
    return (lambda: None), (lambda _: _loaded(load(folder / "parquet")))


def metrics(folder: Path, sub: str = "prepared"):
    """account_health (every metric, every channel and window) for one as_of on the loaded data."""
    from reinstate.metrics.health import account_health
    as_of = bench_data.as_of(folder)

    def body(data):
        out = account_health(data, as_of=as_of)
        return {"rows": int(len(data.orders)), "accounts": int(data.orders["account"].nunique()),
                "result_rows": int(len(out))}
    return (lambda: bench_data.read_prepared(folder, sub)), body


def metrics_1000_accounts(folder: Path):
    """account_health on the same rows spread over 1,000 accounts (one frame)."""
    return metrics(folder, "multi")


def trend(folder: Path):
    """metric_trend of every metric: 90 daily as_of values ending at the data's as_of."""
    from reinstate.metrics.rules import ALL_METRICS
    from reinstate.metrics.trend import metric_trend
    as_of = bench_data.as_of(folder)

    def body(data):
        out = metric_trend(data, metric=list(ALL_METRICS), end=as_of, days=90)
        return {"rows": int(len(data.orders)), "result_rows": int(len(out))}
    return (lambda: bench_data.read_prepared(folder)), body


def diagnosis(folder: Path):
    """reinstate.diagnose for the data's as_of."""
    from reinstate.diagnosis.engine import diagnose
    as_of = bench_data.as_of(folder)

    def body(data):
        dx = diagnose(data, as_of=as_of)
        return {"rows": int(len(data.orders)), "defects": int(dx.defects_total),
                "hypotheses": int(len(dx.hypotheses))}
    return (lambda: bench_data.read_prepared(folder)), body


def load_csv_metrics(folder: Path):
    """The target: load+validate the CSV folder and compute all metrics, as a user's first call would."""
    from reinstate.io.load import load
    from reinstate.metrics.health import account_health
    as_of = bench_data.as_of(folder)

    def body(_):
        data = load(folder / "csv")
        out = account_health(data, as_of=as_of)
        return {"rows": int(len(data.orders)), "result_rows": int(len(out))}
    return (lambda: None), body


def _sequence(data, as_of, through_analysis: bool) -> dict:
    """What the demo and notebook 02/03 ask for: health, the ODR drill-down, a 90-day trend of every metric,
    the recovery forecast, removable defects, the diagnosis and the ODR letter's argument."""
    from reinstate.analysis import Analysis
    from reinstate.appeal.pipeline import argue
    from reinstate.appeal.registry import get_template
    from reinstate.diagnosis.engine import diagnose
    from reinstate.metrics.forecast import recovery_forecast
    from reinstate.metrics.health import account_health, drilldown
    from reinstate.metrics.removable import removable_defects
    from reinstate.metrics.rules import ALL_METRICS
    from reinstate.metrics.trend import metric_trend

    if through_analysis:
        a = Analysis(data, as_of=as_of)
        a.health(), a.drilldown("order_defect_rate", channel="MFN"), a.trend(metric=list(ALL_METRICS), days=90)
        a.forecast(channel="MFN"), a.removable()
        att, _ = a.argue("odr")
    else:
        health = account_health(data, as_of=as_of)
        drilldown(data, as_of=as_of, metric="order_defect_rate", channel="MFN")
        metric_trend(data, metric=list(ALL_METRICS), end=as_of, days=90)
        recovery_forecast(data, as_of=as_of, channel="MFN"), removable_defects(data, as_of=as_of)
        att, _ = argue(data, get_template("odr"), health=health, diagnosis=diagnose(data, as_of=as_of), as_of=as_of)
    return {"rows": int(len(data.orders)), "argued_orders": int(att.defective_orders) if att else 0}


def sequence_direct(folder: Path):
    """The demo-like sequence with each stage function called on its own (each computes its own facts)."""
    as_of = bench_data.as_of(folder)
    return (lambda: bench_data.read_prepared(folder)), (lambda data: _sequence(data, as_of, False))


def sequence_analysis(folder: Path):
    """The same sequence through one reinstate.Analysis (per-order facts computed once, shared)."""
    as_of = bench_data.as_of(folder)
    return (lambda: bench_data.read_prepared(folder)), (lambda data: _sequence(data, as_of, True))


SIZE_STEPS = {
    "csv_floor": csv_floor,
    "parquet_floor": parquet_floor,
    "load_csv": load_csv,
    "load_parquet": load_parquet,
    "metrics": metrics,
    "trend": trend,
    "diagnosis": diagnosis,
    "load_csv_metrics": load_csv_metrics,
    "metrics_1000_accounts": metrics_1000_accounts,
    "sequence_direct": sequence_direct,
    "sequence_analysis": sequence_analysis,
}


# ------------------------------------------------------------------------------------------ sample-level
def notebooks(_folder=None, *, timeout: int = 600):
    """Run notebooks/0*.ipynb top to bottom with papermill (on the bundled sample, their default)."""
    def body(_):
        import papermill as pm
        paths = sorted((ROOT / "notebooks").glob("0*.ipynb"))
        out_dir = Path(tempfile.mkdtemp(prefix="bench-notebooks-"))
        per = {}
        for path in paths:
            start = time.perf_counter()
            pm.execute_notebook(str(path), str(out_dir / path.name), cwd=str(path.parent), progress_bar=False,
                                kernel_name="python3", execution_timeout=timeout, log_output=False)
            per[path.name] = round(time.perf_counter() - start, 3)
        return {"notebooks": per, "count": len(per)}
    return (lambda: None), body


def preview(_folder=None, *, repeat: int = 21):
    """AppealBuilder on the bundled sample: time one preview re-render (a seller field edited), median of N."""
    def setup():
        import reinstate
        from reinstate import session
        from reinstate.ui import AppealBuilder
        data = reinstate.load(session.data_dir(None))
        out = tempfile.mkdtemp(prefix="bench-preview-")
        app = AppealBuilder(data, as_of=session.default_as_of(None), out_dir=out)
        # Fill the seller fields as an analyst would, so the letter renders in full (a missing required
        # field short-circuits the render and would time an error message).
        for name, widget in {**app.w_seller, **app.w_extra}.items():
            if not widget.value:
                widget.value = f"Example {name.replace('_', ' ')}"
        return app

    def body(app):
        name, widget = next(iter(app.w_seller.items()))
        times, cpu = [], []
        for i in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            widget.value = f"Bench Seller {i}"   # the observer re-renders, lints and saves the draft
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        return {"median_seconds": statistics.median(times), "median_cpu_seconds": statistics.median(cpu),
                "min_seconds": min(times), "repeat": repeat, "field": name, "letter_chars": len(app.letter),
                "render_error": app.render_error}
    return setup, body


SAMPLE_STEPS = {"notebooks": notebooks, "preview": preview}


def warm_up(step: str) -> None:
    """Run the step's library calls once on the bundled sample (untimed), so lazy imports and one-off policy
    loading are not counted: the timings are the steady state an analyst sees from the second call on."""
    if step in ("csv_floor", "parquet_floor"):
        return
    from reinstate import session
    from reinstate.io.load import load
    data = load(session.data_dir(None))
    as_of = session.default_as_of(None)
    if step in ("metrics", "metrics_1000_accounts", "load_csv_metrics"):
        from reinstate.metrics.health import account_health
        account_health(data, as_of=as_of)
    elif step == "trend":
        from reinstate.metrics.rules import ALL_METRICS
        from reinstate.metrics.trend import metric_trend
        metric_trend(data, metric=list(ALL_METRICS), end=as_of, days=90)
    elif step == "diagnosis":
        from reinstate.diagnosis.engine import diagnose
        diagnose(data, as_of=as_of)
    elif step in ("sequence_direct", "sequence_analysis"):
        _sequence(data, as_of, step == "sequence_analysis")


def run_worker(step: str, folder: str | None) -> dict:
    """Run one step in this process; returns the measurements (peak RSS is read by the parent too)."""
    import resource
    factory = SIZE_STEPS.get(step) or SAMPLE_STEPS[step]
    setup, body = factory(Path(folder)) if folder else factory()
    if step in SIZE_STEPS:
        warm_up(step)
    state = setup()
    setup_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    def children_cpu():  # kernels started by papermill are child processes: count their CPU too
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime

    wall0, cpu0, kids0 = time.perf_counter(), time.process_time(), children_cpu()
    extra = body(state)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0 + children_cpu() - kids0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": wall, "cpu_seconds": cpu, "setup_rss_mb": setup_rss / 1024, "peak_rss_mb": peak / 1024,
            "pid": os.getpid(), **extra}
