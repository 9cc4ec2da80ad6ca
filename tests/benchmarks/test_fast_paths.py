"""The optimised paths added for the benchmark give the same answers as the general ones (hand-checked)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from reinstate.diagnosis.hypotheses import _one_hot
from reinstate.diagnosis.text import classify_texts
from reinstate.io.coerce import parse_timestamp
from reinstate.io.combine import isin, positions


def test_isin_on_strings_with_missing_values():
    values = pd.Series(["A-1", "B-2", None, "C-3"], dtype="string")
    allowed = pd.Series(["B-2", "A-1"], dtype="string")
    assert isin(values, allowed).tolist() == [True, True, False, False]
    assert isin(values, pd.Series([], dtype="string")).tolist() == [False] * 4
    assert isin(pd.Series([1, 2, 3]), pd.Series([3])).tolist() == [False, False, True]  # non-strings: pandas


def test_positions_match_get_indexer():
    index = pd.Index(pd.Series(["o2", "o1", "o3"], dtype="string"))
    values = pd.Series(["o1", "o9", "o3", "o1"], dtype="string")
    # o1 is at position 1, o9 is absent (-1), o3 at 2
    assert positions(values, index).tolist() == [1, -1, 2, 1]
    assert positions(values, index).tolist() == index.get_indexer(values.to_numpy()).tolist()


def test_all_offset_timestamps_take_the_fast_path_and_agree():
    market = pd.Series(["US"] * 3, dtype="string")
    with_offsets = pd.Series(["2026-08-03T14:05:00-07:00", None, "2026-08-04T01:00:00Z"], dtype="string")
    got, bad = parse_timestamp(with_offsets, market)
    # 14:05 at UTC-7 is 21:05 UTC; Z is UTC already
    assert got.tolist()[0] == pd.Timestamp("2026-08-03T21:05:00Z")
    assert pd.isna(got.iloc[1]) and got.iloc[2] == pd.Timestamp("2026-08-04T01:00:00Z")
    assert str(got.dtype) == "datetime64[ns, UTC]" and not bad.any()


def test_a_naive_value_sends_the_column_down_the_general_path():
    market = pd.Series(["US", "US"], dtype="string")
    mixed = pd.Series(["2026-08-03T14:05:00-07:00", "2026-08-03 10:00:00"], dtype="string")
    got, bad = parse_timestamp(mixed, market)
    # the naive value is Los Angeles local time: 10:00 PDT = 17:00 UTC
    assert got.tolist() == [pd.Timestamp("2026-08-03T21:05:00Z"), pd.Timestamp("2026-08-03T17:00:00Z")]
    assert not bad.any()
    junk, bad = parse_timestamp(pd.Series(["2026-08-03T14:05:00Z", "soon"], dtype="string"), market)
    assert bad.tolist() == [False, True] and pd.isna(junk.iloc[1])


def test_repeated_texts_are_classified_like_single_ones():
    texts = pd.Series(["Arrived damaged", "not damaged, great", None, "Arrived damaged", "not damaged, great"])
    got = classify_texts(texts, languages=["en"])
    # "Arrived damaged": one phrase hit, no negation -> tagged; "not damaged": the hit is negated
    assert got["transit_damage"].tolist() == [True, False, False, True, False]
    single = classify_texts(texts.iloc[[0, 1]], languages=["en"])
    assert got.iloc[[0, 1]].equals(single)


def test_scope_sums_by_one_hot_product_equal_add_at():
    # membership pairs (group, order): group 0 holds orders 0 and 4, group 1 order 3, group 2 orders 1 and 2
    groups, orders = np.array([0, 2, 2, 1, 0]), np.array([0, 1, 2, 3, 4])
    counts = np.array([[1, 0], [1, 1], [0, 1], [1, 1], [1, 0]])        # per order, two causes
    expected = np.zeros((3, 2), dtype=int)
    np.add.at(expected, groups, counts[orders])
    assert (_one_hot(groups, orders, 3, 5) @ counts).tolist() == expected.tolist() == [[2, 0], [1, 1], [1, 2]]


def test_a_record_longer_than_a_csv_block_still_reads(tmp_path):
    from reinstate.io.read import read_file
    # a 2 MiB quoted field is longer than the 1 MiB pyarrow block: the reader retries with larger blocks
    path = tmp_path / "long.csv"
    path.write_bytes(b'order_id,text\n1,"' + b"x" * (2 << 20) + b'"\n2,b\n')
    raw = read_file(path)
    assert raw.frame["order_id"].tolist() == ["1", "2"]
    assert len(raw.frame["text"].iloc[0]) == 2 << 20 and raw.lines.tolist() == [2, 3]
