"""Time the text classifier (lexicons + model) on N distinct buyer texts.

    python benchmarks/text_speed.py            # 100,000 distinct texts (the issue's figure: a few seconds)
    python benchmarks/text_speed.py --n 20000

Texts: the generator's English feedback/claim/return sentences of a 20,000-order sample mixed with the
multilingual buyer texts of tests/diagnosis/buyer_texts.csv, each made distinct by an order number suffix
(so the per-distinct-text cache does not help).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from reinstate.diagnosis.text import classify_detail
from reinstate.sample import generate_sample

ROOT = Path(__file__).resolve().parents[1]


def texts(n: int) -> pd.Series:
    t = generate_sample(orders=20000, seed=3).tables
    pool = pd.concat([t["feedback"]["feedback_text"], t["returns"]["comment"] if "comment" in t["returns"] else
                      pd.Series(dtype="string"),
                      pd.read_csv(ROOT / "tests" / "diagnosis" / "buyer_texts.csv")["text"]]).dropna().astype(str)
    pool = pool[pool.str.strip() != ""].to_numpy()
    rng = np.random.default_rng(0)
    picked = rng.choice(pool, n)
    return pd.Series([f"{s} (order {i})" for i, s in enumerate(picked)], dtype="string")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--languages", default="en;de,en;en,pt;de,en,es,fr,it,ja,pt",
                    help="language sets to time, ';'-separated (default: en; de+en; en+pt; all)")
    args = ap.parse_args(argv)
    s = texts(args.n)
    # A marketplace's texts are read with its language(s) plus English (policy marketplace_languages).
    for langs in (x.split(",") for x in args.languages.split(";")):
        for label, model in (("lexicons only", False), ("lexicons + model", True)):
            classify_detail(s.head(100), languages=langs, model=model)  # warm the compiled-regex/model caches
            t0 = time.perf_counter()
            tags, _ = classify_detail(s, languages=langs, model=model)
            secs = time.perf_counter() - t0
            print(f"{'+'.join(langs)} {label}: {args.n} distinct texts in {secs:.2f} s "
                  f"({int(tags.any(axis=1).sum())} tagged)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
