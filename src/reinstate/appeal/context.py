"""Build the data a letter template sees: metrics, diagnosed causes with their actions, seller details.

The context is a plain dict of plain values (str, int, float, list, dict), so the sandboxed template
can read it and tests can compare it. Analyst-typed text goes in as values, never as template source.
"""
from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

from ..errors import ConfigError
from .formatting import as_date, fill_slots, fmt_date, fmt_pct, fmt_span
from .registry import action_library

METRIC_LABELS = {
    "order_defect_rate": "Order Defect Rate",
    "negative_feedback_rate": "negative feedback rate",
    "a_to_z_claim_rate": "A-to-z Guarantee claim rate",
    "chargeback_rate": "chargeback rate",
    "late_shipment_rate": "Late Shipment Rate",
    "pre_fulfillment_cancel_rate": "Pre-fulfilment Cancel Rate",
    "valid_tracking_rate": "Valid Tracking Rate",
    "on_time_delivery_rate": "On-Time Delivery Rate",
    "late_response_rate": "late response rate",
}
COMPONENTS = ("negative_feedback_rate", "a_to_z_claim_rate", "chargeback_rate")
NOUNS = {"negative_feedback_rate": "negative feedback entries", "a_to_z_claim_rate": "A-to-z Guarantee claims",
         "chargeback_rate": "chargebacks"}
CHANNEL_LABELS = {"MFN": "seller-fulfilled", "AFN": "Fulfilled by Amazon"}
STATUS_RANK = {"breached": 3, "at_risk": 2, "good": 1, "no_data": 0}
CONFIDENCE_RANK = {"high": 3, "medium": 2, "low": 1}
SELLER_KEYS = ("seller_name", "store_name", "marketplace", "merchant_token")
SCOPE_PHRASES = {
    "sku": "for SKU {value}", "asin": "for ASIN {value}", "product_category": "in the {value} category",
    "carrier": "shipped with {value}", "ship_from": "shipped from {value}",
    "fulfillment_channel": "on {value} orders",
}


def _clean(value):
    """NaN/NA/NaT -> None; numpy scalars -> Python scalars."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict, str)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    return value


def _metric_row(row: dict) -> dict:
    rate, target = _clean(row.get("rate")), _clean(row.get("target"))
    channel = _clean(row.get("channel")) or ""
    out = {
        "metric": row["metric"], "label": METRIC_LABELS.get(row["metric"], row["metric"].replace("_", " ")),
        "channel": channel, "channel_label": CHANNEL_LABELS.get(channel, channel),
        "window_days": _clean(row.get("window_days")),
        "window_start": fmt_date(row.get("window_start")), "window_end": fmt_date(row.get("window_end")),
        "window": fmt_span(row.get("window_start"), row.get("window_end")),
        "numerator": int(_clean(row.get("numerator")) or 0), "denominator": int(_clean(row.get("denominator")) or 0),
        "rate": rate, "rate_pct": fmt_pct(rate), "target": target, "target_pct": fmt_pct(target),
        "condition": _clean(row.get("condition")) or "", "status": _clean(row.get("status")) or "no_data",
        "noun": NOUNS.get(row["metric"], "orders"),
    }
    words = {"<": "below", "<=": "at most", ">": "above", ">=": "at least"}.get(out["condition"], out["condition"])
    out["target_phrase"] = f"{words} {out['target_pct']}"
    # How much one order moves the rate: the fact a low-volume seller needs to state.
    out["per_order_pct"] = fmt_pct(1 / out["denominator"]) if out["denominator"] else "n/a"
    return out


def _badness(row: dict) -> tuple:
    rate = row["rate"] if row["rate"] is not None else 0.0
    lower_is_better = row["condition"] in ("<", "<=")
    return (STATUS_RANK.get(row["status"], 0), rate if lower_is_better else -rate, row["denominator"])


def metrics_from_health(health: pd.DataFrame | None, *, marketplace: str | None = None) -> tuple[dict, list]:
    """(worst row per metric, rows that are breached or at risk) from the tidy account-health table."""
    if health is None or len(health) == 0:
        return {}, []
    frame = health
    if marketplace and "marketplace" in frame.columns and (frame["marketplace"] == marketplace).any():
        frame = frame[frame["marketplace"] == marketplace]
    rows = [_metric_row(r) for r in frame.to_dict("records") if r.get("metric")]
    worst: dict[str, dict] = {}
    for row in rows:
        if row["metric"] not in worst or _badness(row) > _badness(worst[row["metric"]]):
            worst[row["metric"]] = row
    odr = worst.get("order_defect_rate")
    if odr:  # the ODR components of the same channel and window, for "N claims, M negative feedback"
        odr["components"] = [
            r for r in rows if r["metric"] in COMPONENTS and r["channel"] == odr["channel"]
            and r["window"] == odr["window"] and r["numerator"] > 0
        ]
    flagged = sorted((r for r in rows if r["status"] in ("breached", "at_risk")), key=_badness, reverse=True)
    return worst, flagged


def _hypotheses(diagnosis) -> pd.DataFrame:
    if diagnosis is None:
        return pd.DataFrame()
    # Headline rows only: nested hypotheses restate part of a headline and must not get their own triple.
    frame = diagnosis if isinstance(diagnosis, pd.DataFrame) else getattr(
        diagnosis, "headlines", getattr(diagnosis, "hypotheses", None))
    if frame is None:
        raise ConfigError("diagnosis has no 'hypotheses' table (expected the result of reinstate.diagnose)")
    if "rank" in frame.columns:
        frame = frame[frame["rank"].notna()].sort_values("rank", kind="stable")
    return frame


def _defects_total(diagnosis, frame: pd.DataFrame) -> int | None:
    total = getattr(diagnosis, "defects_total", None)
    if total is not None and not callable(total):
        return int(total)
    for row in frame.to_dict("records"):
        share, n = _clean(row.get("share")), _clean(row.get("defects_explained"))
        if share and n:
            return round(n / share)
    return None


def _scope(row: dict) -> tuple[str, str]:
    """(pattern kind, phrase) for a hypothesis scope."""
    dimension = _clean(row.get("dimension")) or "account"
    value = _clean(row.get("value"))
    start, end = _clean(row.get("start")), _clean(row.get("end"))  # NaT is truthy: clean it first
    if dimension == "period" or (value is None and dimension != "account" and (start or end)):
        return "period", f"between {fmt_date(start)} and {fmt_date(end)}" if start and end else fmt_span(start, end)
    if dimension == "account" or value is None:
        return "account", "across the account"
    phrase = SCOPE_PHRASES.get(dimension, "for " + dimension.replace("_", " ") + " {value}")
    return "scoped", phrase.format(value=value)


def suggested_explanation(cause_id: str, row: dict | None = None) -> str:
    """The action library's explanation for a cause and scope: a suggestion the analyst confirms or rewrites."""
    library = action_library()
    group = library.get(cause_id) or library["other"]
    kind, phrase = _scope(dict(row or {}))
    pattern = group["root_cause"].get(kind) or group["root_cause"]["account"]
    return fill_slots(pattern, scope=phrase)


def _as_list(value) -> list:
    value = _clean(value) if not isinstance(value, (list, tuple)) else value
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    return [str(v) for v in value if _clean(v) is not None]


def _pick(items: list[dict], chosen) -> list[dict]:
    if chosen is None:
        picked = [i for i in items if i.get("default")]
    else:
        picked = [i for i in items if i["id"] in chosen]
    # A triple with no action is no triple: fall back to the defaults (or the first) for this cause.
    return picked or [i for i in items if i.get("default")] or items[:1]


SUGGESTED_WHY = "[Suggested explanation, confirm or rewrite: {text}]"
SUGGESTED_ACTION = "[Suggested action, confirm with its date and owner: {text}]"
DATE_SLOT = "[date]"      # an action the analyst kept without giving its date: the linter errors on it
LEADING_DATE = re.compile(r"^On \{date\},\s*")


def action_text(item: dict, extra: dict, *, default_date: str | None = None, **slots) -> tuple[str, bool]:
    """(the sentence of one library action, confirmed?) given the analyst's {date, owner, frequency}.

    Dated by the analyst: "On 10 Nov 2026, our logistics manager changed ...". Answered without a date:
    "On [date], ..." (the linter reports it). Not answered: the library's words as a marked suggestion,
    without a date: the data cannot know when, or whether, it was done."""
    owner = extra.get("owner") or item.get("owner")
    frequency = extra.get("frequency") or item.get("frequency")
    date = fmt_date(extra.get("date")) or default_date
    answered = bool(extra) or bool(default_date)
    if date or answered:
        return fill_slots(item["text"], date=date or DATE_SLOT, owner=owner, frequency=frequency, **slots), True
    body = fill_slots(LEADING_DATE.sub("", item["text"]), owner=owner, frequency=frequency, **slots)
    return SUGGESTED_ACTION.format(text=body), False


def _actions(group: dict, kind: str, chosen, overrides: dict, default_date, **slots) -> tuple[list, list, list]:
    texts, ids, detail = [], [], []
    items = _pick(group[kind], chosen)
    # An action the analyst answered (dated, owned) is one they took, default or not; one they drop is not.
    extra_items = [i for i in group[kind] if i["id"] in overrides and i not in items and chosen is None]
    for item in items + extra_items:
        extra = overrides.get(item["id"], {})
        if extra.get("drop"):
            continue
        if kind == "preventive":
            text = fill_slots(item["text"], owner=extra.get("owner") or item.get("owner"),
                              frequency=extra.get("frequency") or item.get("frequency"), **slots)
            confirmed = True
        else:
            text, confirmed = action_text(item, {k: v for k, v in extra.items() if k != "drop"},
                                          default_date=default_date, **slots)
        texts.append(text)
        ids.append(item["id"])
        detail.append({"id": item["id"], "kind": kind, "text": text, "confirmed": confirmed,
                       "date": extra.get("date"), "owner": extra.get("owner") or item.get("owner"),
                       "suggestion": fill_slots(LEADING_DATE.sub("", item["text"]),
                                                owner=extra.get("owner") or item.get("owner"),
                                                frequency=extra.get("frequency") or item.get("frequency"),
                                                **slots)})
    return texts, ids, detail


def _cause(cause_id: str, row: dict, *, library: dict, total: int | None, chosen, overrides: dict,
           action_date: str | None, why: dict | None = None, facts: dict | None = None) -> dict:
    """One root-cause block. ``facts`` (from the per-metric attribution) replaces the diagnosis counts."""
    group = library.get(cause_id) or library["other"]
    kind, phrase = _scope(row)
    pattern = group["root_cause"].get(kind) or group["root_cause"]["account"]
    n, share = _clean(row.get("defects_explained")), _clean(row.get("share"))
    evidence = (_clean(row.get("statement")) or "").strip()
    if not evidence and n:
        of_total = f" of {total} defects" if total else " defects"
        pct = f" ({fmt_pct(share, 0)})" if share is not None else ""
        evidence = f"{n}{of_total}{pct} were {group['label']} {phrase}."
    examples, quotes = _as_list(row.get("example_orders")), _as_list(row.get("quotes"))
    if facts is not None:
        n, share, evidence = facts["orders"], facts["share"], facts["evidence"]
        examples, quotes = facts["example_orders"], facts["quotes"]
    actions = {}
    for kind_ in ("corrective", "preventive"):
        texts, ids, detail = _actions(group, kind_, chosen, overrides, action_date)
        actions[kind_], actions[kind_ + "_ids"], actions[kind_ + "_detail"] = texts, ids, detail
    label = group["label"]
    suggested = fill_slots(pattern, scope=phrase)
    own = (why or {}).get(cause_id)
    return {
        "id": cause_id, "title": label[:1].upper() + label[1:], "label": label,
        "rank": _clean(row.get("rank")), "dimension": _clean(row.get("dimension")) or "account",
        "value": _clean(row.get("value")), "scope": phrase,
        "start": fmt_date(row.get("start")), "end": fmt_date(row.get("end")),
        "defects_explained": int(n) if n is not None else None,
        "share_pct": fmt_pct(share, 0) if share is not None else None,
        "confidence": _clean(row.get("confidence")),
        "example_orders": examples, "quotes": quotes,
        "order_ids": list(facts["order_ids"]) if facts is not None else [],
        "evidence": evidence, "why_suggested": suggested, "why_confirmed": bool(own),
        "root_cause": own if own else SUGGESTED_WHY.format(text=suggested), **actions,
    }


METRIC_NOUNS = {  # what one failing order of the metric is, for "N of the M ..."
    "order_defect_rate": "defective orders", "negative_feedback_rate": "orders with negative feedback",
    "a_to_z_claim_rate": "orders with an A-to-z claim", "chargeback_rate": "orders with a chargeback",
    "late_shipment_rate": "late-confirmed orders", "pre_fulfillment_cancel_rate": "orders we cancelled",
    "valid_tracking_rate": "orders without valid tracking", "on_time_delivery_rate": "orders delivered late",
}
REMOVABLE_KINDS = {
    "afn_feedback": "negative feedback entries on Fulfilled by Amazon orders, which Amazon strikes through",
    "product_review_feedback": "negative feedback entries that review the product only, not our service",
    "claim_on_time_delivery": "A-to-z claims on orders shipped on time with valid tracking and delivered by "
                              "the promised date",
}
QUOTE_CHARS = 160


def _day_span(frame: pd.DataFrame) -> str:
    days = pd.to_datetime(frame["purchase_date"], utc=True, errors="coerce").dropna() \
        if "purchase_date" in frame else pd.Series([], dtype="datetime64[ns, UTC]")
    return fmt_span(days.min(), days.max()) if len(days) else ""


def _quotes_for(diagnosis, order_ids: list[str], cause: str, limit: int = 2) -> list[str]:
    """Masked, shortened buyer words from the attributed orders themselves (never from other orders)."""
    texts, facts = getattr(diagnosis, "texts", None), getattr(diagnosis, "orders", None)
    if texts is None or facts is None or not len(texts) or "oid" not in texts or "raw" not in texts:
        return []
    try:
        from ..io.pii import mask_text
    except ImportError:  # pragma: no cover - the loader always ships it
        return []
    ids = facts["order_id"].astype(str).to_numpy()
    pick = texts[pd.Series(ids[texts["oid"].to_numpy()], index=texts.index).isin(set(order_ids))]
    if cause in pick.columns and pick[cause].dtype == bool:
        pick = pick[pick[cause]]
    out = []
    for raw in pd.unique(pick["raw"].astype(str)):
        text = " ".join(mask_text(raw).split())
        out.append(text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…")
        if len(out) >= limit:
            break
    return out


def _odr_split(frame: pd.DataFrame) -> str:
    parts = []
    for col, noun in (("negative_feedback", "negative feedback"), ("a_to_z_claim", "A-to-z claims"),
                      ("chargeback", "chargebacks")):
        if col in frame:
            k = int(frame[col].astype("boolean").fillna(False).sum())
            if k:
                parts.append(f"{k} {noun}")
    return ", ".join(parts)


def attributed_facts(attribution, diagnosis, *, library: dict) -> list[tuple[str, dict, dict]]:
    """(cause id, hypothesis row, facts) per argued cause: the counts, dates, examples and quotes of the
    metric's own failing orders attributed to it (see ``appeal.attribution``)."""
    failing = attribution.failing if attribution.failing is not None else pd.DataFrame(columns=["order_id"])
    failing = failing.astype({"order_id": str}).drop_duplicates("order_id")
    noun = METRIC_NOUNS.get(attribution.metric, "failing orders")
    total = attribution.defective_orders
    out = []
    for c in attribution.causes:
        row = dict(c.hypothesis)
        group = library.get(c.cause) or library["other"]
        mine = failing[failing["order_id"].isin(set(c.order_ids))]
        n = len(c.order_ids)
        share = n / total if total else None
        _, phrase = _scope(row)
        label = group["label"]
        when = _day_span(mine)
        pct = f" ({fmt_pct(share, 0)})" if share is not None else ""
        text = f"Of the {total} {noun}, {n}{pct} were {label}"
        text += "" if row.get("dimension") in (None, "account") or phrase == "across the account" else f", all {phrase}"
        text += f", placed {when.replace(' to ', ' to ')}" if when and " to " in when else (
            f", placed on {when}" if when else "")
        split = _odr_split(mine) if attribution.metric == "order_defect_rate" else ""
        text += f" ({split})." if split else "."
        recent = mine.sort_values("purchase_date", ascending=False, kind="stable") if "purchase_date" in mine \
            else mine
        out.append((c.cause, row, {
            "orders": n, "share": share, "evidence": text, "order_ids": list(c.order_ids),
            "example_orders": [str(o) for o in recent["order_id"].head(3)],
            "quotes": _quotes_for(diagnosis, list(c.order_ids), c.cause)}))
    return out


def _argued(attribution, health, marketplace) -> tuple[dict | None, dict]:
    """(the metric row the letter answers, what the letter says about the channel choice)."""
    rows = [_metric_row(r) for r in health.to_dict("records") if r.get("metric")] if health is not None else []
    mine = [r for r in rows if r["metric"] == attribution.metric and r["channel"] == (attribution.channel or "")
            and r["window_days"] == attribution.window_days]
    row = mine[0] if mine else None
    if row is not None and attribution.metric == "order_defect_rate":
        row["components"] = [r for r in rows if r["metric"] in COMPONENTS and r["channel"] == row["channel"]
                             and r["window"] == row["window"] and r["numerator"] > 0]
    others = [_metric_row(r) for r in attribution.other_breached]
    return row, {
        "metric": attribution.metric, "label": METRIC_LABELS.get(attribution.metric, attribution.metric),
        "channel": attribution.channel, "channel_label": CHANNEL_LABELS.get(attribution.channel or "", ""),
        "chosen_by": attribution.channel_chosen, "others": others,
        "defective": attribution.defective_orders, "noun": METRIC_NOUNS.get(attribution.metric, "failing orders"),
        "unexplained": len(attribution.unexplained_ids),
    }


def removal_context(removable: pd.DataFrame | None, *, library: dict, overrides: dict,
                    default_date: str | None) -> dict | None:
    """The defects Amazon's policy removes, with the suggested "removal requested" action (keep or drop)."""
    if removable is None or not len(removable):
        return None
    kinds = []
    for kind, frame in removable.groupby("kind", sort=False):
        chans = sorted({CHANNEL_LABELS.get(str(c), str(c)) for c in frame["channel"]})
        kinds.append({"kind": kind, "label": REMOVABLE_KINDS.get(kind, kind.replace("_", " ")),
                      "count": int(frame["order_id"].nunique()), "channels": chans,
                      "order_ids": [str(o) for o in pd.unique(frame["order_id"].astype(str))]})
    order_ids = [str(o) for o in pd.unique(removable["order_id"].astype(str))]
    group = library.get("removal")
    actions, ids, detail = ([], [], []) if group is None else _actions(
        group, "corrective", None, overrides, default_date, count=len(order_ids))
    return {"count": len(order_ids), "kinds": kinds, "order_ids": order_ids, "actions": actions,
            "action_ids": ids, "actions_detail": detail}


def build_context(*, health: pd.DataFrame | None = None, diagnosis=None, seller: dict | None = None,
                  causes=None, actions=None, asins=None, notice_date=None, fields: dict | None = None,
                  as_of=None, marketplace: str | None = None, allowed_causes=None, max_causes: int = 6,
                  answers=None, attribution=None, removable: pd.DataFrame | None = None) -> dict:
    """Everything a letter template reads, as a plain dict.

    health      tidy account-health table (reinstate.account_health)
    diagnosis   result of reinstate.diagnose (or its hypotheses DataFrame)
    seller      seller_name, store_name, marketplace, merchant_token
    causes      cause ids to write about (default: the high/medium-confidence hypotheses, best first,
                at most `max_causes`: Amazon wants a response for every root cause);
                an id with no hypothesis (e.g. a policy group such as review_manipulation) uses the library words
    actions     action ids to use, or {action_id: {"date"|"owner"|"frequency"|"drop": value}} answers
                (default: the library's default actions)
    answers     the analyst's ``appeal.answers.Answers``: per-cause ``why``, per-action date/owner/drop, fields.
                Without a ``why`` a cause's explanation is the library's, marked as a suggestion; without a date
                an action is a marked suggestion with no date.
    attribution ``appeal.attribution.Attribution``: when given, the causes and their counts are the argued
                metric's own failing orders (its numerator), not the diagnosis' pool of every problem order
    removable   rows of ``reinstate.removable_defects`` to list with a "removal requested" action
    fields      free-text fields typed by the analyst; they become top-level keys (data, never template source)
    allowed_causes  restrict diagnosed causes to these ids (a template's own cause list)

    >>> ctx = build_context(causes=["late_shipment"], as_of="2026-11-16")
    >>> ctx["causes"][0]["corrective"][0].startswith("[Suggested action")
    True
    """
    from .answers import Answers

    answers = answers or Answers()
    fields = {**answers.fields, **dict(fields or {})}
    seller = dict(seller or {})
    marketplace = marketplace or seller.get("marketplace") or fields.get("marketplace")
    as_of_day = as_date(as_of) or dt.date.today()
    library = action_library()
    metrics, flagged = metrics_from_health(health, marketplace=marketplace)
    if isinstance(causes, str):
        causes = [c.strip() for c in causes.split(",") if c.strip()]
    if causes:
        unknown = [c for c in causes if c not in library]
        if unknown:
            raise ConfigError(f"unknown cause id(s) {', '.join(unknown)} (expected one of: {', '.join(library)})")

    chosen, overrides = None, {k: dict(v) for k, v in answers.actions.items()}
    if isinstance(actions, dict):
        chosen = set(actions)
        for k, v in actions.items():
            overrides.setdefault(k, {}).update(dict(v or {}))
    elif actions:
        chosen = set(actions.split(",") if isinstance(actions, str) else actions)
    action_date = fmt_date(fields.get("action_date")) or None

    argued = None
    facts_by = {}
    if attribution is not None:
        triples = attributed_facts(attribution, diagnosis, library=library)
        selected = [(c, r) for c, r, _ in triples]
        facts_by = {c: f for c, _, f in triples}
        total = attribution.defective_orders
        row, argued = _argued(attribution, health, marketplace)
        if row is not None:
            metrics[attribution.metric] = row
    else:
        frame = _hypotheses(diagnosis)
        total = _defects_total(diagnosis, frame) if len(frame) else None
        rows = frame.to_dict("records")
        if allowed_causes is not None:
            rows = [r for r in rows if r.get("cause") in set(allowed_causes)]
        if causes:
            by_cause: dict[str, dict] = {}
            for r in rows:
                by_cause.setdefault(r.get("cause"), r)
            selected = [(c, by_cause.get(c, {})) for c in causes]
        else:
            confident = [r for r in rows if CONFIDENCE_RANK.get(_clean(r.get("confidence")), 0) >= 2] or rows[:1]
            seen: dict[str, dict] = {}
            for r in confident:  # one triple per cause: the best-ranked scope speaks for it
                seen.setdefault(r.get("cause") or "other", r)
            selected = list(seen.items())[:max_causes]

    cause_list = [_cause(c, r, library=library, total=total, chosen=chosen, overrides=overrides,
                         action_date=action_date, why=answers.why, facts=facts_by.get(c)) for c, r in selected]
    seen_quotes: set[str] = set()
    for cause in cause_list:  # one order can sit in two hypotheses: quote its buyer once
        cause["quotes"] = [q for q in cause["quotes"] if not (q in seen_quotes or seen_quotes.add(q))]

    context = {
        "seller_name": seller.get("seller_name") or seller.get("name"),
        "store_name": seller.get("store_name") or seller.get("store"),
        "marketplace": marketplace,
        "merchant_token": seller.get("merchant_token"),
        "as_of": fmt_date(as_of_day),
        "letter_date": fmt_date(fields.pop("letter_date", None)) or fmt_date(as_of_day),
        "notice_date": fmt_date(notice_date) or None,
        "metrics": metrics,
        "flagged_metrics": flagged,
        "causes": cause_list,
        "defects_total": total,
        "asins": _as_list(asins),
        "argued": argued,
        "removable": removal_context(removable, library=library, overrides=overrides, default_date=action_date),
    }
    context.update({k: v for k, v in fields.items() if v is not None})
    return context


def template_context(template_id: str, *, health=None, diagnosis=None, causes=None, **kwargs) -> dict:
    """``build_context`` for one template: its own cause list filters the diagnosis, and its default
    causes (e.g. ``review_manipulation``) apply when neither the analyst nor the diagnosis names one."""
    from .registry import get_template

    info = get_template(template_id)
    allowed = set(info.causes) if info.causes else None
    kwargs.setdefault("max_causes", info.max_causes)
    context = build_context(health=health, diagnosis=diagnosis, causes=causes, allowed_causes=allowed, **kwargs)
    if not context["causes"] and info.default_causes:
        kwargs.pop("attribution", None)
        context = build_context(health=health, diagnosis=diagnosis, causes=list(info.default_causes), **kwargs)
    return context


def example_context(template_id: str) -> dict:
    """The context a template's front-matter ``example`` describes (used by `reinstate templates check`)."""
    from .registry import get_template

    ex = get_template(template_id).example
    health = pd.DataFrame(ex["health"]) if ex.get("health") else None
    diagnosis = pd.DataFrame(ex["hypotheses"]) if ex.get("hypotheses") else None
    return template_context(template_id, health=health, diagnosis=diagnosis, causes=ex.get("causes"),
                            seller=ex.get("seller"), asins=ex.get("asins"), notice_date=ex.get("notice_date"),
                            fields=ex.get("fields"), as_of=ex.get("as_of"))
