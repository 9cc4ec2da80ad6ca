"""Hashed character and word n-gram features of buyer texts, computed in numpy (no Python loop per text).

``hashed_blocks(texts, bits)`` turns normalised texts (lower case, no accents: ``text.normalize``) into
sparse 0/1 count blocks over ``2**bits`` hashed columns, the way scikit-learn's HashingVectorizer does with
``analyzer="char"`` and ``analyzer="word"``, but vectorised over all texts at once:

* each text is cleaned (anything that is not a letter or digit becomes one space, digit runs become "0"),
  padded with a space and all texts are laid end to end in one array of code points;
* a polynomial hash of every substring comes from one prefix sum (modulo 2**64, numpy's wrapping uint64
  arithmetic; the multiplier is odd so it has an inverse): hash[a:b] = (G[b] - G[a]) * P**b;
* character n-grams are every window of ``n`` characters not crossing two texts (``char_ngrams``);
  words are the runs between spaces, bigrams two neighbouring words (``word_ngrams``);
* each hash is salted with its kind and length, mixed (murmur3 finaliser) and cut to ``bits`` bits.

Why not scikit-learn's vectorisers: their analysers run in Python per text and per n-gram (~10 s for 100k
texts with char 2-5); this takes well under a second and gives the same kind of features. The mapping is
fixed by the constants below, so a model trained on it (``model.py``) ships as a plain array of weights.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

P = np.uint64(0x100000001B3)            # FNV prime: odd, so invertible modulo 2**64
P_INV = np.uint64(pow(int(P), -1, 2 ** 64))
_SPACE, _SEP = 32, 1                    # code points: word gap, end of a text
_M1, _M2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)


def clean(norm: pd.Series) -> list[str]:
    """Normalised texts -> words of letters/digits separated by single spaces, digit runs as "0".
    (RE2 through pyarrow's compute kernels: all texts in one C++ pass instead of a Python call per text.)"""
    import pyarrow as pa
    import pyarrow.compute as pc
    arr = pa.array(norm.astype(object).where(norm.notna(), "").tolist(), type=pa.large_string())
    arr = pc.replace_substring_regex(arr, r"\p{Nd}+", "0")
    arr = pc.replace_substring_regex(arr, r"[^\p{L}\p{N}]+", " ")
    return pc.utf8_trim_whitespace(arr).to_pylist()


def _mix(h: np.ndarray, salt: int, bits: int) -> np.ndarray:
    """Salt, scramble (multiply-xorshift-multiply) and keep the top ``bits`` bits (in place on ``h``)."""
    h += np.uint64(salt * 0x9E3779B97F4A7C15 % 2 ** 64)
    h *= _M1
    h ^= h >> np.uint64(32)
    h *= _M2
    h >>= np.uint64(64 - bits)
    return h.astype(np.int32)


class _Laid:
    """All texts laid end to end (" t1 \\x01 t2 \\x01 ..."), with prefix hashes and row numbers."""

    def __init__(self, cleaned: list[str]):
        body = "".join(f" {t} \x01" for t in cleaned)
        self.c = np.frombuffer(body.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        n = len(self.c)
        with np.errstate(over="ignore"):
            inv = np.full(n, P_INV, dtype=np.uint64)
            inv[0] = 1
            inv = np.cumprod(inv)                                    # P**-i
            self.g = np.concatenate([[np.uint64(0)], np.cumsum(self.c * inv)])  # G[i] = sum c[j] P**-j, j < i
            pw = np.full(n + 1, P, dtype=np.uint64)
            pw[0] = 1
            self.pw = np.cumprod(pw)                                  # P**i
        sep = self.c == _SEP
        self.sepcum = np.concatenate([[0], np.cumsum(sep)])
        self.row = self.sepcum[:-1]                                   # text number of every position
        # characters from each position to the end of its text (the next separator)
        ends = np.flatnonzero(sep)
        self.room = ends[self.row] - np.arange(n) if len(ends) else np.zeros(0, dtype=np.int64)
        self.n_rows = len(cleaned)

    def hash(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return (self.g[b] - self.g[a]) * self.pw[b]


def _block(rows: np.ndarray, cols: np.ndarray, n_rows: int, bits: int) -> sparse.csr_matrix:
    """rows ascending -> CSR without a conversion (duplicates are kept; products add them)."""
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    data = np.ones(len(cols), dtype=np.float32)
    return sparse.csr_matrix((data, cols, indptr), shape=(n_rows, 2 ** bits))


def char_ngrams(laid: _Laid, n: int, bits: int) -> sparse.csr_matrix:
    m = len(laid.c) - n + 1
    with np.errstate(over="ignore"):
        h = laid.g[n:] - laid.g[:m]          # hash of the window starting at every position (slices: no gather)
        h *= laid.pw[n:]
    ok = laid.room[:m] >= n                  # the window ends before its text's separator
    if n == 1:
        ok &= laid.c[:m] != _SPACE
    return _block(laid.row[:m][ok], _mix(h[ok], 100 + n, bits), laid.n_rows, bits)


def word_ngrams(laid: _Laid, n: int, bits: int) -> sparse.csr_matrix:
    c = laid.c
    word = (c != _SPACE) & (c != _SEP)
    prev = np.concatenate([[False], word[:-1]])
    nxt = np.concatenate([word[1:], [False]])
    starts = np.flatnonzero(word & ~prev)
    ends = np.flatnonzero(word & ~nxt) + 1
    a, b = starts[: len(starts) - n + 1], ends[n - 1:]
    ok = laid.sepcum[b] == laid.sepcum[a]
    a, b = a[ok], b[ok]
    return _block(laid.row[a], _mix(laid.hash(a, b), 200 + n, bits), laid.n_rows, bits)


def hashed_blocks(norm: pd.Series, *, bits: int, chars=(2, 3, 4, 5), words=(1, 2)) -> list[sparse.csr_matrix]:
    """One sparse count block per n-gram kind for normalised texts (see the module docstring)."""
    laid = _Laid(clean(norm))
    return [char_ngrams(laid, n, bits) for n in chars] + [word_ngrams(laid, n, bits) for n in words]


def row_scale(blocks: list[sparse.csr_matrix]) -> np.ndarray:
    """1 / sqrt(number of n-grams) per text: every text's features have a comparable length."""
    total = sum(np.diff(b.indptr) for b in blocks)
    return 1.0 / np.sqrt(np.maximum(total, 1)).astype(np.float32)


def feature_matrix(norm: pd.Series, *, bits: int, chars=(2, 3, 4, 5), words=(1, 2)) -> sparse.csr_matrix:
    """The summed, length-scaled (n_texts, 2**bits) matrix the model is trained on."""
    blocks = hashed_blocks(norm, bits=bits, chars=chars, words=words)
    X = blocks[0]
    for b in blocks[1:]:
        X = X + b
    return sparse.diags(row_scale(blocks)) @ X
