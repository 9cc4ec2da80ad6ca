"""Train the text model (src/reinstate/diagnosis/text_model.json) on the DEVELOPMENT halves only.

    python scripts/train_text_model.py          # 5-fold cross-validation over a small grid, then fit and write
    python scripts/train_text_model.py --cv     # only print the cross-validated grid

Data: tests/diagnosis/labelled_texts.csv (all of it, a development set), olist_labelled.csv (development),
the "dev" rows of olist_reviews_labelled.csv (texts from ../shared/data/olist-sample) and of buyer_texts.csv.
The held-out halves are never read here. Hyper-parameters (C, lexicon weight) are chosen by cross-validated
exact-set accuracy on the development data.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from text_quality import LABELS, labelled, norm

from reinstate.diagnosis import model as tm
from reinstate.diagnosis.text import (
    TEXT_CAUSES,
    compile_causes,
    lexicon_counts,
    normalize,
)


def dev_data() -> pd.DataFrame:
    sets = labelled("dev")
    if "pt-olist" not in sets:
        sys.exit("train_text_model: ../shared/data/olist-sample not found (the Olist review texts are needed)")
    parts = [f.assign(set=name) for name, f in sets.items()]
    lt = pd.read_csv(LABELS / "labelled_texts.csv", keep_default_na=False)
    parts.append(lt.assign(set="labelled_texts"))
    d = pd.concat(parts, ignore_index=True)
    return d[d["text"].str.strip() != ""].reset_index(drop=True)


def features(d: pd.DataFrame):
    nrm = normalize(d["text"]).astype(object)
    lex = np.zeros((len(d), len(TEXT_CAUSES)), dtype=bool)
    for lang, idx in d.groupby("language").groups.items():
        compiled = compile_causes(tuple(sorted({lang, "en"})), ())
        lex[idx] = lexicon_counts(nrm.loc[idx].reset_index(drop=True), compiled)
    y = np.array([[c in norm(s).split(";") for c in TEXT_CAUSES] for s in d["labels"]], dtype=int)
    return tm.stems(nrm), lex, y


def predict(model: dict, stemmed, lex) -> np.ndarray:
    m = tm.TextModel(model)
    final = m.proba(stemmed, lex) >= m.threshold
    k = TEXT_CAUSES.index("other")
    final[:, k] &= ~np.delete(final, k, axis=1).any(axis=1)
    return final


def oof_proba(d, stemmed, lex, y, C, scale, folds=5) -> np.ndarray:
    """Out-of-fold probabilities (5-fold, fixed shuffle) for every development text."""
    fold = np.arange(len(d)) % folds
    rng = np.random.default_rng(12)
    rng.shuffle(fold)
    out = np.zeros(y.shape)
    for f in range(folds):
        tr, te = fold != f, fold == f
        m = tm.train(stemmed[tr].reset_index(drop=True), y[tr], lex[tr], TEXT_CAUSES, C=C, lexicon_scale=scale)
        out[te] = tm.TextModel(m).proba(stemmed[te].reset_index(drop=True), lex[te])
    return out


def exact(proba, y, thresholds) -> float:
    final = proba >= np.asarray(thresholds)
    k = TEXT_CAUSES.index("other")
    final[:, k] &= ~np.delete(final, k, axis=1).any(axis=1)
    return float((final == y.astype(bool)).all(axis=1).mean())


def cv(d, stemmed, lex, y, C, scale, folds=5) -> float:
    return exact(oof_proba(d, stemmed, lex, y, C, scale, folds), y, [0.5] * len(TEXT_CAUSES))


def tune_thresholds(proba, y) -> list[float]:
    """Per-cause thresholds by coordinate ascent on out-of-fold exact accuracy (two passes, grid 0.25..0.6)."""
    th = [0.5] * len(TEXT_CAUSES)
    for _ in range(2):
        for j in range(len(TEXT_CAUSES)):
            best = max(np.arange(0.25, 0.61, 0.05), key=lambda t: (exact(proba, y, th[:j] + [t] + th[j + 1:]),
                                                                   -abs(t - 0.5)))
            th[j] = round(float(best), 2)
    return th


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv", action="store_true")
    args = ap.parse_args(argv)
    d = dev_data()
    stemmed, lex, y = features(d)
    print(f"development texts: {len(d)}; lexicon alone, exact: {(lex == y.astype(bool)).all(axis=1).mean():.3f}")
    best = None
    for C in (1.0, 4.0, 16.0):
        for scale in (1.0, 3.0):
            acc = cv(d, stemmed, lex, y, C, scale)
            print(f"C={C:>4} lexicon_scale={scale}: cross-validated exact {acc:.3f}")
            if best is None or acc > best[0]:
                best = (acc, C, scale)
    if args.cv:
        return 0
    _, C, scale = best
    proba = oof_proba(d, stemmed, lex, y, C, scale)
    th = tune_thresholds(proba, y)
    print(f"per-cause thresholds {dict(zip(TEXT_CAUSES, th))}: out-of-fold exact {exact(proba, y, th):.3f} "
          f"(thresholds chosen on these same folds, so slightly optimistic)")
    for j, c in enumerate(TEXT_CAUSES):
        has = y[:, j] == 1
        if has.any():
            print(f"  {c}: out-of-fold recall {int((proba[has, j] >= th[j]).sum())}/{int(has.sum())}")
    model = tm.train(stemmed, y, lex, TEXT_CAUSES, C=C, lexicon_scale=scale, thresholds=th)
    tm.MODEL_FILE.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {tm.MODEL_FILE} (C={C}, lexicon_scale={scale}, {len(model['vocabulary'])} terms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
