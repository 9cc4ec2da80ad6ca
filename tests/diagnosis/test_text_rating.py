"""The star rating given with a feedback text, and the "complains at all" output that decides ``other``.

Expected values are worked out by hand from tiny hand-made models (not from the shipped model)."""
import numpy as np
import pandas as pd

from reinstate.diagnosis.model import TextModel, star_columns
from reinstate.diagnosis.tags import order_texts
from reinstate.diagnosis.text import TEXT_CAUSES, classify_detail, tags_from_scores, tags_of


def test_star_columns_one_column_per_star_and_nothing_for_missing_or_out_of_range():
    got = star_columns([1, 5, None, 7, "3", 0])
    want = np.zeros((6, 5), dtype=np.float32)
    want[0, 0] = want[1, 4] = want[4, 2] = 1
    assert (got == want).all()


def test_complaint_output_decides_other_and_its_floor_clears_every_tag():
    causes = ["transit_damage", "complaint"]
    scores = np.array([[0.9, 0.9],    # damage, a complaint -> transit_damage (other needs no specific cause)
                       [0.1, 0.8],    # no cause, a complaint -> other
                       [0.9, 0.1],    # damage but below the complaint floor -> nothing
                       [0.1, 0.3]])   # no cause, complaint 0.3 under its 0.5 threshold -> nothing
    got = tags_from_scores(scores, causes, [0.5, 0.5], floor=0.2)
    td, other = TEXT_CAUSES.index("transit_damage"), TEXT_CAUSES.index("other")
    assert got[:, td].tolist() == [True, False, False, False]
    assert got[:, other].tolist() == [False, True, False, False]
    assert got.sum() == 2


def _stars_only_model() -> TextModel:
    """No n-gram weights: 'complaint' log-odds -3, +6 at one star, -6 at five; causes never reached."""
    outs = [c for c in TEXT_CAUSES if c != "other"] + ["complaint"]
    rating = np.zeros((5, len(outs)), np.float32)
    rating[0, -1], rating[4, -1] = 6.0, -6.0
    return TextModel({"causes": np.array(outs), "bits": 10, "chars": np.array([3]), "words": np.array([1]),
                      "rows": np.zeros(0, np.int32), "coef": np.zeros((0, len(outs)), np.float32),
                      "intercept": np.full(len(outs), -3.0, np.float32),
                      "threshold": np.full(len(outs), 0.5, np.float32), "rating_coef": rating,
                      "floor": np.float32(0.0)})


def test_the_same_words_are_a_complaint_at_one_star_and_nothing_at_five_or_unrated():
    texts = pd.Series(["meh", "meh", "meh", "meh"], index=[10, 11, 12, 13])
    ratings = pd.Series([1, 5, None, 1], index=[10, 11, 12, 13])
    tags, by = classify_detail(texts, languages=["en"], model=_stars_only_model(), ratings=ratings)
    assert tags_of(tags).tolist() == ["other", "", "", "other"]
    assert by.loc[10, "other"] == "model"
    # without ratings the text is one input, unrated: log-odds -3 -> nothing
    assert tags_of(classify_detail(texts, languages=["en"], model=_stars_only_model())[0]).tolist() == [""] * 4


def test_order_texts_gives_the_feedback_rating_to_the_feedback_text_only():
    orders = pd.DataFrame({
        "account": ["A", "A", "A"], "marketplace": ["US", "US", "US"], "order_id": ["o1", "o1", "o2"],
        "feedback_text": ["bad", None, None], "feedback_rating": [2, None, None],
        "claim_reason": ["never came", None, "late"]})
    flags = orders[["account", "marketplace", "order_id"]].drop_duplicates().reset_index(drop=True)
    long = order_texts(orders, flags)
    got = {(r.order_id, r.source): r.rating for r in long.itertuples()}
    assert got[("o1", "feedback_text")] == 2
    assert np.isnan(got[("o1", "claim_reason")]) and np.isnan(got[("o2", "claim_reason")])
    assert len(long) == 3
