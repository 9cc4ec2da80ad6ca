"""The statistical text model: hashed character + word n-grams and one logistic regression per cause.

Inputs (``features.py``): the text normalised as for the lexicons (lower case, no accents, so "nao" and
"não" are one word), character 2-5-grams across word gaps ("o rec", "quebr", "ebrad": inflections,
misspellings and short phrases) and word 1-2-grams, hashed into ``2**bits`` columns, each text scaled by
1/sqrt(its n-gram count). Optionally the lexicons' own verdicts are extra 0/1 columns (training decides,
by cross-validation, whether they help).

A cause is tagged when its probability reaches its threshold (chosen by cross-validation on development
data, ``scripts/train_text_model.py``); ``other`` only when no specific cause is tagged.

Two optional inputs and one optional output (present when training chose them):
- the buyer's star rating of a feedback text (1-5, one 0/1 column per star; a claim, a return comment or an
  unrated text has none): "Maravilhoso" at 5 stars is praise, "estou chateada" at 1 star a complaint;
- a ``complaint`` output, "does this text complain at all": ``other`` (a complaint with no specific cause)
  is then decided by it, and a text whose complaint probability is below ``floor`` gets no tag.

The model ships as data (``text_model.npz``: the hashed columns seen in training, their weights per cause,
intercepts, thresholds and the feature settings; loaded with ``allow_pickle=False``). ``train`` makes it
with scikit-learn; inference is a sparse-dense product in numpy/scipy.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .features import feature_matrix, hashed_blocks, row_scale
from .policy import HERE

MODEL_FILE = HERE / "text_model.npz"
BITS = 18
CHARS = (2, 3, 4, 5)
WORDS = (1, 2)


class TextModel:
    """Rebuilt from the shipped arrays: ``proba(normalised_texts, lexicon_hits)`` -> (n, causes)."""

    def __init__(self, data: dict):
        self.causes = [str(c) for c in data["causes"]]
        self.bits = int(data["bits"])
        self.chars = tuple(int(n) for n in data["chars"])
        self.words = tuple(int(n) for n in data["words"])
        self.weights = np.zeros((2 ** self.bits, len(self.causes)), dtype=np.float32)
        self.weights[np.asarray(data["rows"], dtype=np.int64)] = np.asarray(data["coef"], dtype=np.float32)
        self.intercept = np.asarray(data["intercept"], dtype=np.float32)
        self.threshold = np.asarray(data["threshold"], dtype=np.float32)
        lex = np.asarray(data.get("lexicon_coef", np.zeros((0, 0))), dtype=np.float32)
        self.lexicon_coef = lex if lex.size else None   # (lexicon causes, causes) when the verdicts are inputs
        stars = np.asarray(data.get("rating_coef", np.zeros((0, 0))), dtype=np.float32)
        self.rating_coef = stars if stars.size else None  # (5 stars, causes) when the rating is an input
        self.floor = float(data.get("floor", 0.0))         # complaint probability below which nothing is tagged
        self.margin = float(data.get("margin", 0.0))       # log-odds: a complaint's near-sure cause replaces other

    @property
    def uses_lexicon(self) -> bool:
        return self.lexicon_coef is not None

    def logits(self, norm: pd.Series, stars: np.ndarray | None = None) -> np.ndarray:
        """(n, causes) log-odds from the n-grams, the star ratings (``stars``: (n, 5) 0/1, see
        ``star_columns``) and the intercept (without the lexicon verdicts)."""
        blocks = hashed_blocks(norm, bits=self.bits, chars=self.chars, words=self.words)
        z = blocks[0] @ self.weights
        for b in blocks[1:]:
            z += b @ self.weights
        z *= row_scale(blocks)[:, None]
        if self.rating_coef is not None and stars is not None:
            z += stars.astype(np.float32) @ self.rating_coef
        return z + self.intercept

    def proba(self, norm: pd.Series, lexicon_hits: np.ndarray | None = None,
              stars: np.ndarray | None = None) -> np.ndarray:
        """(n, causes) probabilities; ``lexicon_hits`` (n, causes) when the model takes the lexicon verdicts."""
        z = self.logits(norm, stars)
        if self.uses_lexicon:
            z += lexicon_hits.astype(np.float32) @ self.lexicon_coef
        return 1.0 / (1.0 + np.exp(-z))


def star_columns(ratings) -> np.ndarray:
    """(n, 5) 0/1: column k-1 is set when the rating is k stars (1-5); no rating or another value: all 0."""
    r = pd.to_numeric(pd.Series(ratings), errors="coerce").to_numpy(dtype=float)
    return np.stack([r == k for k in range(1, 6)], axis=1).astype(np.float32)


def save(model: dict, path: Path) -> None:
    """Write the model dict as a compressed .npz (plain arrays only: no pickle)."""
    np.savez_compressed(path, **{k: np.asarray(v) for k, v in model.items()})


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> TextModel | None:
    """The packaged model (None when the file is absent: the lexicons then decide alone)."""
    p = Path(path) if path else MODEL_FILE
    if not p.is_file():
        return None
    with np.load(p, allow_pickle=False) as f:
        return TextModel({k: f[k] for k in f.files})


def train(norm: pd.Series, labels: np.ndarray, lexicon_hits: np.ndarray | None, causes, *, C: float = 16.0,
          balanced: bool = False, thresholds=None, bits: int = BITS, chars=CHARS, words=WORDS,
          sample_weight: np.ndarray | None = None, stars: np.ndarray | None = None, floor: float = 0.0,
          margin: float = 0.0) -> dict:
    """Fit one L2 logistic regression per cause; return the shippable dict of arrays.

    ``labels``: (n, causes) 0/1; ``lexicon_hits``: (n, causes) lexicon verdicts used as inputs, or None;
    ``stars``: (n, 5) star columns (``star_columns``) used as inputs, or None. A cause named ``complaint``
    is the "complains at all" output (see the module docstring); ``floor`` its no-tag cut-off; ``margin`` the
    log-odds within which a complaint's best cause is tagged instead of ``other`` (``text.tags_from_scores``)."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression
    X = feature_matrix(norm, bits=bits, chars=chars, words=words).tocsc()
    used = np.flatnonzero(np.diff(X.indptr))          # hashed columns seen in training
    X = X[:, used]
    if lexicon_hits is not None:
        X = sparse.hstack([X, sparse.csr_matrix(lexicon_hits.astype(np.float32))]).tocsr()
    if stars is not None:
        X = sparse.hstack([X, sparse.csr_matrix(stars.astype(np.float32))]).tocsr()
    coefs, intercepts = [], []
    for j, _ in enumerate(causes):
        y = labels[:, j].astype(int)
        if y.min() == y.max():  # a cause absent from the data: never predicted by the model
            coefs.append(np.zeros(X.shape[1]))
            intercepts.append(-10.0 if y.max() == 0 else 10.0)
            continue
        m = LogisticRegression(C=C, max_iter=3000, class_weight="balanced" if balanced else None) \
            .fit(X, y, sample_weight=sample_weight)
        coefs.append(m.coef_[0])
        intercepts.append(float(m.intercept_[0]))
    coef = np.vstack(coefs).T.astype(np.float32)       # features x causes
    k = len(used)
    n_lex = lexicon_hits.shape[1] if lexicon_hits is not None else 0
    return {"causes": np.array(list(causes)), "bits": bits, "chars": np.array(chars), "words": np.array(words),
            "rows": used.astype(np.int32), "coef": coef[:k],
            "lexicon_coef": coef[k:k + n_lex] if lexicon_hits is not None else np.zeros((0, 0), np.float32),
            "rating_coef": coef[k + n_lex:] if stars is not None else np.zeros((0, 0), np.float32),
            "floor": np.float32(floor), "margin": np.float32(margin),
            "intercept": np.array(intercepts, dtype=np.float32),
            "threshold": np.array(thresholds if thresholds is not None else [0.5] * len(causes), np.float32)}
