"""Defects an analyst could get removed before appealing, and the ODR each removal would give.

Three kinds (policy in src/reinstate/policy/reference/feedback_review_lexicon.csv for the text rule):

* ``afn_feedback``: negative feedback on an FBA order; Amazon strikes through fulfilment-related feedback.
* ``product_review_feedback``: negative feedback whose comment reads as a product review (mentions the product
  and nothing about the seller's service), which Amazon removes on request.
* ``claim_on_time_delivery``: an A-to-z claim on an order shipped on time, with valid tracking and delivered by
  the promised date (grounds to appeal the claim).
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from ..paths import REFERENCE_DIR
from .health import prepare
from .rules import day_number, metric_events
from .windows import metric_windows, to_day

REMOVABLE_COLUMNS = ["account", "marketplace", "channel", "order_id", "purchase_date", "component", "kind",
                     "evidence", "order_still_defective", "odr_before", "odr_after", "cumulative_odr_after",
                     "numerator", "denominator"]


@lru_cache(maxsize=None)
def review_lexicon(path: str | None = None) -> dict[str, re.Pattern]:
    """{'product': regex, 'service': regex} from the lexicon CSV (kind, phrase); phrases match at word starts."""
    table = pd.read_csv(path or REFERENCE_DIR / "feedback_review_lexicon.csv", dtype=str)
    out = {}
    for kind in ("product", "service"):
        phrases = sorted(table.loc[table["kind"] == kind, "phrase"].str.lower(), key=len, reverse=True)
        out[kind] = re.compile(r"\b(?:" + "|".join(map(re.escape, phrases)) + ")", re.IGNORECASE)
    return out


def reads_as_product_review(text: pd.Series, *, lexicon_path=None) -> pd.DataFrame:
    """Per comment: ``is_review`` (a product word and no service word) and ``evidence`` (the product words)."""
    lex = review_lexicon(str(lexicon_path) if lexicon_path else None)
    t = text.astype("string").fillna("")
    product = t.str.findall(lex["product"]).map(lambda hits: ", ".join(dict.fromkeys(h.lower() for h in hits)))
    service = t.str.contains(lex["service"]).fillna(False).astype(bool)
    return pd.DataFrame({"is_review": (product != "") & ~service, "evidence": product}, index=text.index)


def removable_defects(data, *, as_of, channel=None, account=None, marketplace=None, odr_offset_days: int = 15,
                      include_cancelled_in_odr: bool = False, lexicon_path=None,
                      flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per removable defect on an order in the current ODR window (``REMOVABLE_COLUMNS``).

    ``odr_after``: the channel's ODR if only this defect were removed (unchanged when the order keeps another,
    non-removable defect); ``cumulative_odr_after``: after removing this and every row above it in the same
    (account, marketplace, channel). Rows are ordered so that removals which clear an order come first.
    """
    as_of = to_day(as_of, "as_of")
    orders, _, flags = prepare(data, as_of=as_of, account=account, marketplace=marketplace, flags=flags)
    win = metric_windows(as_of, odr_offset_days=odr_offset_days, metrics=("order_defect_rate",))[0]
    s, e = day_number([win.start, win.end])
    events = metric_events(flags, "order_defect_rate", include_cancelled_in_odr=include_cancelled_in_odr)
    totals = events.counts(s, e)
    ev = events.frame[events.in_window(s, e) & (events.frame["num"].to_numpy() > 0)]
    names = events.groups.loc[ev["gid"].to_numpy()].reset_index(drop=True)
    detail = flags.iloc[ev["row"].to_numpy()].drop(columns=["account", "marketplace", "fulfillment_channel"])
    cand = pd.concat([names, detail.reset_index(drop=True)], axis=1).astype({"order_id": object})
    if channel is not None:
        cand = cand[cand["channel"] == channel]
    nf = cand["negative_feedback"].astype("boolean").fillna(False).to_numpy(bool)
    cl = cand["a_to_z_claim"].astype("boolean").fillna(False).to_numpy(bool)
    cb = cand["chargeback"].astype("boolean").fillna(False).to_numpy(bool)
    rows = []
    afn = nf & (cand["channel"] == "AFN").to_numpy()
    rows.append(cand[afn].assign(component="negative_feedback", kind="afn_feedback",
                                 evidence="fulfilled by Amazon: feedback can be struck through"))
    if "feedback_text" in orders.columns and (nf & ~afn).any():
        mfn_nf = cand[nf & ~afn]
        wanted = orders[orders["order_id"].isin(pd.unique(mfn_nf["order_id"]))]
        text = wanted.drop_duplicates(["account", "marketplace", "order_id"])[
            ["account", "marketplace", "order_id", "feedback_text"]].astype(
            {"account": object, "marketplace": object, "order_id": object})
        mfn_nf = mfn_nf.merge(text, on=["account", "marketplace", "order_id"], how="left")
        review = reads_as_product_review(mfn_nf["feedback_text"], lexicon_path=lexicon_path)
        hit = mfn_nf[review["is_review"].to_numpy()]
        rows.append(hit.assign(component="negative_feedback", kind="product_review_feedback",
                               evidence="product review words: " + review.loc[review["is_review"], "evidence"]
                               .to_numpy()).drop(columns="feedback_text"))
    shipped_on_time = cand["late_shipment"].astype("boolean").eq(False).fillna(False).to_numpy(bool)
    valid = cand["tracking_valid"].astype("boolean").fillna(False).to_numpy(bool)
    delivered = cand["delivered_at"].notna().to_numpy() if "delivered_at" in cand else np.zeros(len(cand), bool)
    by_promise = cand["late_delivery"].astype("boolean").eq(False).fillna(False).to_numpy(bool) & delivered
    good_claim = cl & shipped_on_time & valid & by_promise
    rows.append(cand[good_claim].assign(component="a_to_z_claim", kind="claim_on_time_delivery",
                                        evidence="shipped on time, valid tracking, delivered by promise"))
    out = pd.concat(rows, ignore_index=True)
    if out.empty:
        return pd.DataFrame(columns=REMOVABLE_COLUMNS)
    # Which defects does each order have, and which of them are removable?
    comps = pd.DataFrame({"negative_feedback": nf, "a_to_z_claim": cl, "chargeback": cb}, index=cand.index)
    n_defects = comps.sum(axis=1).to_numpy()
    cand_key = cand[["account", "marketplace", "order_id"]].assign(n_defects=n_defects)
    out = out.merge(cand_key, on=["account", "marketplace", "order_id"], how="left")
    out = out.drop_duplicates(["account", "marketplace", "order_id", "component"])
    n_removable = out.groupby(["account", "marketplace", "order_id"])["component"].transform("size")
    out["order_still_defective"] = out["n_defects"] > n_removable
    out = out.merge(totals.rename(columns={"num": "numerator", "den": "denominator"}).drop(columns="unknown"),
                    on=["account", "marketplace", "channel"], how="left")
    out = out.assign(_clear=~out["order_still_defective"]).sort_values(
        ["account", "marketplace", "channel", "_clear", "order_id"], ascending=[True, True, True, False, True],
        kind="stable", ignore_index=True)
    clears_alone = out["n_defects"] == 1
    den = out["denominator"].to_numpy(float)
    out["odr_before"] = out["numerator"] / den
    out["odr_after"] = (out["numerator"] - clears_alone.astype(int)) / den
    # Cumulative: an order clears on its last removable row, if all its defects are removable.
    pos = out.groupby(["account", "marketplace", "order_id"]).cumcount() + 1
    total = out.groupby(["account", "marketplace", "order_id"])["component"].transform("size")
    cleared_here = ((pos == total) & ~out["order_still_defective"]).astype(int)
    cum = cleared_here.groupby([out["account"], out["marketplace"], out["channel"]]).cumsum()
    out["cumulative_odr_after"] = (out["numerator"] - cum) / den
    return out[REMOVABLE_COLUMNS]
