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

import numpy as np
import pandas as pd

from ..io.combine import isin
from ..metrics.flags import order_groups
from .text import TEXT_CAUSES, classify_detail, decided_of

KEY = ["account", "marketplace", "order_id"]
TEXT_SOURCES = ("feedback_text", "claim_reason", "return_reason", "return_comment")
DEFECT_DATES = ("feedback_date", "claim_date", "chargeback_date")
RATING = "feedback_rating"   # the stars given with feedback_text, an input of the text model


def _bool(series) -> pd.Series:
    return series.astype("boolean").fillna(False).astype(bool)


def first_valid(frame: pd.DataFrame, cols, gid: np.ndarray, n_orders: int) -> pd.DataFrame:
    """Per order (row i = order number i of ``gid``): each column's first non-missing value in row order,
    like ``groupby(...).first()``, but on the integer order numbers instead of hashing string keys."""
    out = {}
    for c in cols:
        s = frame[c]
        rows = np.flatnonzero(s.notna().to_numpy(bool))
        uniq, first = np.unique(gid[rows], return_index=True)
        take = np.full(n_orders, -1, dtype=np.int64)
        take[uniq] = rows[first]
        out[c] = pd.api.extensions.take(s.array, take, allow_fill=True)
    return pd.DataFrame(out, index=pd.RangeIndex(n_orders))


def _groups(orders: pd.DataFrame, groups) -> tuple[np.ndarray, np.ndarray]:
    return order_groups(orders) if groups is None else groups


def order_texts(orders: pd.DataFrame, flags: pd.DataFrame, *, groups=None) -> pd.DataFrame:
    """Long table (account, marketplace, order_id, source, raw, rating, oid) of every non-empty buyer text per
    order (each source's first non-empty value per order, source by source); ``rating`` is the order's
    feedback rating on a feedback text (missing on the others); ``oid`` is the order's row in ``flags``.
    ``groups``: ``order_groups(orders)`` when already computed."""
    sources = [c for c in TEXT_SOURCES if c in orders.columns]
    if not sources:
        return pd.DataFrame(columns=[*KEY, "source", "raw", "rating", "oid"])
    gid, _ = _groups(orders, groups)
    rated = [RATING] if RATING in orders.columns else []
    firsts = first_valid(orders, sources + rated, gid, len(flags))
    parts = []
    for c in sources:
        raw = firsts[c].astype("string").str.strip()
        oid = np.flatnonzero((raw.notna() & raw.ne("").fillna(False)).to_numpy(bool))
        part = flags[KEY].iloc[oid].reset_index(drop=True)
        part["source"] = c
        part["raw"] = raw.iloc[oid].to_numpy()
        stars = firsts[RATING].iloc[oid] if rated and c == "feedback_text" else None
        part["rating"] = pd.to_numeric(stars, errors="coerce").to_numpy(float) if stars is not None else np.nan
        part["oid"] = oid
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    long["raw"] = long["raw"].astype("string")
    return long


def text_tags(texts: pd.DataFrame, *, policy: dict, lexicon_dirs=()) -> pd.DataFrame:
    """Classify the long text table, each marketplace with its own languages (see policy): one boolean
    column per text cause plus ``decided_by`` (``cause:lexicon`` / ``cause:model`` per tag, see text.py)."""
    out = pd.DataFrame(False, index=texts.index, columns=list(TEXT_CAUSES))
    by = pd.Series("", index=texts.index, dtype=object)
    langs = policy.get("marketplace_languages") or {}
    for mkt, idx in texts.groupby("marketplace", dropna=False, observed=True).groups.items():
        chosen = langs.get(str(mkt))
        chosen = sorted({"en", *chosen}) if chosen else None
        ratings = texts.loc[idx, "rating"] if "rating" in texts.columns else None
        tags, who = classify_detail(texts.loc[idx, "raw"], languages=chosen, lexicon_dirs=lexicon_dirs,
                                    ratings=ratings)
        out.loc[idx] = tags
        by.loc[idx] = decided_of(tags, who)
    return out.assign(decided_by=by)


def first_defect_time(orders: pd.DataFrame, *, groups=None, n_orders: int | None = None,
                      keys: pd.DataFrame | None = None) -> pd.DataFrame:
    """Earliest feedback/claim/chargeback timestamp per order (NaT when none), one row per order in
    ``order_flags`` order. ``keys``: the flags' key columns when at hand (saves gathering them again)."""
    cols = [c for c in DEFECT_DATES if c in orders.columns]
    gid, first_pos = _groups(orders, groups)
    n = len(first_pos) if n_orders is None else n_orders
    firsts = orders[KEY].iloc[first_pos].reset_index(drop=True) if keys is None else \
        keys[KEY].reset_index(drop=True)
    if cols:
        when = first_valid(orders, cols, gid, n).min(axis=1)
    else:
        when = pd.Series(pd.NaT, index=firsts.index, dtype="datetime64[ns, UTC]")
    # .array keeps the tz-aware values (to_numpy() would box a million Timestamps).
    return firsts.assign(first_defect_at=when.array)


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


def _joined(oid: np.ndarray, values: np.ndarray, sep: str, n_orders: int) -> np.ndarray:
    """Per order (object array of ``n_orders``, NaN where none): its ``values`` joined with ``sep`` in row
    order. Joined rank by rank on integer order numbers: the per-order string group-by and the merges back
    were the largest cost of ``order_tags`` at 1M orders in the benchmark profile."""
    out = np.full(n_orders, np.nan, dtype=object)
    if not len(oid):
        return out
    order = np.argsort(oid, kind="stable")
    o, v = oid[order], values[order]
    start = np.r_[True, o[1:] != o[:-1]]
    rank = np.arange(len(o)) - np.maximum.accumulate(np.where(start, np.arange(len(o)), 0))
    out[o[start]] = v[start]
    for r in range(1, int(rank.max()) + 1):
        sel = rank == r
        out[o[sel]] = out[o[sel]] + sep + v[sel]
    return out


def _text_oids(texts: pd.DataFrame, flags: pd.DataFrame) -> np.ndarray:
    """Each text's order row in ``flags`` (``oid`` when ``order_texts`` made the table, else by key)."""
    if "oid" in texts.columns:
        return texts["oid"].to_numpy(np.int64)
    pos = flags[KEY].assign(oid=np.arange(len(flags)))
    return texts[KEY].merge(pos, on=KEY, how="left")["oid"].to_numpy(np.int64)


def order_tags(orders: pd.DataFrame, flags: pd.DataFrame, messages: pd.DataFrame | None = None, *,
               as_of, policy: dict, lexicon_dirs=(), texts: pd.DataFrame | None = None,
               groups=None) -> pd.DataFrame:
    """One row per order of ``flags`` (same order) with a boolean column per cause, plus ``text``,
    ``source``, ``decided_by`` (per text tag: lexicon or model) and ``has_text``.

    ``texts``: the classified long text table (``order_texts`` + ``text_tags``) when already computed.
    ``groups``: ``metrics.flags.order_groups(orders)`` when already computed (flags must come from it).
    """
    f = flags
    # Columns are collected as numpy arrays and framed once (a DataFrame insert per column cost ~0.4 s at 1M).
    out: dict = {}
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

    # Text tags, aggregated per order (any source), with the texts that produced them. Everything is
    # indexed by the order's row (``oid``): out has flags' rows in flags' order.
    n = len(f)
    groups = _groups(orders, groups)
    if texts is None:
        texts = order_texts(orders, f, groups=groups)
        texts = pd.concat([texts, text_tags(texts, policy=policy, lexicon_dirs=lexicon_dirs)], axis=1)
    oid = _text_oids(texts, f)
    tt = texts[list(TEXT_CAUSES)].to_numpy(bool).copy()
    # ``other`` (a complaint with no cause named) adds nothing to an order whose other texts name one.
    k = TEXT_CAUSES.index("other")
    named = np.bincount(oid[np.delete(tt, k, axis=1).any(axis=1)], minlength=n)[:n] > 0
    tt[:, k] &= ~named[oid]
    for j, c in enumerate(TEXT_CAUSES):
        out[c] = np.bincount(oid[tt[:, j]], minlength=n)[:n] > 0
    tagged = tt.any(axis=1)
    src = texts["source"].to_numpy(dtype=object)[tagged]
    raw = texts["raw"].astype(str).to_numpy(dtype=object)[tagged]
    out["text"] = _joined(oid[tagged], src + ": " + raw, " | ", n)
    out["source"] = _joined(oid[tagged], src, ";", n)
    if "decided_by" in texts.columns:  # which of lexicon / model decided each text tag (see text.py)
        who = texts["decided_by"].astype(str).to_numpy(dtype=object)[tagged]
        out["decided_by"] = _joined(oid[tagged], who, ";", n)
    else:
        out["decided_by"] = np.full(n, np.nan, dtype=object)
    out["has_text"] = np.bincount(oid, minlength=n)[:n] > 0

    # Structured late delivery when the shipment's own timeliness is unknown.
    out["late_delivery"] = out["late_delivery"] | (late_del & late_ship.isna()).to_numpy()
    complaint = np.column_stack([out[c] for c in policy["fulfilment_complaints"]]).any(axis=1)
    out["amazon_fulfillment"] = afn & (complaint | late_del.to_numpy())

    # Buyer messages left unanswered before the order's first defect.
    firsts = first_defect_time(orders, groups=groups, n_orders=n, keys=f)
    until = firsts.dropna(subset=["first_defect_at"]).drop_duplicates("order_id").set_index("order_id")["first_defect_at"]
    msgs = late_messages(messages, until=until, as_of=as_of, hours=float(policy["response_hours"]))
    late_ids = pd.Series(sorted(set(msgs.loc[msgs["late"], "order_id"].astype(str))), dtype="string")
    out["unresponsive_service"] = out["unresponsive_service"] | isin(f["order_id"].astype("string"), late_ids)
    causes = list(policy["causes"])
    frame = pd.DataFrame({c: out[c] for c in [*causes, "text", "source", "decided_by", "has_text"]}, index=f.index)
    return pd.concat([f[KEY], frame], axis=1)


def tags_table(per_order: pd.DataFrame) -> pd.DataFrame:
    """The ``--tags`` file: every loaded order with a defect (in any window or none: a negative review,
    claim, chargeback, late or cancelled order outside the analysed span counts too) or a buyer text, with
    ``order_id, tags, text, decided_by``. ``per_order``: ``Diagnosis.tags``."""
    t = per_order
    keep = t["any_defect"].astype(bool) | t["defect"].astype(bool) | t["has_text"].astype(bool) \
        | t["tags"].fillna("").astype(str).ne("")
    cols = [c for c in ("order_id", "tags", "text", "decided_by") if c in t.columns]
    return t.loc[keep.to_numpy(), cols].reset_index(drop=True)
