"""Print Olist reviews (title + message) for labelling by reading; never runs the classifier.

    python scripts/label_olist.py --todo            # how many reviews with text are still unlabelled
    python scripts/label_olist.py --batch 0 --size 90   # print batch 0 of the unlabelled ones (stable order)
    python scripts/label_olist.py --show-labelled 30    # labelled rows beside their text (to check conventions)

Texts come from ../shared/data/olist-sample and are only printed, never written into the repo.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from text_quality import LABELS, OLIST  # noqa: E402  (paths only)


def reviews() -> pd.DataFrame:
    """Reviews with a text: review_id, score, text (title + message, whitespace flattened)."""
    r = pd.read_csv(OLIST / "olist_order_reviews_dataset.csv", keep_default_na=False).drop_duplicates("review_id")
    flat = lambda col: r[col].map(lambda s: " ".join(str(s).split()))
    r = r.assign(text=(flat("review_comment_title") + " | " + flat("review_comment_message")).str.strip(" |"))
    return r[r["text"] != ""][["review_id", "review_score", "text"]].sort_values("review_id").reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--todo", action="store_true")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--size", type=int, default=90)
    ap.add_argument("--show-labelled", type=int, default=0)
    a = ap.parse_args()
    r = reviews()
    done = pd.read_csv(LABELS / "olist_reviews_labelled.csv", keep_default_na=False)
    old = pd.read_csv(LABELS / "olist_labelled.csv", keep_default_na=False)
    seen = set(done["review_id"]) | set(old["review_id"])
    if a.show_labelled:
        m = done.merge(r, on="review_id").sample(a.show_labelled, random_state=1)
        for _, x in m.iterrows():
            print(f"[{x.labels or '-'}] ({x.review_score}) {x.text}")
        return
    todo = r[~r["review_id"].isin(seen)].reset_index(drop=True)
    if a.todo:
        print(len(r), "with text;", len(todo), "unlabelled;", todo["review_score"].value_counts().sort_index().to_dict())
        return
    part = todo.iloc[a.batch * a.size:(a.batch + 1) * a.size]
    for _, x in part.iterrows():
        print(f"{x.review_id} ({x.review_score}) {x.text}")


if __name__ == "__main__":
    main()
