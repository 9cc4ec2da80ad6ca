"""A small statistical text model next to the lexicons: TF-IDF over word stems + a linear model per cause.

Where the lexicons stop (a buyer's own phrasing, misspellings, "comprei dois e veio um"), a linear model
trained on the development halves of the labelled sets (``tests/diagnosis``) reads the text. Its inputs:

* the text, normalised as for the lexicons (lower case, no accents), each word cut to a 5-letter stem
  ("quebrado", "quebrada", "quebrou" -> "quebr"), CJK characters as single tokens; unigrams and bigrams
  of those tokens, TF-IDF weighted. Word stems instead of character n-grams: the same generalisation over
  inflections at a quarter of the cost (100k texts: ~2 s instead of ~10 s on the 2-core machine);
* the lexicon's own verdict per cause (one 0/1 feature each): the model learns how far to trust a phrase
  hit, and an analyst's extra lexicon still counts.

The model ships as data (``text_model.json``: vocabulary, idf, coefficients, intercepts, thresholds), not
as a pickle; ``load_model`` rebuilds the vectoriser from it. ``train`` makes that dict (scikit-learn's
LogisticRegression, one per cause); ``scripts/train_text_model.py`` runs it on the development halves.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .policy import HERE

MODEL_FILE = HERE / "text_model.json"
STEM = 5
_CJK = r"([\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f])"
TOKEN_PATTERN = r"(?u)\b\w+\b"


def stems(norm: pd.Series) -> pd.Series:
    """Normalised texts -> space-separated stem tokens (vectorised str.replace)."""
    s = norm.astype("string").str.replace(_CJK, r" \1 ", regex=True)
    s = s.str.replace(r"\d+", " 0 ", regex=True)  # any number is one token
    return s.str.replace(r"\b(\w{%d})\w+" % STEM, r"\1", regex=True).fillna("")


def _vectorizer(vocabulary=None, idf=None):
    from sklearn.feature_extraction.text import TfidfVectorizer
    v = TfidfVectorizer(token_pattern=TOKEN_PATTERN, ngram_range=(1, 2), sublinear_tf=True, lowercase=False,
                        min_df=2, vocabulary=vocabulary, dtype=np.float32)
    if idf is not None:
        v.idf_ = np.asarray(idf, dtype=np.float64)
    return v


class TextModel:
    """Rebuilt from the shipped dict: ``proba(stemmed, lexicon_hits)`` -> (n, causes) probabilities."""

    def __init__(self, data: dict):
        self.causes = list(data["causes"])
        vocab = {t: i for i, t in enumerate(data["vocabulary"])}
        self.vectorizer = _vectorizer(vocab, data["idf"])
        self.coef = np.asarray(data["coef"], dtype=np.float32)          # causes x (terms + lexicon)
        self.intercept = np.asarray(data["intercept"], dtype=np.float32)
        self.threshold = np.asarray(data["threshold"], dtype=np.float32)
        self.lexicon_weight = float(data.get("lexicon_scale", 1.0))

    def proba(self, stemmed: pd.Series, lexicon_hits: np.ndarray) -> np.ndarray:
        X = self.vectorizer.transform(stemmed.tolist())
        n_terms = X.shape[1]
        z = X @ self.coef[:, :n_terms].T + (lexicon_hits.astype(np.float32) * self.lexicon_weight) \
            @ self.coef[:, n_terms:].T + self.intercept
        return 1.0 / (1.0 + np.exp(-np.asarray(z)))


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> TextModel | None:
    """The packaged model (None when the file is absent: the lexicons then decide alone)."""
    p = Path(path) if path else MODEL_FILE
    if not p.is_file():
        return None
    return TextModel(json.loads(p.read_text(encoding="utf-8")))


def train(stemmed: pd.Series, labels: np.ndarray, lexicon_hits: np.ndarray, causes, *, C: float = 4.0,
          lexicon_scale: float = 3.0, thresholds=None) -> dict:
    """Fit one L2 logistic regression per cause on stem TF-IDF + lexicon verdicts; return the shippable dict.

    ``labels``/``lexicon_hits``: (n, causes) 0/1 arrays in ``causes`` order (terms seen in >= 2 texts)."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression
    v = _vectorizer()
    X = v.fit_transform(stemmed.tolist())
    L = sparse.csr_matrix(lexicon_hits.astype(np.float32) * lexicon_scale)
    XL = sparse.hstack([X, L]).tocsr()
    coefs, intercepts = [], []
    for j, _ in enumerate(causes):
        y = labels[:, j].astype(int)
        if y.min() == y.max():  # a cause absent from the data: never predicted by the model
            coefs.append(np.zeros(XL.shape[1]))
            intercepts.append(-10.0 if y.max() == 0 else 10.0)
            continue
        m = LogisticRegression(C=C, max_iter=2000).fit(XL, y)
        coefs.append(m.coef_[0])
        intercepts.append(float(m.intercept_[0]))
    coef = np.vstack(coefs)
    inv = {i: t for t, i in v.vocabulary_.items()}
    return {"causes": list(causes), "vocabulary": [inv[i] for i in range(len(inv))],
            "idf": np.round(v.idf_, 5).tolist(), "coef": np.round(coef, 5).tolist(),
            "intercept": np.round(intercepts, 5).tolist(),
            "threshold": list(thresholds) if thresholds is not None else [0.5] * len(causes),
            "lexicon_scale": lexicon_scale, "stem": STEM}
