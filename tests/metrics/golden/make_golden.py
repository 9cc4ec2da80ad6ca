"""Write the golden metric results that tests/metrics/test_engine_identity.py compares against.

They were produced once by the pandas/numpy rule code that the engine replaced (commit 6c0b27c, before the
engine existed), so the engine is compared with that implementation's output, row for row. Re-running this
script with today's code would only echo the engine; do not, unless a rule is meant to change.

    PYTHONPATH=src python tests/metrics/golden/make_golden.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))


def datasets():
    """name -> (Dataset, as_of days). The bundled sample; a generated two-marketplace set (US + DE, so two time
    zones and DST); the same generated orders spread over 200 accounts."""
    from bench_data import spread_accounts

    from reinstate import load
    from reinstate.dataset import Dataset
    from reinstate.sample import generate_sample
    from reinstate.sample.write import write_sample

    out = {"sample": (load(ROOT / "data" / "sample"), ["2026-11-16", "2026-10-01", "2026-09-10"])}
    tmp = Path(tempfile.mkdtemp())
    us = generate_sample(orders=4000, days=180, seed=8, end="2026-03-20", account="us-seller", marketplace="US")
    de = generate_sample(orders=2000, days=180, seed=9, end="2026-03-20", account="de-seller", marketplace="DE")
    write_sample(us, tmp / "us")
    write_sample(de, tmp / "de")
    gen = load([tmp / "us", tmp / "de"])
    out["generated"] = (gen, ["2026-03-21", "2026-03-29", "2025-11-02"])
    orders, messages = spread_accounts(gen.orders, gen.messages, 200)
    multi = Dataset(orders=orders, messages=messages)
    out["multi"] = (multi, ["2026-03-21"])
    return out


def main() -> None:
    from reinstate.metrics.flags import order_flags
    from reinstate.metrics.health import account_health
    from reinstate.metrics.rules import ALL_METRICS
    from reinstate.metrics.trend import metric_trend

    for name, (data, days) in datasets().items():
        if name != "multi":  # the inputs, as loaded then (canonical tables), so loader changes do not move them
            data.orders.to_parquet(HERE / f"orders_{name}.parquet")
            data.messages.to_parquet(HERE / f"messages_{name}.parquet")
        for day in days:
            account_health(data, as_of=day).to_parquet(HERE / f"health_{name}_{day}.parquet")
        if name != "multi":
            order_flags(data.orders, as_of=days[0]).to_parquet(HERE / f"flags_{name}_{days[0]}.parquet")
            metric_trend(data, metric=ALL_METRICS, end=days[0], days=45).to_parquet(
                HERE / f"trend_{name}_{days[0]}.parquet")
        print(name, "done")


if __name__ == "__main__":
    main()
