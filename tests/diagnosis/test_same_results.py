"""The speed work on ``diagnose`` must not change any result.

``golden/diagnose_1500_seed8*`` were written by the engine *before* the order keys were factorised to integer
positions (commit fe6a3db: string-key merges and group-bys at every stage), from
``generate_sample(orders=1500, days=120, seed=8)`` loaded through ``reinstate.load``: the JSON contract and the
per-order tag table. The integer-position engine must reproduce both byte for byte. Results that changed on purpose
(issue 12's period-scan correction, each retrained text model) rewrote them; every rewrite and each changed order
is listed in docs/diagnosis.md, "Golden files". The helpers that replaced
group-bys are also checked against the pandas operation they stand for, on hand-made rows.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from factories import orders as make_orders

import reinstate
from reinstate.diagnosis.defects import joined_names
from reinstate.diagnosis.engine import diagnose
from reinstate.diagnosis.scopes import memberships
from reinstate.diagnosis.tags import _joined, first_valid
from reinstate.metrics.flags import order_flags, order_groups
from reinstate.sample import generate_sample, write_sample

GOLDEN = Path(__file__).parent / "golden"


def test_diagnosis_identical_to_the_string_key_engine(tmp_path):
    sample = generate_sample(orders=1500, days=120, seed=8)
    write_sample(sample, tmp_path)
    dx = diagnose(reinstate.load(tmp_path), as_of=sample.as_of)
    assert json.loads(dx.to_json()) == json.loads((GOLDEN / "diagnose_1500_seed8.json").read_text())
    assert dx.tags.to_csv(index=False) == (GOLDEN / "diagnose_1500_seed8_tags.csv").read_text()


def _items():
    # Two accounts share order id "X" (they are different orders); order "A" has three items, "B" one.
    return make_orders([
        dict(order_id="A", account="s1", purchase_date="2026-01-05T10:00:00Z", sku="k1", carrier=None),
        dict(order_id="X", account="s1", purchase_date="2026-01-06T10:00:00Z", sku="k2", carrier="UPS"),
        dict(order_id="A", account="s1", purchase_date="2026-01-05T10:00:00Z", sku=None, carrier="USPS"),
        dict(order_id="X", account="s2", purchase_date="2026-01-07T10:00:00Z", sku="k1", carrier="UPS"),
        dict(order_id="A", account="s1", purchase_date="2026-01-05T10:00:00Z", sku="k1", carrier="USPS"),
        dict(order_id="B", account="s1", purchase_date="2026-01-08T10:00:00Z", sku="k3", carrier=None),
    ])


def test_order_groups_number_orders_by_first_appearance():
    gid, first = order_groups(_items())
    # Orders in order of first appearance: (s1, A) = 0, (s1, X) = 1, (s2, X) = 2, (s1, B) = 3.
    assert gid.tolist() == [0, 1, 0, 2, 0, 3]
    assert first.tolist() == [0, 1, 3, 5]
    items = _items()
    expected = items.groupby(["account", "marketplace", "order_id"], sort=False, dropna=False).ngroup()
    assert order_groups(items)[0].tolist() == expected.tolist()
    # The same numbering when the key columns are not Arrow strings (pandas' group-by path).
    plain = items.astype({"account": object, "marketplace": object, "order_id": object})
    assert order_groups(plain)[0].tolist() == expected.tolist()


def test_first_valid_is_groupby_first():
    items = _items()
    gid, _ = order_groups(items)
    got = first_valid(items, ["sku", "carrier"], gid, 4)
    # Order A: sku k1 (row 0), carrier USPS (row 2: row 0 has none); B has no carrier at all.
    assert got["sku"].tolist() == ["k1", "k2", "k1", "k3"]
    assert got["carrier"].tolist()[:3] == ["USPS", "UPS", "UPS"] and pd.isna(got["carrier"].iloc[3])
    expected = items.groupby(["account", "marketplace", "order_id"], sort=False, dropna=False)[["sku", "carrier"]] \
        .first().reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)


def test_memberships_with_positions_equal_the_key_join():
    items = _items()
    groups = order_groups(items)
    flags = order_flags(items, as_of="2026-02-01", groups=groups)
    fast = memberships(items, flags, ["sku", "carrier"], gid=groups[0])
    slow = memberships(items, flags, ["sku", "carrier"])
    assert fast.keys() == slow.keys() == {"sku", "carrier"}
    for d in fast:
        pd.testing.assert_frame_equal(fast[d], slow[d])
    # sku pairs in order of first appearance, repeats of (A, k1) dropped, missing sku dropped.
    assert fast["sku"]["oid"].tolist() == [0, 1, 2, 3]
    assert fast["sku"]["value"].tolist() == ["k1", "k2", "k1", "k3"]
    assert fast["sku"]["code"].tolist() == [0, 1, 0, 2]
    # carrier is order-level: the first item's carrier per order (A: none on its first row), missing dropped.
    assert fast["carrier"]["oid"].tolist() == [1, 2]


def test_joined_names_and_texts():
    flags = np.array([[True, False, True], [False, False, False], [False, True, False]])
    assert joined_names(flags, ("a", "b", "c")).tolist() == ["a;c", "", "b"]
    # Orders 2 and 0 have texts; order 2's two texts are joined in row order; order 1 has none (NaN).
    out = _joined(np.array([2, 0, 2]), np.array(["x", "y", "z"], dtype=object), " | ", 3)
    assert out[0] == "y" and pd.isna(out[1]) and out[2] == "x | z"


def test_first_present_is_first_valid():
    from reinstate.diagnosis.engine import _first_present
    items = _items()
    gid, _ = order_groups(items)
    pd.testing.assert_frame_equal(_first_present(items, ["sku", "carrier"], gid, 4),
                                  first_valid(items, ["sku", "carrier"], gid, 4))


def test_memberships_keep_leaves_out_orders_but_not_their_value_numbers():
    items = _items()
    groups = order_groups(items)
    flags = order_flags(items, as_of="2026-02-01", groups=groups)
    # Keep orders 1 and 3 only: (s1, X) has k2, (s1, B) has k3; k1 keeps code 0 though no kept order has it.
    kept = memberships(items, flags, ["sku"], gid=groups[0], keep=np.array([False, True, False, True]))
    assert kept["sku"]["oid"].tolist() == [1, 3]
    assert kept["sku"]["code"].tolist() == [1, 2]
    assert kept["sku"]["value"].tolist() == ["k2", "k3"]
    assert list(kept["sku"]["value"].cat.categories) == ["k1", "k2", "k3"]


def test_text_rows_are_the_rows_of_the_orders():
    from reinstate.diagnosis.engine import _text_rows
    oid = np.array([4, 1, 4, 7, 1, 2])
    by = np.argsort(oid, kind="stable")
    texts = {"oid": oid, "by_oid": by, "sorted_oid": oid[by]}
    # Orders 1 and 4 have texts at rows 0, 1, 2, 4; order 5 has none.
    assert _text_rows(texts, np.array([1, 4, 5])).tolist() == [0, 1, 2, 4]
    assert _text_rows(texts, np.array([5, 6])).tolist() == []


def test_distinct_texts_are_tagged_like_every_row():
    from reinstate.diagnosis.engine import _distinct_text_tags
    from reinstate.diagnosis.policy import load_policy
    from reinstate.diagnosis.tags import text_tags
    texts = pd.DataFrame({
        "account": "s1", "marketplace": ["US", "US", "DE", "US", "US"], "order_id": list("abcde"),
        "source": ["feedback_text", "feedback_text", "feedback_text", "return_reason", "feedback_text"],
        "raw": pd.array(["Arrived damaged", "Never arrived", "Arrived damaged", "Arrived damaged",
                         "Arrived damaged"], dtype="string"),
        "oid": range(5)})
    pol = load_policy(None)
    got = _distinct_text_tags(texts, pol, ())
    pd.testing.assert_frame_equal(got, text_tags(texts, policy=pol))
    assert got["transit_damage"].tolist() == [True, False, True, True, True]
