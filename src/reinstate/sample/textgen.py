"""Vectorised buyer texts: choose a template per row, fill its slots from per-row values or fillers.

The only Python loops run over templates and slots (a few dozen), never over rows.
"""
from __future__ import annotations

import string

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_FORMATTER = string.Formatter()


def _parse(template: str) -> list[tuple[str, str | None]]:
    return [(literal, field) for literal, field, _, _ in _FORMATTER.parse(template)]


def fill(templates: list[str], n: int, rng: np.random.Generator, *, slots: dict[str, np.ndarray],
         fillers: dict[str, list[str]]) -> pa.Array:
    """``n`` texts, each from a random template of ``templates``; an empty result becomes null.

    ``slots`` holds per-row values (object/str arrays of length ``n``, e.g. the product noun);
    any other ``{name}`` is drawn uniformly from ``fillers[name]``.
    """
    if n == 0:
        return pa.array([], type=pa.string())
    choice = rng.integers(0, len(templates), n)
    out = np.empty(n, dtype=object)
    for t, template in enumerate(templates):
        rows = np.flatnonzero(choice == t)
        if rows.size == 0:
            continue
        pieces: list = []
        for literal, field in _parse(template):
            if literal:
                pieces.append(literal)
            if field is None:
                continue
            if field in slots:
                pieces.append(pa.array(slots[field][rows], type=pa.string()))
            else:
                options = np.asarray(fillers[field], dtype=object)
                pieces.append(pa.array(options[rng.integers(0, len(options), rows.size)], type=pa.string()))
        arrays = [p for p in pieces if not isinstance(p, str)]
        if not arrays:
            out[rows] = "".join(pieces)
            continue
        joined = pc.binary_join_element_wise(*pieces, "")
        out[rows] = joined.to_numpy(zero_copy_only=False)
    arr = pa.array(out, type=pa.string())
    # Capitalise the first letter (templates may start with a filler such as "broken").
    first = pc.utf8_upper(pc.utf8_slice_codeunits(arr, 0, 1))
    arr = pc.binary_join_element_wise(first, pc.utf8_slice_codeunits(arr, 1), "")
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def digits(values: np.ndarray, width: int) -> pa.Array:
    """Non-negative integers as zero-padded decimal strings of ``width`` characters."""
    return pc.utf8_lpad(pc.cast(pa.array(values, type=pa.int64()), pa.string()), width, padding="0")


def random_digits(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    """``n`` random strings of ``width`` decimal digits (any width, built from 9-digit chunks)."""
    parts = []
    left = width
    while left > 0:
        w = min(9, left)
        parts.append(digits(rng.integers(0, 10**w, n), w))
        left -= w
    if not parts:
        return pa.array([""] * n, type=pa.string())
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "")


def append_pii(texts: pa.Array, rng: np.random.Generator, share: float, patterns: list[str]) -> pa.Array:
    """Append a fake e-mail/phone fragment to about ``share`` of the non-null texts (for PII-masking tests)."""
    n = len(texts)
    if n == 0:
        return texts
    hit = (rng.random(n) < share) & pc.is_valid(texts).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(hit)
    if rows.size == 0:
        return texts
    values = {"n": digits(rng.integers(1000, 10000, rows.size), 4).to_numpy(zero_copy_only=False),
              "nn": digits(rng.integers(0, 100, rows.size), 2).to_numpy(zero_copy_only=False),
              "n4": digits(rng.integers(0, 10000, rows.size), 4).to_numpy(zero_copy_only=False)}
    suffix = fill(patterns, rows.size, rng, slots=values, fillers={})
    # fill() capitalised the suffix's first character, which is a space: harmless.
    base = texts.to_numpy(zero_copy_only=False).copy()
    base[rows] = pc.binary_join_element_wise(pa.array(base[rows], type=pa.string()), suffix, "") \
        .to_numpy(zero_copy_only=False)
    return pa.array(base, type=pa.string())
