"""Build the data a letter template sees: metrics, diagnosed causes with their actions, seller details.

The context is a plain dict of plain values (str, int, float, list, dict), so the sandboxed template
can read it and tests can compare it. Analyst-typed text goes in as values, never as template source.
"""
from __future__ import annotations

import datetime as dt
import math

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


def _cause(cause_id: str, row: dict, *, library: dict, total: int | None, chosen, overrides: dict,
           action_date: str) -> dict:
    group = library.get(cause_id) or library["other"]
    kind, phrase = _scope(row)
    pattern = group["root_cause"].get(kind) or group["root_cause"]["account"]
    n, share = _clean(row.get("defects_explained")), _clean(row.get("share"))
    evidence = (_clean(row.get("statement")) or "").strip()
    if not evidence and n:
        of_total = f" of {total} defects" if total else " defects"
        pct = f" ({fmt_pct(share, 0)})" if share is not None else ""
        evidence = f"{n}{of_total}{pct} were {group['label']} {phrase}."
    actions = {}
    for kind_ in ("corrective", "preventive"):
        texts, ids = [], []
        for item in _pick(group[kind_], chosen):
            extra = overrides.get(item["id"], {})
            texts.append(fill_slots(item["text"], date=extra.get("date") and fmt_date(extra["date"]) or action_date,
                                    owner=extra.get("owner") or item.get("owner"),
                                    frequency=extra.get("frequency") or item.get("frequency")))
            ids.append(item["id"])
        actions[kind_], actions[kind_ + "_ids"] = texts, ids
    label = group["label"]
    return {
        "id": cause_id, "title": label[:1].upper() + label[1:], "label": label,
        "rank": _clean(row.get("rank")), "dimension": _clean(row.get("dimension")) or "account",
        "value": _clean(row.get("value")), "scope": phrase,
        "start": fmt_date(row.get("start")), "end": fmt_date(row.get("end")),
        "defects_explained": int(n) if n is not None else None,
        "share_pct": fmt_pct(share, 0) if share is not None else None,
        "confidence": _clean(row.get("confidence")),
        "example_orders": _as_list(row.get("example_orders")), "quotes": _as_list(row.get("quotes")),
        "evidence": evidence, "root_cause": fill_slots(pattern, scope=phrase), **actions,
    }


def build_context(*, health: pd.DataFrame | None = None, diagnosis=None, seller: dict | None = None,
                  causes=None, actions=None, asins=None, notice_date=None, fields: dict | None = None,
                  as_of=None, marketplace: str | None = None, allowed_causes=None, max_causes: int = 6) -> dict:
    """Everything a letter template reads, as a plain dict.

    health      tidy account-health table (reinstate.account_health)
    diagnosis   result of reinstate.diagnose (or its hypotheses DataFrame)
    seller      seller_name, store_name, marketplace, merchant_token
    causes      cause ids to write about (default: the high/medium-confidence hypotheses, best first,
                at most `max_causes`: Amazon wants a response for every root cause);
                an id with no hypothesis (e.g. a policy group such as review_manipulation) uses the library words
    actions     action ids to use, or {action_id: {"date"|"owner"|"frequency": value}} overrides
                (default: the library's default actions)
    fields      free-text fields typed by the analyst; they become top-level keys (data, never template source)
    allowed_causes  restrict diagnosed causes to these ids (a template's own cause list)

    >>> ctx = build_context(causes=["late_shipment"], as_of="2026-11-16")
    >>> ctx["causes"][0]["corrective"][0].startswith("On 16 Nov 2026")
    True
    """
    fields = dict(fields or {})
    seller = dict(seller or {})
    marketplace = marketplace or seller.get("marketplace") or fields.get("marketplace")
    as_of_day = as_date(as_of) or dt.date.today()
    library = action_library()
    metrics, flagged = metrics_from_health(health, marketplace=marketplace)

    frame = _hypotheses(diagnosis)
    total = _defects_total(diagnosis, frame) if len(frame) else None
    rows = frame.to_dict("records")
    if allowed_causes is not None:
        rows = [r for r in rows if r.get("cause") in set(allowed_causes)]
    if isinstance(causes, str):
        causes = [c.strip() for c in causes.split(",") if c.strip()]
    if causes:
        unknown = [c for c in causes if c not in library]
        if unknown:
            raise ConfigError(f"unknown cause id(s) {', '.join(unknown)} (expected one of: {', '.join(library)})")
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

    chosen = overrides = None
    if isinstance(actions, dict):
        chosen, overrides = set(actions), {k: dict(v or {}) for k, v in actions.items()}
    elif actions:
        chosen = set(actions.split(",") if isinstance(actions, str) else actions)
    action_date = fmt_date(fields.get("action_date")) or fmt_date(as_of_day)
    cause_list = [_cause(c, r, library=library, total=total, chosen=chosen, overrides=overrides or {},
                         action_date=action_date) for c, r in selected]
    seen_quotes: set[str] = set()
    for cause in cause_list:  # one order can sit in two hypotheses: quote its buyer once
        cause["quotes"] = [q for q in cause["quotes"] if not (q in seen_quotes or seen_quotes.add(q))]

    context = {
        "seller_name": seller.get("seller_name") or seller.get("name"),
        "store_name": seller.get("store_name") or seller.get("store"),
        "marketplace": marketplace,
        "merchant_token": seller.get("merchant_token"),
        "as_of": fmt_date(as_of_day),
        "notice_date": fmt_date(notice_date) or None,
        "metrics": metrics,
        "flagged_metrics": flagged,
        "causes": cause_list,
        "defects_total": total,
        "asins": _as_list(asins),
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
