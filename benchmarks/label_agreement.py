"""How often two readers of the same Olist review agree on its tags: the ceiling a classifier's recall is judged
against.

    python benchmarks/label_agreement.py

tests/diagnosis/olist_dev_second_reading.csv holds a second, independent reading of 223 reviews of the Olist
**development** half (review ids and labels only; texts come from ../shared/data/olist-sample): every dev review the
first reading labelled other, product_defect, not_as_described or used_sold_as_new, 70 other complaints and 50
reviews without a complaint, drawn at random. The second readers saw the text, the star rating and the label
definitions of tests/diagnosis/blind_brief_pt.md, and neither the first reading nor anything of the project.

Per label: of the reviews one reading gave that label, how many the other reading gave it too (both ways), and the
exact tag-set agreement. A label whose second-reading recall sits near 0.7 cannot be expected to reach 0.7 from
a classifier either.
"""
from __future__ import annotations

import json
import sys

import pandas as pd

from text_quality import LABELS, labelled, norm

from reinstate.diagnosis.text import TEXT_CAUSES

SECOND = LABELS / "olist_dev_second_reading.csv"


def tag_sets(labels: pd.Series) -> pd.Series:
    return labels.map(lambda s: frozenset(t for t in norm(s).split(";") if t))


def agreement(first: pd.Series, second: pd.Series) -> dict:
    """Exact agreement and, per label, "a/b": of the b reviews ``first`` gave the label, ``second`` gave it a."""
    a, b = tag_sets(first), tag_sets(second)
    out = {"n": int(len(a)), "exact": round(float((a == b).mean()), 3), "second_recall_of_first": {},
           "first_recall_of_second": {}}
    for c in TEXT_CAUSES:
        in_a, in_b = a.map(lambda s: c in s), b.map(lambda s: c in s)
        if in_a.any():
            out["second_recall_of_first"][c] = f"{int((in_a & in_b).sum())}/{int(in_a.sum())}"
        if in_b.any():
            out["first_recall_of_second"][c] = f"{int((in_a & in_b).sum())}/{int(in_b.sum())}"
    return out


def main() -> int:
    second = pd.read_csv(SECOND, keep_default_na=False)
    dev = labelled("dev")
    if "pt-olist" not in dev:
        sys.exit("label_agreement: ../shared/data/olist-sample not found (the first reading's set needs it)")
    first = dev["pt-olist"].drop_duplicates("review_id").set_index("review_id")["labels"]
    missing = set(second["review_id"]) - set(first.index)
    if missing:
        sys.exit(f"label_agreement: {len(missing)} review ids of {SECOND.name} are not in the development half")
    print(json.dumps(agreement(first.loc[second["review_id"]].reset_index(drop=True), second["labels"]), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
