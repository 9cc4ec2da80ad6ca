"""Issue 12: the --tags table covers every loaded order, lexicon + model tags report who decided, and the
held-out halves of the labelled sets (never tuned on) meet the accuracy targets."""
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factories import orders

from reinstate.diagnosis.engine import diagnose
from reinstate.diagnosis.features import clean, hashed_blocks
from reinstate.diagnosis.model import MODEL_FILE, TextModel, load_model
from reinstate.diagnosis.tags import tags_table
from reinstate.diagnosis.text import (
    TEXT_CAUSES,
    classify_detail,
    classify_texts,
    decided_of,
    tags_of,
)

HERE = Path(__file__).parent

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))


def test_tags_table_has_orders_outside_the_analysed_window():
    # as_of 2026-04-20: the ODR window is Feb 5 .. Apr 5. O1 (Jan 2, negative review) and O2 (Jan 3, a text
    # only) are outside it, O3 (Feb 10, clean, no text) is not written, O4 (Feb 11, damage review) is.
    rows = [dict(order_id="O1", purchase_date="2026-01-02T12:00:00Z", feedback_rating=1,
                 feedback_text="never arrived"),
            dict(order_id="O2", purchase_date="2026-01-03T12:00:00Z", feedback_rating=5, feedback_text="great"),
            dict(order_id="O3", purchase_date="2026-02-10T12:00:00Z"),
            dict(order_id="O4", purchase_date="2026-02-11T12:00:00Z", feedback_rating=1,
                 feedback_text="arrived smashed")]
    dx = diagnose(orders(rows), as_of="2026-04-20")
    t = tags_table(dx.tags).set_index("order_id")
    assert list(t.columns) == ["tags", "text", "decided_by"]
    assert sorted(t.index) == ["O1", "O2", "O4"]
    assert t.loc["O1", "tags"] == "item_not_received"
    assert t.loc["O4", "tags"] == "transit_damage"
    assert t.loc["O4", "decided_by"] in ("transit_damage:lexicon", "transit_damage:model")


def test_model_is_shipped_as_plain_arrays_and_rebuilt():
    with np.load(MODEL_FILE, allow_pickle=False) as f:   # no pickle inside
        data = {k: f[k] for k in f.files}
    assert set(data) >= {"causes", "bits", "rows", "coef", "intercept", "threshold", "lexicon_coef"}
    m = TextModel(data)
    assert data["coef"].shape == (len(data["rows"]), len(data["causes"]))
    assert m.weights.shape == (2 ** int(data["bits"]), len(data["causes"]))
    assert load_model() is not None


def test_hashed_ngrams_of_a_tiny_text_by_hand():
    # "ab" is laid out as " ab ": char 2-grams " a", "ab", "b " (3), 3-grams " ab", "ab " (2), 4-gram " ab "
    # (1), no 5-gram; one word, no word pair. "Ab!!" cleans to the same text, "x ab" shares the word "ab".
    blocks = hashed_blocks(pd.Series(["ab", "ab!!", "x ab"]), bits=18, chars=(2, 3, 4, 5), words=(1, 2))
    assert [int(b[0].nnz) for b in blocks] == [3, 2, 1, 0, 1, 0]
    assert all((b[0] != b[1]).nnz == 0 for b in blocks)           # same text after cleaning, same columns
    words = blocks[4]
    assert set(words[0].indices) <= set(words[2].indices)          # the word "ab" is one column wherever it is
    assert clean(pd.Series(["nao-recebi 22 itens!!", "届かない"])) == ["nao recebi 0 itens", "届かない"]


def test_windows_never_cross_two_texts():
    # Texts "a" and "b" side by side: " a " and " b " have 2 char 2-grams each, never "a b"-like windows.
    one = hashed_blocks(pd.Series(["a", "b"]), bits=18, chars=(2, 3), words=(2,))
    assert [b.getnnz(axis=1).tolist() for b in one] == [[2, 2], [1, 1], [0, 0]]


def _toy_model(intercept_td: float) -> TextModel:
    # No n-gram weight; transit_damage's own lexicon verdict adds 10 to its log-odds; threshold 0.5.
    causes = list(TEXT_CAUSES)
    k = len(causes)
    lex = np.zeros((k, k), dtype=np.float32)
    lex[0, 0] = 10.0
    intercept = np.full(k, -5.0, dtype=np.float32)
    intercept[0] = intercept_td
    return TextModel({"causes": np.array(causes), "bits": 10, "chars": np.array([2]), "words": np.array([1]),
                      "rows": np.array([0]), "coef": np.zeros((1, k), np.float32), "lexicon_coef": lex,
                      "intercept": intercept, "threshold": np.full(k, 0.5, np.float32)})


def test_decided_by_names_lexicon_or_model():
    texts = pd.Series(["Arrived smashed", "lovely", ""])
    # The lexicon hit (+10) lifts transit_damage from -5 to +5: the lexicon decided.
    tags, by = classify_detail(texts, languages=["en"], model=_toy_model(-5.0))
    assert decided_of(tags, by).tolist() == ["transit_damage:lexicon", "", ""]
    # An intercept of +1 tags every text without any lexicon hit: the model decided (the empty text stays
    # untagged).
    tags, by = classify_detail(texts, languages=["en"], model=_toy_model(1.0))
    assert decided_of(tags, by).tolist() == ["transit_damage:model", "transit_damage:model", ""]
    # Without the model the lexicon alone decides.
    assert tags_of(classify_texts(texts, languages=["en"], model=False)).tolist() == ["transit_damage", "", ""]


@pytest.mark.parametrize("text, expected", [
    ("produto bom, mas veio quebrado", "transit_damage"),                     # contrast ends the praise
    ("nao veio quebrado, chegou perfeito", ""),                               # negation, accents typed without
    ("Venderam um produto que nao tinha no estoque e cancelaram", "item_not_received"),  # stock-out
    ("ja mandei 3 emails e ninguem responde", "unresponsive_service"),        # the seller's silence
    ("comprei dois e so veio um", "item_not_received"),                       # partial delivery
    ("amassada e arranhada", "transit_damage"),                               # inflections via stems
])
def test_portuguese_generalisation(text, expected):
    assert tags_of(classify_texts(pd.Series([text]), languages=["pt", "en"])).iloc[0] == expected


def _heldout():
    import text_quality
    return text_quality, text_quality.labelled("heldout")


# Measured on the held-out halves (docs/diagnosis.md; the sixth session's model, trained with every blind
# development batch, read once after it was committed): en 0.877, de 0.909, es 0.964, fr 0.917, it 0.983, ja 0.857
# Seventh session's model (10c221f, three more blind development batches; read once after commit): halves en 0.912,
# de 0.891, es 0.946, fr 0.896, it 0.948, ja 0.857; first blind batch en 0.862, de 0.797, es 0.881, fr 0.800,
# it 0.750, ja 0.814; second en 0.883, de 0.864, es 0.817, fr 0.780, it 0.833, ja 0.900 (the floors below).
# Sixth session's figures, for the record
# (48-63 texts each); on the first blind batch (``<lang>-fresh``, written by a writer who saw nothing of the
# project): en 0.879, de 0.780, es 0.831, fr 0.817, it 0.767, ja 0.831; on the second blind batch
# (``<lang>-fresh2``, written from the same brief as the blind development texts of the fifth and sixth sessions,
# so closer to the training texts' style than real buyers may be): en 0.900, de 0.847, es 0.783, fr 0.797,
# it 0.850, ja 0.850. The floors sit just under the measurements (one or two texts); the blind batches mostly miss
# the 0.85 and the test says so honestly.
FLOORS = {"en": 0.89, "de": 0.87, "es": 0.92, "fr": 0.87, "it": 0.93, "ja": 0.84,
          "en-fresh": 0.84, "de-fresh": 0.78, "es-fresh": 0.86, "fr-fresh": 0.78, "it-fresh": 0.73, "ja-fresh": 0.79,
          "en-fresh2": 0.86, "de-fresh2": 0.84, "es-fresh2": 0.80, "fr-fresh2": 0.76, "it-fresh2": 0.81,
          "ja-fresh2": 0.88}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_heldout_buyer_texts_per_language(name):
    # Held-out texts, never looked at for tuning (only their scores were seen, after each model was fixed).
    tq, sets = _heldout()
    frame = sets[name]
    lang = name.split("-")[0]
    r = tq.score(frame, tq.predict(frame, sorted({lang, "en"})))
    assert r["n"] >= 45
    assert r["accuracy"] >= FLOORS[name]


def test_heldout_olist_reviews(shared_dir):
    tq, sets = _heldout()
    frame = sets["pt-olist"]
    r = tq.score(frame, tq.predict(frame, ["en", "pt"]))
    # Measured 0.862 (850 reviews, with their star ratings; seventh session, 0.866 in the sixth): above the issue's
    # 0.85, but recall stays below 0.7 for other (16/42), not_as_described (19/29), product_defect (21/31) and
    # used_sold_as_new (0/1) (docs/diagnosis.md). The floors guard the measured level; they are not the target.
    assert r["n"] >= 800
    assert r["accuracy"] >= 0.845
    got, total = map(int, r["recall"]["item_not_received"].split("/"))
    assert got / total >= 0.8


def test_no_training_text_is_a_near_copy_of_a_heldout_text():
    # A held-out text that also sits in a training file, or a paraphrase of it ("meh. not happy" / "meh not happy",
    # the same sentence without its accents), would be scored on what the model was fitted to. The Olist held-out
    # reviews join the comparison when ../shared is present.
    import text_quality as tq
    held = tq.heldout_texts()
    assert len(held) >= 960
    b = pd.read_csv(HERE / "buyer_texts.csv", keep_default_na=False)
    train = {"buyer_texts.csv (dev)": b.loc[b["split"] == "dev", "text"]}
    # every file written for training and every blind development batch (one list, text_quality's)
    for path in [tq.LABELS / f"{n}.csv" for n in tq.TRAINING_ONLY] + list(tq.BLIND.values()):
        train[path.name] = pd.read_csv(path, keep_default_na=False)["text"]
    near = {name: t[tq.near_copies(t, held)].tolist()[:3] for name, t in train.items()}
    assert not any(near.values()), near


def test_near_copy_rule_on_a_small_hand_made_case():
    import text_quality as tq
    held = pd.Series(["meh not happy", "la date de livraison a été repoussée encore et encore"])
    texts = pd.Series(["Meh. Not happy!", "la date de livraison a ete repoussee encore et encore",
                       "the seller never answered my three emails", "meh"])
    # " meh " has the 3-grams " me", "meh", "eh ", all among the 13 of " meh not happy ": Jaccard 3/13 = 0.23
    assert tq.near_copies(texts, held).tolist() == [True, True, False, False]


def test_label_agreement_by_hand():
    import label_agreement as la
    first = pd.Series(["other", "product_defect", "product_defect;not_as_described", "", "other"])
    second = pd.Series(["other", "not_as_described", "not_as_described;product_defect", "", "late_delivery"])
    r = la.agreement(first, second)
    # identical sets: rows 0, 2 (order of tags does not matter) and 3 -> 3 of 5
    assert r["exact"] == 0.6
    assert r["second_recall_of_first"] == {"product_defect": "1/2", "not_as_described": "1/1", "other": "1/2"}
    assert r["first_recall_of_second"] == {"not_as_described": "1/2", "product_defect": "1/1",
                                           "late_delivery": "0/1", "other": "1/1"}


def test_second_reading_is_of_development_reviews_only():
    # The second reading (benchmarks/label_agreement.py) may only touch the development half: the held-out half
    # is scored, never read.
    import text_quality as tq
    second = pd.read_csv(tq.LABELS / "olist_dev_second_reading.csv", keep_default_na=False)
    split = pd.read_csv(tq.LABELS / "olist_reviews_labelled.csv", keep_default_na=False)
    old = set(pd.read_csv(tq.LABELS / "olist_labelled.csv", keep_default_na=False)["review_id"])
    dev = set(split.loc[split["split"] == "dev", "review_id"]) | old
    assert len(second) >= 200 and second["review_id"].is_unique
    assert set(second["review_id"]) <= dev
    assert not set(second["review_id"]) & set(split.loc[split["split"] == "heldout", "review_id"])
    valid = set(TEXT_CAUSES)
    assert all(set(filter(None, s.split(";"))) <= valid for s in second["labels"])
