"""Per-order cause tags from every signal: structured order facts, buyer texts and buyer messages.

``order_tags(orders, flags, messages, as_of=...)`` returns one row per order (account, marketplace,
order_id) with one boolean column per cause id plus ``text`` (the texts that produced a text tag, as
``source: text`` joined by `` | ``) and ``source`` (their column names). Structured rules:

==========================  ===========================================================================
late_shipment               MFN, not cancelled, confirmed after the ship-by date (or unconfirmed and late)
carrier_delay               shipped on time (not late_shipment) but delivered after the promised day, MFN
late_delivery               delivered late when the shipment's timeliness is unknown (no ship data);
                            also a text tag
no_tracking                 MFN shipment confirmed without valid tracking (no carrier scan)
amazon_fulfillment          AFN order with a fulfilment complaint (policy ``fulfilment_complaints`` text tags)
                            or delivered late by Amazon
stockout_or_cancellation    cancelled by the seller, Amazon or an unknown party (never the buyer)
unresponsive_service        a buyer message, received before the order's first defect (or before as_of),
                            left unanswered more than ``response_hours``; also a text tag
==========================  ===========================================================================
"""
from __future__ import annotations

import pandas as pd

from .text import TEXT_CAUSES, classify_texts

KEY = ["account", "marketplace", "order_id"]
TEXT_SOURCES = ("feedback_text", "claim_reason", "return_reason", "return_comment")
DEFECT_DATES = ("feedback_date", "claim_date", "chargeback_date")


def _bool(series) -> pd.Series:
    return series.astype("boolean").fillna(False).astype(bool)


def order_texts(orders: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Long table (account, marketplace, order_id, source, raw) of every non-empty buyer text per order."""
    sources = [c for c in TEXT_SOURCES if c in orders.columns]
    if not sources:
        return pd.DataFrame(columns=[*KEY, "source", "raw"])
    firsts = orders.groupby(KEY, sort=False, observed=True, dropna=False)[sources].first().reset_index()
    long = firsts.melt(id_vars=KEY, value_vars=sources, var_name="source", value_name="raw")
    raw = long["raw"].astype("string").str.strip()
    return long.loc[raw.notna() & raw.ne("").fillna(False)].assign(raw=raw).reset_index(drop=True)


def text_tags(texts: pd.DataFrame, *, policy: dict, lexicon_dirs=()) -> pd.DataFrame:
    """Classify the long text table, each marketplace with its own languages (see policy)."""
    out = pd.DataFrame(False, index=texts.index, columns=list(TEXT_CAUSES))
    langs = policy.get("marketplace_languages") or {}
    for mkt, idx in texts.groupby("marketplace", dropna=False, observed=True).groups.items():
        chosen = langs.get(str(mkt))
        chosen = sorted({"en", *chosen}) if chosen else None
        out.loc[idx] = classify_texts(texts.loc[idx, "raw"], languages=chosen, lexicon_dirs=lexicon_dirs)
    return out


def first_defect_time(orders: pd.DataFrame) -> pd.DataFrame:
    """Earliest feedback/claim/chargeback timestamp per order (NaT when none)."""
    cols = [c for c in DEFECT_DATES if c in orders.columns]
    firsts = orders.groupby(KEY, sort=False, observed=True, dropna=False)[cols].first() if cols else \
        orders.groupby(KEY, sort=False, observed=True, dropna=False).size().to_frame("_").iloc[:, :0]
    when = firsts.min(axis=1) if cols else pd.Series(pd.NaT, index=firsts.index, dtype="datetime64[ns, UTC]")
    return when.rename("first_defect_at").reset_index()


def late_messages(messages: pd.DataFrame | None, *, until: pd.Series | None = None, as_of=None,
                  hours: float = 24) -> pd.DataFrame:
    """Messages needing an answer that were answered after ``hours`` or never, deadline before the cut-off.

    ``until`` (indexed by order_id) limits each order to messages received before that time (its first
    defect); otherwise the cut-off is the start of ``as_of`` (UTC). Returns message rows with ``late``.
    """
    cols = ["message_id", "order_id", "received_at", "responded_at", "late"]
    if messages is None or len(messages) == 0:
        return pd.DataFrame(columns=cols)
    m = messages.copy()
    received = pd.to_datetime(m["received_at"], utc=True)
    responded = pd.to_datetime(m["responded_at"], utc=True) if "responded_at" in m else \
        pd.Series(pd.NaT, index=m.index, dtype="datetime64[ns, UTC]")
    cutoff = pd.Timestamp(as_of or pd.Timestamp.now()).tz_localize(None).normalize().tz_localize("UTC")
    limit = pd.Series(cutoff, index=m.index)
    if until is not None:
        limit = m["order_id"].map(until).fillna(cutoff)
        limit = pd.to_datetime(limit, utc=True).clip(upper=cutoff)
    deadline = received + pd.Timedelta(hours=hours)
    skip = _bool(m["no_response_needed"]) if "no_response_needed" in m else False
    late = ~skip & (received < limit) & (((responded > deadline) & responded.notna())
                                         | (responded.isna() & (deadline < limit)))
    m["received_at"], m["responded_at"], m["late"] = received, responded, late.astype(bool)
    return m[cols]


def _joined(frame: pd.DataFrame, values: pd.Series, sep: str, name: str) -> pd.DataFrame:
    """KEY + ``name``: each order's ``values`` joined with ``sep`` in row order.

    Only orders with several rows go through the Python-level join; most orders have one text, and the
    per-group join was the largest cost of ``order_tags`` at 1M orders in the benchmark profile.
    """
    multi = frame.duplicated(KEY, keep=False).to_numpy()
    out = frame.loc[~multi, KEY].assign(**{name: values[~multi].astype(object).to_numpy()})
    if multi.any():
        part = frame.loc[multi, KEY].assign(_v=values[multi].astype(object).to_numpy())
        joined = part.groupby(KEY, sort=False, dropna=False)["_v"].agg(sep.join).rename(name).reset_index()
        out = pd.concat([out, joined], ignore_index=True)
    return out.reset_index(drop=True)


def order_tags(orders: pd.DataFrame, flags: pd.DataFrame, messages: pd.DataFrame | None = None, *,
               as_of, policy: dict, lexicon_dirs=(), texts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per order of ``flags`` with a boolean column per cause, plus ``text`` and ``source``.

    ``texts``: the classified long text table (``order_texts`` + ``text_tags``) when already computed.
    """
    f = flags
    out = f[KEY].copy()
    mfn = f["fulfillment_channel"].eq("MFN").fillna(False).to_numpy()
    afn = f["fulfillment_channel"].eq("AFN").fillna(False).to_numpy()
    cancelled = _bool(f["cancelled"]).to_numpy()
    late_ship = f["late_shipment"].astype("boolean")
    # A cancelled order is "undelivered past its promise" in the flags, but nothing was late: it never shipped.
    late_del = _bool(f["late_delivery"]) & ~cancelled
    shipped = _bool(f["shipped"])
    out["late_shipment"] = mfn & ~cancelled & _bool(late_ship).to_numpy()
    out["carrier_delay"] = mfn & late_del.to_numpy() & late_ship.eq(False).fillna(False).to_numpy()
    out["no_tracking"] = mfn & shipped.to_numpy() & f["tracking_valid"].astype("boolean").eq(False).fillna(False).to_numpy()
    out["stockout_or_cancellation"] = _bool(f["seller_cancelled"]).to_numpy()

    # Text tags, aggregated per order (any source), with the texts that produced them.
    if texts is None:
        texts = order_texts(orders, f)
        texts = pd.concat([texts, text_tags(texts, policy=policy, lexicon_dirs=lexicon_dirs)], axis=1)
    tt = texts[list(TEXT_CAUSES)]
    tagged = texts.loc[tt.any(axis=1)]
    per_order = tagged.groupby(KEY, sort=False, observed=True, dropna=False)[list(TEXT_CAUSES)].any()
    shown = _joined(tagged, tagged["source"] + ": " + tagged["raw"].astype(str), " | ", "text")
    srcs = _joined(tagged, tagged["source"], ";", "source")
    out = out.merge(per_order.reset_index(), on=KEY, how="left")
    out = out.merge(shown, on=KEY, how="left").merge(srcs, on=KEY, how="left")
    for c in TEXT_CAUSES:
        out[c] = out[c].astype("boolean").fillna(False).astype(bool)
    has_text = texts.groupby(KEY, sort=False, observed=True, dropna=False).size().rename("n_texts")
    out = out.merge(has_text.reset_index(), on=KEY, how="left")
    out["has_text"] = out.pop("n_texts").fillna(0).gt(0)

    # Structured late delivery when the shipment's own timeliness is unknown.
    out["late_delivery"] = out["late_delivery"] | (late_del & late_ship.isna()).to_numpy()
    complaint = out[list(policy["fulfilment_complaints"])].any(axis=1).to_numpy()
    out["amazon_fulfillment"] = afn & (complaint | late_del.to_numpy())

    # Buyer messages left unanswered before the order's first defect.
    firsts = first_defect_time(orders)
    until = firsts.dropna(subset=["first_defect_at"]).drop_duplicates("order_id").set_index("order_id")["first_defect_at"]
    msgs = late_messages(messages, until=until, as_of=as_of, hours=float(policy["response_hours"]))
    late_ids = set(msgs.loc[msgs["late"], "order_id"].astype(str))
    out["unresponsive_service"] = out["unresponsive_service"] | out["order_id"].astype(str).isin(late_ids)
    causes = list(policy["causes"])
    return out[[*KEY, *causes, "text", "source", "has_text"]]
