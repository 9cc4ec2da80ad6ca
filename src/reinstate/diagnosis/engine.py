"""``diagnose``: from defective orders to ranked, evidenced root-cause hypotheses.

    dx = reinstate.diagnose(data, as_of="2026-11-16")
    dx.hypotheses          # tidy: rank, cause, dimension, value, start, end, defects_explained, share, ...
    dx.tags                # per order: tags, the text that produced a text tag, its source column
    print(dx.summary())
    dx.to_json()           # the JSON contract of the CLI (``reinstate diagnose --json``)

The steps: per-order metric facts (``metrics.flags.order_flags``) -> analysed window and defects
(``defects``) -> per-order cause tags (``tags``, ``text``) -> cause x scope tests, merging and ranking
(``hypotheses``) -> one sentence per hypothesis (``statements``). Policy lives in ``policy.yaml``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from ..dataset import messages_of, orders_of
from ..errors import ReinstateError
from ..metrics.flags import order_flags, order_groups
from ..metrics.windows import to_day
from . import hypotheses as hyp
from .defects import bool_array, joined_names, mark_defects
from .policy import load_policy
from .scopes import memberships
from .statements import nested_phrase, statement
from .tags import KEY, late_messages, order_tags, order_texts, text_tags
from .text import TEXT_CAUSES

try:  # the loader's masker when present (it knows Amazon order ids are not phone numbers)
    from ..io.pii import mask_text
except ImportError:  # pragma: no cover - fallback while the loader is being written
    import re

    def mask_text(s):
        s = re.sub(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", "[email]", s)
        return re.sub(r"(?<![\w+])\+?\(?\d[\d ().\-/]{5,}\d(?!\w)", "[phone]", s)

REQUIRED = ("order_id", "purchase_date", "fulfillment_channel", "order_status")
HYPOTHESIS_COLUMNS = ["rank", "cause", "dimension", "value", "start", "end", "defects_explained", "share",
                      "scope_rate", "rest_rate", "lift", "p_value", "p_adjusted", "confidence", "example_orders",
                      "quotes", "statement", "nested_in", "order_ids"]


class DiagnosisInputError(ReinstateError):
    """The order table cannot be diagnosed (a required column is missing, an unknown account, ...)."""


@dataclass
class Diagnosis:
    """Result of ``diagnose``. ``hypotheses`` lists headline rows (rank 1..n) then nested ones (rank NA,
    ``nested_in`` = their headline's rank). ``orders`` holds the per-order facts used (for plots)."""
    as_of: object
    hypotheses: pd.DataFrame
    tags: pd.DataFrame
    defects_total: int
    unexplained: int
    orders: pd.DataFrame = field(repr=False, default=None)
    texts: pd.DataFrame = field(repr=False, default=None)

    @property
    def headlines(self) -> pd.DataFrame:
        """Ranked headline hypotheses only."""
        return self.hypotheses[self.hypotheses["rank"].notna()].reset_index(drop=True)

    def to_dict(self) -> dict:
        """The JSON contract of the issue, as Python objects."""
        def day(x):
            return None if x is None or pd.isna(x) else pd.Timestamp(x).date().isoformat()

        def num(x):
            return None if x is None or pd.isna(x) or not np.isfinite(x) else float(x)
        causes = []
        for r in self.headlines.itertuples(index=False):
            causes.append({
                "cause": r.cause,
                "scope": {"dimension": r.dimension, "value": None if pd.isna(r.value) else str(r.value),
                          "start": day(r.start), "end": day(r.end)},
                "defects_explained": int(r.defects_explained),
                "share": float(r.share),
                "lift": num(r.lift),
                "p_value": num(r.p_value),
                "confidence": r.confidence,
                "example_orders": list(r.example_orders),
                "quotes": list(r.quotes),
                "statement": r.statement,
            })
        return {"as_of": day(self.as_of), "defects_total": int(self.defects_total), "causes": causes,
                "unexplained": int(self.unexplained)}

    def to_json(self, **kwargs) -> str:
        """``to_dict()`` as a JSON string (``json.dumps`` keyword arguments pass through)."""
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)

    def summary(self, top: int = 5) -> str:
        """A few readable lines: the defect count, the top hypotheses with confidence, what is unexplained."""
        lines = [f"Diagnosis as of {pd.Timestamp(self.as_of).date()}: {self.defects_total} defects analysed."]
        heads = self.headlines
        if heads.empty:
            lines.append("No cause could be established.")
        for r in heads.head(top).itertuples(index=False):
            lines.append(f"{int(r.rank)}. [{r.confidence}] {r.statement}")
        if len(heads) > top:
            lines.append(f"... and {len(heads) - top} more hypotheses.")
        lines.append(f"Unexplained: {self.unexplained} defects.")
        return "\n".join(lines)


def _orders(data, account, marketplace) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    orders = orders_of(data)
    if not isinstance(orders, pd.DataFrame):
        raise DiagnosisInputError("diagnose expects a reinstate Dataset or a canonical order DataFrame")
    missing = [c for c in REQUIRED if c not in orders.columns]
    if missing:
        raise DiagnosisInputError(f"order table: missing column '{missing[0]}' "
                                  f"(expected the canonical columns {', '.join(REQUIRED)})")
    fill = {c: v for c, v in (("account", "default"), ("marketplace", marketplace or "US")) if c not in orders}
    if fill:
        orders = orders.assign(**{c: pd.Series(v, index=orders.index, dtype="string") for c, v in fill.items()})
    if account is not None:
        known = orders["account"].astype("string")
        if not known.eq(str(account)).any():
            shown = ", ".join(map(str, known.dropna().unique()[:10]))
            raise DiagnosisInputError(f"account '{account}' is not in the data (accounts: {shown})")
        orders = orders[known.eq(str(account)).fillna(False).to_numpy()]
    return orders, messages_of(data)


def _given_flags(flags: pd.DataFrame, account, n_orders: int) -> pd.DataFrame:
    """A precomputed ``order_flags`` frame narrowed to ``account``, without the metric stage's helper columns;
    it must hold exactly the orders being diagnosed."""
    if account is not None:
        flags = flags[flags["account"].astype("string").eq(str(account)).fillna(False).to_numpy()]
    flags = flags.drop(columns=[c for c in flags.columns if c.startswith("_")]).reset_index(drop=True)
    if len(flags) != n_orders:
        raise ValueError(f"flags hold {len(flags)} orders, the data {n_orders}: pass the order_flags of the "
                         "same orders")
    return flags


def _first_present(frame: pd.DataFrame, cols, gid: np.ndarray, n_orders: int) -> pd.DataFrame:
    """``tags.first_valid``: per order, each column's first non-missing value in row order, found with one
    ``np.minimum.at`` over the rows (``np.unique``'s sort was most of its cost at 1M orders)."""
    out = {}
    for c in cols:
        s = frame[c]
        rows = np.flatnonzero(s.notna().to_numpy(bool))
        first = np.full(n_orders, len(frame), dtype=np.int64)
        np.minimum.at(first, gid[rows], rows)
        take = np.where(first < len(frame), first, -1)
        out[c] = pd.api.extensions.take(s.array, take, allow_fill=True)
    return pd.DataFrame(out, index=pd.RangeIndex(n_orders))


def _distinct_text_tags(texts: pd.DataFrame, policy: dict, lexicon_dirs) -> pd.DataFrame:
    """``text_tags(texts)``, classifying each distinct (marketplace, source, text, rating) once and placing the
    result on every text row that has it. Buyer texts repeat a lot (about 2,900 distinct of 124k at 1M orders):
    tagging and joining the ``decided_by`` strings row by row was most of the text stage's cost."""
    cols = [c for c in ("marketplace", "source", "raw", "rating") if c in texts.columns]
    if not len(texts):
        return text_tags(texts, policy=policy, lexicon_dirs=lexicon_dirs)
    key = np.zeros(len(texts), dtype=np.int64)
    for c in cols:  # one integer per distinct combination (a missing value is a value of its own)
        codes, uniques = pd.factorize(texts[c], use_na_sentinel=False)
        key = key * (len(uniques) + 1) + codes
    inverse, distinct = pd.factorize(key)
    first = np.full(len(distinct), len(key), dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(len(key)))
    tagged = text_tags(texts[cols].iloc[first].reset_index(drop=True), policy=policy, lexicon_dirs=lexicon_dirs)
    return tagged.iloc[inverse].set_axis(texts.index)


def _primary(facts: pd.DataFrame, policy: dict, defect: np.ndarray) -> pd.Series:
    """Each defect's first tag in policy ``primary_order`` (missing for other orders), as strings."""
    # Integer codes, made strings once by Arrow: a Python object per order, then Series(dtype="string")
    # over them, was a visible cost at 1M orders (as was Series.mask per cause before that).
    names = list(policy["primary_order"])
    code = np.full(len(facts), -1, dtype=np.int32)
    for j in reversed(range(len(names))):
        code[facts["t_" + names[j]].to_numpy(bool)] = j
    code[~defect] = -1
    arr = pa.DictionaryArray.from_arrays(pa.array(code, mask=code < 0), pa.array(names, pa.string()))
    return pd.Series(pd.array(arr.cast(pa.string()), dtype="string"), index=facts.index)


def _text_rows(texts: dict, oids: np.ndarray) -> np.ndarray:
    """Positions (ascending) of the text rows of the orders ``oids``, like ``np.flatnonzero(np.isin(
    texts["oid"], oids))`` but by binary search in the texts sorted by order once (``by_oid``), not a scan
    and sort of every text per hypothesis."""
    by, sorted_oid = texts["by_oid"], texts["sorted_oid"]
    lo, hi = np.searchsorted(sorted_oid, oids, "left"), np.searchsorted(sorted_oid, oids, "right")
    counts = hi - lo
    if not counts.sum():
        return np.zeros(0, dtype=np.int64)
    lo, counts = lo[counts > 0], counts[counts > 0]
    ends = np.cumsum(counts)
    pos = np.arange(ends[-1]) + np.repeat(lo - (ends - counts), counts)
    return np.sort(by[pos])


def _evidence(oids, slim, texts, cause, policy):
    """Up to N example order ids (orders with a quote first, then the most recent) and up to M masked,
    truncated quotes for the explained orders."""
    oids = np.asarray(oids)
    quotes: list[str] = []
    quoted = np.zeros(len(oids), dtype=bool)
    if texts is not None and len(texts["oid"]):
        # ``texts``: numpy columns made once in diagnose (indexing the frame per hypothesis row was most of
        # this function at 1M orders).
        sel = _text_rows(texts, oids)
        if cause in TEXT_CAUSES:
            sel = sel[texts[cause][sel]]
        quoted = np.isin(oids, texts["oid"][sel])
        raw = pd.unique(texts["raw"][sel])
        # Representative: mid-length first (very short texts say little, very long ones get cut).
        lengths = np.fromiter((len(t) for t in raw), dtype=np.int64, count=len(raw))
        raw = raw[np.argsort(np.abs(lengths - 70), kind="stable")]
        width = int(policy["quote_chars"])
        for text in raw[: int(policy["quotes"])]:
            text = " ".join(mask_text(text).split())
            quotes.append(text if len(text) <= width else text[: width - 1].rstrip() + "…")
    when = slim["purchase_ns"][oids]
    order = np.lexsort((-when, ~quoted))
    ids = slim["order_id"][oids[order]]
    return [str(x) for x in ids[: int(policy["example_orders"])]], quotes


def diagnose(data, *, as_of=None, min_support: int = 3, alpha: float = 0.05, account=None,
             marketplace: str | None = None, start=None, end=None, odr_offset_days: int = 15,
             lexicon_dirs=(), policy: dict | None = None, flags: pd.DataFrame | None = None) -> Diagnosis:
    """Ranked root-cause hypotheses for the defects and operational misses in the analysed window.

    ``data``: a Dataset or canonical order DataFrame. ``as_of``: the Account Health day (default today).
    ``min_support``: fewest defects a hypothesis needs. ``alpha``: significance after correction.
    ``account``: diagnose one account of a multi-account table. ``start``/``end``: replace the metric
    windows by one purchase-day span. ``lexicon_dirs``: extra lexicon folders (see ``diagnose.text``).
    ``policy``: overrides of policy.yaml keys. ``flags``: ``order_flags`` of these orders at this ``as_of``
    already computed (``reinstate.Analysis`` passes its one pass), rows in the orders' first-appearance order.
    """
    pol = load_policy(policy)
    as_of = pd.Timestamp(to_day(as_of, "as_of"))
    orders, messages = _orders(data, account, marketplace)
    causes = list(pol["causes"])
    # The order key is factorised once: order i of every per-order frame below is row i of ``flags``, and
    # item rows point at it through ``groups[0]``. Merges on the (account, marketplace, order_id) strings
    # at each stage were most of ``diagnose`` at 1M orders in the benchmark profile.
    groups = order_groups(orders)
    if flags is None:
        flags = order_flags(orders, as_of=as_of, groups=groups)
    else:
        flags = _given_flags(flags, account, len(groups[1]))
    extra = [c for c in ("sku", "asin") if c in orders.columns and c not in flags.columns]
    if extra:  # the first item's SKU/ASIN, for per-order views (scopes use every item, see scopes.py)
        flags = pd.concat([flags, _first_present(orders, extra, groups[0], len(flags))], axis=1)

    texts = order_texts(orders, flags, groups=groups)
    texts = pd.concat([texts, _distinct_text_tags(texts, pol, lexicon_dirs)], axis=1)
    tags = order_tags(orders, flags, messages, as_of=as_of, policy=pol, lexicon_dirs=lexicon_dirs, texts=texts,
                      groups=groups)
    lrr = late_messages(messages, as_of=as_of, hours=float(pol["response_hours"]))
    marked = mark_defects(flags, lrr, as_of=as_of, start=start, end=end, odr_offset_days=odr_offset_days)
    # Tag columns get a "t_" prefix: flags already has late_shipment, late_delivery, ... as metric facts.
    # order_tags keeps flags' rows in order, so the tags are placed side by side (no key merge).
    facts = pd.concat([marked, tags.drop(columns=KEY).rename(columns={c: "t_" + c for c in causes})], axis=1)
    for c in causes:
        if facts["t_" + c].dtype != bool:  # order_tags gives plain bools: nothing to fill then
            facts["t_" + c] = facts["t_" + c].fillna(False).astype(bool)
    analysed = facts["analysed"].to_numpy(bool)
    defect = facts["defect"].to_numpy(bool) & analysed
    evidence = facts[["t_" + c for c in causes]].to_numpy(bool) & analysed[:, None]
    hit = evidence & defect[:, None]
    facts["primary_cause"] = _primary(facts, pol, defect)

    # Only analysed orders count in any test (eligibility requires it): their pairs alone are built.
    members = memberships(orders, flags, pol["dimensions"], gid=groups[0], keep=analysed)
    heads = hyp.build(facts, hit, analysed, members, causes, policy=pol, min_support=min_support, alpha=alpha,
                      evidence=evidence)

    total = int(defect.sum())
    # texts carry their order's row position (``oid``) from order_texts; it is their last column.
    texts = texts[[c for c in texts.columns if c != "oid"] + ["oid"]]
    # Plain numpy columns, converted once: each hypothesis row below only indexes them.
    slim = {"order_id": facts["order_id"].astype(str).array,  # indexed per hypothesis; boxing all cost ~0.3 s at 1M
            "purchase_ns": facts["purchase_date"].astype("int64").to_numpy(),
            "t_no_tracking": facts["t_no_tracking"].to_numpy(bool),
            "t_late_shipment": facts["t_late_shipment"].to_numpy(bool),
            "late_delivery": bool_array(facts["late_delivery"])}
    for c in ("purchase_day", "ship_by_day", "delivery_by_day"):
        if c in facts.columns:
            slim[c] = facts[c].to_numpy(dtype="datetime64[ns]")
    text_cols = {"oid": texts["oid"].to_numpy(np.int64), "raw": texts["raw"].astype(str).to_numpy(dtype=object),
                 **{c: texts[c].to_numpy(bool) for c in TEXT_CAUSES if c in texts.columns}}
    text_cols["by_oid"] = np.argsort(text_cols["oid"], kind="stable")
    text_cols["sorted_oid"] = text_cols["oid"][text_cols["by_oid"]]
    rows, covered = [], np.zeros(len(facts), dtype=bool)
    for rank, h in enumerate(heads, start=1):
        for c in (h, *h.nested):
            covered[c.oids] = True
            rows.append(_row(c, rank if c is h else None, None if c is h else rank, h, slim, text_cols, total,
                             pol))
    frame = pd.DataFrame(rows, columns=HYPOTHESIS_COLUMNS)
    frame["rank"] = frame["rank"].astype("Int64")
    frame["nested_in"] = frame["nested_in"].astype("Int64")
    frame = pd.concat([frame[frame["rank"].notna()], frame[frame["rank"].isna()]], ignore_index=True)

    joined = pd.Series(joined_names(facts[["t_" + c for c in causes]].to_numpy(bool), causes),
                       index=facts.index, dtype=object)
    any_defect = np.logical_or.reduce([bool_array(facts[c]) for c in ("defective", "late_shipment", "seller_cancelled",
                                                                  "late_delivery", "t_no_tracking")])
    per_order = pd.DataFrame({
        "order_id": facts["order_id"], "account": facts["account"], "marketplace": facts["marketplace"],
        "tags": joined, "text": facts["text"], "source": facts["source"], "decided_by": facts["decided_by"],
        "analysed": facts["analysed"], "defect": pd.Series(defect, index=facts.index),
        "kinds": facts["kinds"], "any_defect": any_defect,
        "has_text": pd.Series(bool_array(facts["has_text"]), index=facts.index),
        "primary_cause": facts["primary_cause"],
    })
    return Diagnosis(as_of=as_of, hypotheses=frame, tags=per_order, defects_total=total,
                     unexplained=int((defect & ~covered).sum()), orders=facts, texts=texts)


def _row(c, rank, nested_in, head, slim, texts, total, pol):
    extras = {}
    tagged = {k: v[c.oids] for k, v in slim.items()}
    if c.cause in ("item_not_received", "late_delivery", "carrier_delay", "amazon_fulfillment"):
        extras["no_scan"] = int(tagged["t_no_tracking"].sum())
    if c.cause in ("item_not_received", "late_delivery", "unresponsive_service"):
        extras["shipped_late"] = int(tagged["t_late_shipment"].sum())
    if c.cause == "no_tracking":
        extras["delivered_late"] = int(tagged["late_delivery"].sum())
    start, end = c.start, c.end
    if c.dimension not in ("period", "account") and len(c.oids):
        # hyp.event_days on the numpy columns (a DataFrame per hypothesis row was most of this function).
        day = np.full(len(c.oids), np.datetime64("NaT", "ns"))
        for col in pol["event_day"].get(c.cause, pol["event_day"]["default"]):
            if col.endswith("_day") and col in tagged:
                fill = np.isnat(day)
                day[fill] = tagged[col][fill]
        day = day[~np.isnat(day)]
        if len(day):
            start, end = pd.Timestamp(day.min()), pd.Timestamp(day.max())
    # Same-cause nested scopes are alternative descriptions of the same orders; only other causes add news.
    # At most three, the largest first: the sentence must stay readable in a letter.
    others = sorted((n for n in c.nested if n.cause != c.cause), key=lambda n: -n.d)
    seen, picked = set(), []
    for n in others:
        if n.cause not in seen:
            seen.add(n.cause)
            picked.append(n)
    nested = [nested_phrase(n.cause, n.dimension, n.value, n.start, n.end, n.d) for n in picked[:3]] \
        if rank is not None else None
    ref = pol["account_reference_rate"]
    text = statement(cause=c.cause, dimension=c.dimension, value=c.value, start=start, end=end, k=c.d,
                     total=total, scope_rate=c.scope_rate, rest_rate=c.rest_rate,
                     reference=ref.get(c.cause, ref["default"]), extras=extras, nested=nested)
    examples, quotes = _evidence(c.oids, slim, texts, c.cause, pol)
    return [rank, c.cause, c.dimension, c.value, start, end, c.d, c.d / total if total else 0.0, c.scope_rate,
            c.rest_rate, c.lift, c.p_value, c.p_adjusted, c.confidence, examples, quotes, text, nested_in,
            slim["order_id"][c.oids].tolist()]
