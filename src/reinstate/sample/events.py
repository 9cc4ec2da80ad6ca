"""From operations to what buyers do: problems per order, then feedback, claims, chargebacks, returns and
buyer messages, each dated and cut at the end of the data (nothing after the snapshot is visible).

An event table is a dict of equal-length arrays with ``order`` = order index.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyarrow as pa

from .clock import DAY, HOUR, Clock
from .logistics import _p, has_sku, late_delivered
from .textgen import append_pii, fill

CONSEQUENCES = ("negative_feedback", "return", "claim", "chargeback", "message")


def status(o: SimpleNamespace, cat: dict, rng: np.random.Generator, *, cutoff: int) -> None:
    """Order status as seen at ``cutoff`` (the end of the last day): still Pending/Unshipped, Cancelled, Shipped."""
    n, bg = o.n, cat["background"]
    pending = ~o.cancelled & (o.purchase > cutoff - 3 * HOUR) & (rng.random(n) < bg["pending_last_hours"])
    unshipped = ~o.cancelled & ~pending & (o.confirm > cutoff)
    o.status = np.select([o.cancelled, pending, unshipped], [3, 2, 1], 0)  # STATUS_NAMES index
    o.shipped = o.status == 0


def problems(o: SimpleNamespace, cat: dict, clock: Clock, rng: dict, *, pos: dict, causes, strength: float,
             injected: dict, lost_untracked: np.ndarray) -> None:
    """What went wrong on each order (``o.kind``: index into ``o.kinds``; 0 = nothing) and which SKU it is about.

    Later assignments win: operational problems first, then product problems (their texts are about the item).
    Adds injected transit_damage / not_as_described order masks to ``injected``."""
    n = o.n
    o.kinds = ["none", *cat["effects"]]
    k = {name: i for i, name in enumerate(o.kinds)}
    kind = np.zeros(n, dtype=np.int64)
    delivered = o.shipped & ~o.lost
    late = delivered & late_delivered(o, clock)
    kind[late] = k["late_delivery"]
    if "carrier_delay" in injected:
        kind[injected["carrier_delay"] & late] = k["carrier_delay"]
    if "late_shipment" in injected:
        kind[injected["late_shipment"] & o.shipped & ~late & ~o.lost] = k["late_shipment"]
    kind[o.shipped & o.lost] = k["lost"]
    kind[o.shipped & lost_untracked] = k["no_tracking_lost"]

    r, bg = rng["problems"], cat["background"]
    u_afn, u_bg = r.random(n), r.random(n)
    bg_causes = list(bg["product_issue_causes"])
    cause = r.choice(len(bg_causes), n, p=_p(list(bg["product_issue_causes"].values())))
    kind[o.afn & delivered & (kind == 0) & (u_afn < bg["afn_complaint"])] = k["amazon_fulfillment"]
    product = delivered & (u_bg < bg["product_issue"])
    kind[product] = np.asarray([k[c] for c in bg_causes])[cause[product]]
    o.problem_sku = o.primary_sku.copy()

    inj = cat["inject"]
    if "transit_damage" in causes:
        # Seller-packed (MFN) parcels of the fragile SKU break in transit.
        rate = min(1.0, inj["transit_damage"]["rate"] * strength)
        hit = delivered & o.mfn & has_sku(o, pos["damage_sku"]) & (rng["transit_damage"].random(n) < rate)
        kind[hit], o.problem_sku[hit] = k["transit_damage"], pos["damage_sku"]
        injected["transit_damage"] = hit
    if "not_as_described" in causes:
        # A wrong listing (size chart / colour / material) during the burst, whoever fulfils the order.
        rate = min(1.0, inj["not_as_described"]["rate"] * strength)
        start, end = pos["nad"]
        in_burst = (o.day >= start) & (o.day <= end)
        hit = delivered & in_burst & has_sku(o, pos["nad_sku"]) & (rng["not_as_described"].random(n) < rate)
        kind[hit], o.problem_sku[hit] = k["not_as_described"], pos["nad_sku"]
        injected["not_as_described"] = hit
    o.kind = kind
    o.text_cause = np.asarray([None] + [cat["effects"][name]["text"] for name in o.kinds[1:]], dtype=object)[kind]


def _slots(o: SimpleNamespace, cat: dict, rows: np.ndarray, rng: np.random.Generator) -> dict:
    nouns = np.asarray([p["noun"] for p in cat["products"]], dtype=object)
    return {"item": nouns[o.problem_sku[rows]],
            "carrier": np.asarray(o.carrier_names, dtype=object)[o.carrier[rows]],
            "days": rng.integers(3, 15, rows.size).astype(str).astype(object)}


def _texts_by_cause(o, cat, rows, causes, groups: dict, rng, fallback="other") -> pa.Array:
    """One text per row, from ``groups[cause]`` templates (``fallback`` when a cause has none)."""
    out = np.full(rows.size, None, dtype=object)
    fillers = _fillers()
    for cause in sorted(set(causes.tolist())):
        sel = np.flatnonzero(causes == cause)
        templates = groups.get(cause) or groups[fallback]
        out[sel] = fill(templates, sel.size, rng, slots=_slots(o, cat, rows[sel], rng),
                        fillers=fillers).to_numpy(zero_copy_only=False)
    return pa.array(out, type=pa.string())


def _fillers() -> dict:
    from .policy import texts
    return texts()["fillers"]


def _pick(rng, n, dist: dict) -> np.ndarray:
    names = np.asarray(list(dist), dtype=object)
    return names[rng.choice(len(names), n, p=_p(list(dist.values())))]


def consequences(o: SimpleNamespace, cat: dict, txt: dict, clock: Clock, rng: dict, *, cutoff: int) -> dict:
    """Feedback, claims, chargebacks, returns and messages of every order, dated and cut at ``cutoff``."""
    n, bg, r, rt = o.n, cat["background"], rng["events"], rng["texts"]
    eff = np.zeros((len(o.kinds), len(CONSEQUENCES)))
    for i, name in enumerate(o.kinds[1:], start=1):
        eff[i] = [cat["effects"][name][c] for c in CONSEQUENCES]
    hits = r.random((len(CONSEQUENCES), n)) < eff[o.kind].T
    neg, ret, claim, cb, msg = hits
    delivered = o.shipped & ~o.lost
    base = np.where(o.lost, o.latest_delivery, o.delivered)  # lost parcels: buyers act after the promise
    ok = o.kind == 0

    # Feedback: negative on problems, a normal share of 3-5 stars otherwise.
    pos = delivered & ok & (r.random(n) < bg["feedback"])
    ratings = np.asarray([int(x) for x in bg["feedback_ratings"]])
    pos_rating = ratings[r.choice(len(ratings), n, p=_p(list(bg["feedback_ratings"].values())))]
    rating = np.where(neg, np.where(r.random(n) < 0.6, 1, 2), pos_rating)
    fb_date = base + np.where(neg, r.integers(6 * HOUR, 20 * DAY, n), r.integers(2 * HOUR, 25 * DAY, n))
    struck = o.kind == o.kinds.index("amazon_fulfillment")
    removed = neg & (r.random(n) < np.where(struck, bg["afn_complaint_struck"], bg["feedback_removed"]))
    no_text = pos & (r.random(n) < bg["feedback_without_text"])
    rows = np.flatnonzero((neg | pos) & (fb_date <= cutoff))
    fb_cause = np.where(neg[rows], o.text_cause[rows],
                        np.where(rating[rows] == 3, "neutral", "positive")).astype(object)
    # FBA buyers blame Amazon's delivery for lateness / non-arrival (the feedback Amazon strikes through).
    afn_delivery = o.afn[rows] & np.isin(fb_cause, ["late_delivery", "item_not_received"])
    fb_cause[afn_delivery] = "amazon_fulfillment"
    groups = {**txt["feedback"]["negative"], "positive": txt["feedback"]["positive"],
              "neutral": txt["feedback"]["neutral"]}
    text = _texts_by_cause(o, cat, rows, fb_cause, groups, rt)
    text = pa.array(np.where(no_text[rows], None, text.to_numpy(zero_copy_only=False)), type=pa.string())
    feedback = {"order": rows, "date": fb_date[rows], "rating": rating[rows],
                "text": append_pii(text, rt, bg["pii_in_text"], txt["pii"]), "removed": removed[rows]}

    # A-to-z claims.
    claim_date = base + r.integers(2 * DAY, 25 * DAY, n)
    claim_status = _pick(r, n, bg["claim_statuses"])
    recent = claim_date > cutoff - 5 * DAY
    claim_status = np.where(recent & (r.random(n) < 0.7), "open", claim_status)
    rows = np.flatnonzero(claim & (claim_date <= cutoff))
    claims = {"order": rows, "date": claim_date[rows],
              "reason": _texts_by_cause(o, cat, rows, o.text_cause[rows].astype(object), txt["claim_reason"], rt),
              "status": claim_status[rows]}

    # Chargebacks: service ones on problems, plus a few on normal orders (many of them fraud).
    # A fixed number (not a coin per order) so that even a small sample has a few, some of them fraud.
    eligible = np.flatnonzero(o.shipped & ok)
    picked = r.permutation(eligible)[:int(round(eligible.size * bg["chargeback"]))]
    extra = np.zeros(n, dtype=bool)
    extra[picked] = True
    fraud = np.zeros(n, dtype=bool)
    fraud[picked[:int(np.ceil(picked.size * bg["chargeback_fraud_share"]))]] = True
    cb_type = np.where(fraud, "fraud", "service")
    cb_date = base + r.integers(7 * DAY, 45 * DAY, n)
    outcome = _pick(r, n, bg["chargeback_outcomes"])
    outcome = np.where(cb_date > cutoff - 7 * DAY, "open", outcome)
    rows = np.flatnonzero((cb | extra) & (cb_date <= cutoff))
    chargebacks = {"order": rows, "date": cb_date[rows], "type": cb_type[rows], "outcome": outcome[rows]}

    # Returns: problem returns plus no-fault ones.
    no_fault = delivered & ok & (r.random(n) < bg["returns_no_fault"])
    ret_date = o.delivered + r.integers(1 * DAY, 25 * DAY, n)
    rows = np.flatnonzero(((ret & delivered) | no_fault) & (ret_date <= cutoff))
    ret_cause = np.where(no_fault[rows], "no_fault", o.text_cause[rows]).astype(object)
    comment = _texts_by_cause(o, cat, rows, ret_cause, txt["return_comment"], rt)
    returns = {"order": rows, "date": ret_date[rows],
               "reason": _texts_by_cause(o, cat, rows, ret_cause, txt["return_reason"], rt),
               "comment": append_pii(comment, rt, bg["pii_in_text"], txt["pii"])}

    # Buyer messages: "where is my order" / "it arrived broken" on problems, questions on some other orders.
    late_ship_kind = o.kind == o.kinds.index("late_shipment")
    prob_recv = np.where(late_ship_kind, o.latest_ship + r.integers(2 * HOUR, 2 * DAY, n),
                         base + r.integers(1 * HOUR, 4 * DAY, n))
    question = r.random(n) < bg["messages"]
    q_recv = o.purchase + r.integers(1 * HOUR, 5 * DAY, n)
    order = np.concatenate([np.flatnonzero(msg), np.flatnonzero(question)])
    received = np.concatenate([prob_recv[msg], q_recv[question]])
    keep = received <= cutoff
    messages = {"order": order[keep], "received": received[keep]}
    return {"feedback": feedback, "claims": claims, "chargebacks": chargebacks, "returns": returns,
            "messages": messages}


def responses(messages: dict, cat: dict, clock: Clock, rng: dict, *, vacation, rate: float | None,
              never: float, cutoff: int) -> np.ndarray:
    """Fill ``responded`` / ``no_response_needed`` of the messages; with ``rate`` set, the seller is away during
    ``vacation`` and answers late or never. Returns the message mask made late by the vacation."""
    r, bg = rng["messages"], cat["background"]
    m = messages["received"].size
    nrn = r.random(m) < bg["no_response_needed"]
    buckets = bg["response_hours"]
    pick = r.choice(len(buckets), m, p=_p([b[1] for b in buckets]))
    lo = np.asarray([(b[0] or [0, 1])[0] * HOUR for b in buckets], dtype=np.int64)[pick]
    hi = np.asarray([(b[0] or [0, 1])[1] * HOUR for b in buckets], dtype=np.int64)[pick]
    unanswered = np.asarray([b[0] is None for b in buckets])[pick] | nrn
    responded = messages["received"] + r.integers(lo, hi)
    late_before = unanswered | (responded - messages["received"] > 24 * HOUR)
    made_late = np.zeros(m, dtype=bool)
    if rate is not None:
        rv = rng["unresponsive_service"]
        day = clock.day_of(messages["received"])
        away = (day >= vacation[0]) & (day <= vacation[1]) & ~nrn & (rv.random(m) < rate)
        gone = away & (rv.random(m) < never)
        back = clock.at(np.full(m, vacation[1] + 1), rv.integers(8 * HOUR, 18 * HOUR, m))
        responded = np.where(away, np.maximum(back, responded), responded)
        unanswered = unanswered | gone
        made_late = away & (gone | (responded - messages["received"] > 24 * HOUR)) & ~late_before
    messages["responded"] = np.where(unanswered | (responded > cutoff), -1, responded)  # -1 = none yet
    messages["no_response_needed"] = nrn
    return made_late
