"""What the widget apps call in the pipeline, cached so a widget change never recomputes the analysis.

The apps re-render on every keystroke; metrics and the diagnosis only change with the account or the
as-of date, so they are computed once per (account, marketplace, as_of) by ``reinstate.Analysis`` and reused. Everything the apps need
from the metrics, diagnose and appeal stages goes through this module, which keeps the adapters to
those stages' interfaces in one place.
"""
from __future__ import annotations

import copy
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from ..analysis import Analysis as _Analysis
from ..appeal.formatting import as_date

# The apps share one ``reinstate.Analysis`` of the data; ``analysis.at(as_of=, account=, marketplace=)`` is the
# cached analysis of the selection on screen (health, trend, drill-down, diagnosis and the argued letter each
# computed once, from one pass of per-order facts).
Analysis = _Analysis


def view(analysis: _Analysis, *, as_of, account=None, marketplace=None) -> _Analysis:
    """The analysis of the selection on screen (kept by ``analysis``, so switching back costs nothing)."""
    return analysis.at(as_of=as_date(as_of), account=account, marketplace=marketplace)


# --- appeal library ---------------------------------------------------------------------------------

# Template fields the builder fills from its own widgets or from the data; the rest get generic inputs.
COVERED_FIELDS = {"seller_name", "store_name", "merchant_token", "contact", "notice_date", "asins", "causes",
                  "metrics", "marketplace", "as_of", "flagged_metrics", "defects_total", "account"}
_SHORT_FIELD = re.compile(r"(_number|_date|_id|token|_name|name|email|asin|_url|_count)$")


def action_library() -> dict:
    """templates/actions.yaml (through the appeal registry): cause id -> label, root_cause, actions."""
    from ..appeal.registry import action_library as library
    return library()


def actions_for(cause_ids) -> list[dict]:
    """Library actions for the given causes, in cause order, corrective first.

    Each: ``{"id", "cause", "kind": "corrective"|"preventive", "text", "owner", "frequency", "default"}``.
    """
    lib = action_library()
    out, seen = [], set()
    for cause in cause_ids:
        group = lib.get(cause) or {}
        for kind in ("corrective", "preventive"):
            for entry in group.get(kind) or []:
                if entry["id"] in seen:
                    continue
                seen.add(entry["id"])
                out.append({"id": entry["id"], "cause": cause, "kind": kind, "text": entry.get("text", ""),
                            "text_zh": entry.get("text_zh", ""),
                            "owner": entry.get("owner", ""), "frequency": entry.get("frequency", ""),
                            "default": bool(entry.get("default", False))})
    return out


def cause_ids() -> list[str]:
    """Every cause id the action library knows (diagnosis causes and policy groups)."""
    return list(action_library())


def cause_label(cause: str, language: str = "en") -> str:
    """A cause's title in the UI language (the library's ``label_zh`` for Chinese; English otherwise)."""
    group = action_library().get(cause) or {}
    label = (group.get("label_zh") if language == "zh" else None) or group.get("label") or cause.replace("_", " ")
    return label[:1].upper() + label[1:]


def action_display(action: dict, language: str = "en") -> str:
    """What an action row shows: its library text in the UI language (``text_zh``), slots as written.

    The letter always takes the English ``text``; the Chinese text only explains it to the analyst."""
    return (action.get("text_zh") if language == "zh" else None) or action.get("text", "")


def templates() -> list[dict]:
    """Every appeal template's metadata as a plain dict (id, title_en, title_zh, metrics, fields, ...)."""
    from ..appeal.registry import templates as registry_templates
    out = []
    for info in registry_templates():
        out.append({"id": info.id, "title_en": info.title_en, "title_zh": info.title_zh,
                    "appeal_type": info.appeal_type, "metrics": list(info.metrics), "required": list(info.required),
                    "optional": list(info.optional), "list_fields": list(info.list_fields),
                    "when_to_use": info.when_to_use, "causes": list(info.causes),
                    "default_causes": list(info.default_causes)})
    return out


def suggest_template(templates: list[dict], health: pd.DataFrame | None) -> str:
    """The template addressing the worst metric (breached before at risk); the first template otherwise."""
    if not templates:
        return ""
    rank = {"breached": 0, "at_risk": 1}
    if health is not None and len(health):
        bad = health[health["status"].isin(list(rank))]
        bad = bad.assign(_r=bad["status"].map(rank)).sort_values("_r", kind="stable")
        for metric in bad["metric"]:
            # the plainest template for that metric (shortest id, e.g. "odr" before "odr-detailed")
            hits = sorted((t for t in templates if metric in t["metrics"]), key=lambda t: len(t["id"]))
            if hits:
                return hits[0]["id"]
    return next((t["id"] for t in templates if t["id"] == "odr"), templates[0]["id"])


def extra_fields(meta: dict) -> list[str]:
    """The template's required then optional top-level fields that no dedicated widget covers."""
    out = []
    for name in (*meta.get("required", ()), *meta.get("optional", ())):
        top = name.split(".")[0]
        if top not in COVERED_FIELDS and top not in out:
            out.append(top)
    return out


def is_long_field(meta: dict, name: str) -> bool:
    """Free text (a list, methods used, differences) gets a text area; ids, numbers and names a line."""
    return name in meta.get("list_fields", ()) or not _SHORT_FIELD.search(name)


def field_title(meta: dict, name: str) -> str:
    title = name.replace("_", " ").strip().capitalize()
    return title + (" *" if name in meta.get("required", ()) else "")


def _num(value):
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(f) else f


def evidence_text(row: dict) -> str:
    """The numbers behind a hypothesis in one line: "31 defects (70%) · lift 4.2× · p = 0.001 · e.g. 111-…"."""
    parts = []
    n, share = _num(row.get("defects_explained")), _num(row.get("share"))
    if n is not None:
        parts.append(f"{int(n)} defects" + (f" ({share:.0%})" if share is not None else ""))
    lift, p = _num(row.get("lift")), _num(row.get("p_value"))
    if lift is not None:
        parts.append(f"lift {lift:.1f}×")
    if p is not None:
        parts.append(f"p = {p:.2g}")
    examples = row.get("example_orders")
    if isinstance(examples, str):
        examples = [e for e in examples.split(";") if e]
    if examples is not None and len(examples):
        parts.append("e.g. " + ", ".join(str(e) for e in list(examples)[:3]))
    return " · ".join(parts)


def suggested_why(cause: str, row: dict | None) -> str:
    """The library's explanation for a cause and scope, shown pre-filled and marked as a suggestion."""
    from ..appeal.context import suggested_explanation
    return suggested_explanation(cause, row)


def scope_text(row: dict) -> str:
    """Where a hypothesis applies: "carrier = X", "2 Aug 2026 – 16 Aug 2026" or "" for the whole account."""
    dim, value = row.get("dimension"), row.get("value")
    if dim == "period" or (dim in (None, "account") and row.get("start") is not None and
                           pd.notna(row.get("start"))):
        start, end = row.get("start"), row.get("end")
        if start is not None and pd.notna(start):
            return f"{pd.Timestamp(start):%d %b %Y} – {pd.Timestamp(end):%d %b %Y}" if end is not None and \
                pd.notna(end) else f"from {pd.Timestamp(start):%d %b %Y}"
        return ""
    if dim in (None, "account") or value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return f"{str(dim).replace('_', ' ')} = {value}"


def argued(analysis, *, template_id: str, as_of, account=None, marketplace=None, channel: str | None = None):
    """(attribution, removable defects) the CLI letter of this template argues, cached per choice.

    Through ``appeal.pipeline.argue`` (``Analysis.argue``), the step `reinstate letter` uses: the breached
    metric's own failing orders in its window and channel, one primary cause per order
    (``appeal.attribution``). (None, None) for a template that argues no metric (IP, review manipulation, ...)
    or a metric the data has no row for. Raises ``ConfigError`` for a channel the metric has no row in."""
    return view(analysis, as_of=as_of, account=account, marketplace=marketplace).argue(template_id,
                                                                                       channel=channel)


def metric_channels(health: pd.DataFrame | None, metric: str | None) -> list[dict]:
    """The channels with a row of ``metric``: ``[{"channel", "status", "rate", "numerator", "denominator",
    "automatic"}]``, worst window per channel (the one ``appeal.attribution.pick_row`` would argue);
    ``automatic`` marks the channel argued without a choice (breached first, then the worst rate)."""
    from ..appeal.attribution import _badness
    if health is None or not len(health) or not metric:
        return []
    rows = [r for r in health[health["metric"] == metric].to_dict("records") if r.get("channel")]
    best: dict = {}
    for r in rows:
        if r["channel"] not in best or _badness(r) > _badness(best[r["channel"]]):
            best[r["channel"]] = r
    worst = max(best, key=lambda c: _badness(best[c])) if best else None
    return [{"channel": str(c), "status": r.get("status"), "rate": _num(r.get("rate")),
             "numerator": int(_num(r.get("numerator")) or 0), "denominator": int(_num(r.get("denominator")) or 0),
             "automatic": c == worst} for c, r in sorted(best.items())]


def attributed_choices(attribution, diagnosis) -> list[dict]:
    """The attribution's causes as the builder's cause choices, strongest first, all ticked.

    Each carries the letter's own evidence sentence (``statement``, "Of the 34 defective orders, 19 ...") and
    the suggested explanation (``why``, marked until the analyst confirms or rewrites it)."""
    from ..appeal.context import attributed_facts
    out = []
    for cause, row, facts in attributed_facts(attribution, diagnosis, library=action_library()):
        examples = facts["example_orders"]
        out.append({
            "key": f"a-{cause}", "cause": cause, "statement": facts["evidence"], "original": facts["evidence"],
            "selected": True, "manual": False, "attributed": True,
            "orders": facts["orders"], "of": attribution.defective_orders,
            "confidence": str(row.get("confidence") or ""), "scope": scope_text(row),
            "evidence": "e.g. " + ", ".join(examples) if examples else "",
            "why": suggested_why(cause, row), "why_confirmed": False})
    return out


def _selected_attribution(attribution, causes: list[dict]):
    """The attribution restricted to the ticked causes; an unticked cause's orders become unexplained."""
    import dataclasses
    picked = {c["cause"] for c in causes if c.get("attributed")}
    kept = [c for c in attribution.causes if c.cause in picked]
    left = set(attribution.unexplained_ids) | {o for c in attribution.causes if c.cause not in picked
                                              for o in c.order_ids}
    every = [o for c in attribution.causes for o in c.order_ids] + list(attribution.unexplained_ids)
    order = {o: i for i, o in enumerate(pd.unique(pd.Series(every, dtype=object)))}
    return dataclasses.replace(attribution, causes=kept, unexplained_ids=sorted(left, key=order.get))


def _ticked_actions(cause: dict, library: dict, actions: dict) -> None:
    """Exactly the ticked library actions of a cause, with the analyst's date/owner/frequency (in place).

    A ticked corrective action without a date reads "On [date], ..." (a lint error), never the as-of day."""
    from ..appeal.context import action_text
    from ..appeal.formatting import fill_slots as library_fill
    group = library.get(cause["id"]) or {}
    for kind in ("corrective", "preventive"):
        texts, ids = [], []
        for item in group.get(kind) or []:
            if item["id"] not in actions:
                continue
            chosen = actions[item["id"]]
            date = chosen.get("date")
            if kind == "corrective":
                texts.append(action_text(item, {"date": date or None, "owner": chosen.get("owner") or None,
                                                "frequency": chosen.get("frequency") or None, "ticked": True})[0])
            else:
                texts.append(library_fill(item["text"], date=_fmt_date(date) if date else None,
                                          owner=chosen.get("owner"), frequency=chosen.get("frequency")))
            ids.append(item["id"])
        cause[kind], cause[kind + "_ids"] = texts, ids


def scope_text_for(scope: str, language: str = "en") -> str:
    """A ``scope_text`` in the UI language: "carrier = USPS" -> "承运商 = USPS" (values and dates as they are)."""
    from .i18n import label
    dim, eq, value = (scope or "").partition(" = ")
    if language == "en" or not eq:
        return scope or ""
    return f'{label("dim_" + dim.replace(" ", "_"), language, default=dim)} = {value}'


def missing_fields(template_id: str, context: dict) -> list[str]:
    """The template's required fields (dotted, e.g. ``metrics.order_defect_rate``) that the context lacks."""
    from ..appeal.registry import get_template
    from ..appeal.render import missing_fields as missing
    return missing(get_template(template_id), context)


_CLI_ADVICE = re.compile(r"\s*\((?:give them|give it) with --set[^)]*\)|\s*\(?--set [A-Z_.=]+\)?")


def gui_message(message: str) -> str:
    """An error of the appeal stage without its command-line advice ("give them with --set FIELD=VALUE")."""
    return _CLI_ADVICE.sub("", message).strip()


def letter_context(analysis, *, as_of, account, marketplace, template_id, health, diagnosis, fields,
                   notice_date, asins, causes, actions, extra_corrective, extra_preventive, attribution=None,
                   removable=None, removal=None) -> dict:
    """The letter context from the analyst's choices, through ``reinstate.appeal.context.build_context``.

    ``attribution`` (from `argued`): the ticked attributed causes are argued exactly as the CLI letter argues
    them (counts out of the metric's own failing orders; an unticked cause's orders count as unexplained).
    ``causes``: the cause choices ``{"cause", "statement", "original", "row", "why", "why_confirmed",
    "attributed", "manual"}``; an edited sentence replaces the data's; a confirmed ``why`` is the analyst's
    explanation, an unconfirmed one stays a marked suggestion. Causes added by hand (and, for a template that
    argues no metric, the diagnosis' or the template's default causes) follow. ``actions``: the ticked library
    actions ``{id: {"date", "owner", "frequency"}}``, exactly these reach the letter. ``removable``/``removal``:
    the defects Amazon's policy removes and the analyst's "removal requested" action ({"selected", "date",
    "owner"}; unticked = dropped). Free-text actions are added to the first cause's lists.
    """
    from ..appeal.answers import Answers
    from ..appeal.context import action_text, build_context

    whys = {c["cause"]: " ".join(str(c.get("why") or "").split()) for c in causes
            if c.get("why_confirmed") and str(c.get("why") or "").strip()}
    answers = Answers(why=whys)
    seller = {k: fields.get(k) or None for k in ("seller_name", "store_name", "merchant_token")}
    seller["marketplace"] = marketplace
    extra = {k: v for k, v in fields.items() if k not in seller and v not in (None, "")}
    common = dict(seller=seller, asins=asins, notice_date=notice_date, fields=extra, as_of=as_of,
                  marketplace=marketplace, answers=answers)

    if attribution is not None:
        chosen = [c for c in causes if c.get("attributed")]
        others = [c for c in causes if not c.get("attributed")]
    else:
        chosen, others = [], list(causes)
    rows, other_ids = [], []
    for choice in others:
        cid = choice["cause"]
        if cid in other_ids:   # one triple per cause: a second scope's sentence joins the first one's
            rows[other_ids.index(cid)]["statement"] += " " + choice["statement"].strip()
            continue
        # A cause added by hand has no hypothesis: it ranks after every diagnosed one (the appeal stage drops
        # unranked rows as nested hypotheses).
        row = dict(choice.get("row") or {"cause": cid, "dimension": "account", "rank": 1000 + len(rows)})
        row["statement"] = str(choice.get("statement") or "").strip()
        rows.append(row)
        other_ids.append(cid)
    frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=["cause", "statement"])

    if attribution is not None:
        ctx = build_context(health=health, diagnosis=diagnosis,
                            attribution=_selected_attribution(attribution, chosen), removable=removable, **common)
        edited = {c["cause"]: c["statement"].strip() for c in chosen
                  if str(c.get("statement") or "").strip() and c["statement"] != c.get("original")}
        for cause in ctx["causes"]:
            if cause["id"] in edited:
                cause["evidence"] = edited[cause["id"]]
        argued_ids = [c["id"] for c in ctx["causes"]]
        by_id = {c["id"]: c for c in ctx["causes"]}
        for row in rows:   # a hand-added cause of an argued kind joins its block
            if row["cause"] in by_id and row["statement"]:
                by_id[row["cause"]]["evidence"] = f'{by_id[row["cause"]]["evidence"]} {row["statement"]}'.strip()
        added = [r for r in rows if r["cause"] not in argued_ids]
        if added:
            more = build_context(health=None, diagnosis=pd.DataFrame(added),
                                 causes=[r["cause"] for r in added], **common)
            ctx["causes"] += more["causes"]
    else:
        ctx = build_context(health=None, diagnosis=frame, causes=other_ids or None, **common)
        ctx["metrics"], ctx["flagged_metrics"] = (copy.deepcopy(x) for x in health_summary(health, marketplace))
        if not other_ids:
            ctx["causes"] = []
    library = action_library()
    for cause in ctx["causes"]:
        _ticked_actions(cause, library, actions)
    if ctx["causes"]:
        ctx["causes"][0]["corrective"] = [*ctx["causes"][0]["corrective"], *extra_corrective]
        ctx["causes"][0]["preventive"] = [*ctx["causes"][0]["preventive"], *extra_preventive]
    if ctx.get("removable"):
        kept = []
        for item in (library.get("removal") or {}).get("corrective") or []:
            state = (removal or {}).get(item["id"], {"selected": bool(item.get("default"))})
            if state.get("selected"):
                kept.append(action_text(item, {"date": state.get("date") or None,
                                               "owner": state.get("owner") or None, "ticked": True},
                                        count=ctx["removable"]["count"])[0])
        ctx["removable"]["actions"] = kept
    if fields.get("contact"):
        ctx["contact"] = fields["contact"]
    return ctx


def removal_actions(language: str = "en") -> list[dict]:
    """The library's "removal requested" actions (``removal`` group): id, text, text_zh, owner, default."""
    group = action_library().get("removal") or {}
    return [{"id": i["id"], "cause": "removal", "kind": "removal", "text": i.get("text", ""),
             "text_zh": i.get("text_zh", ""), "owner": i.get("owner", ""), "frequency": "",
             "default": bool(i.get("default"))} for i in group.get("corrective") or []]


def removable_summary(removable: pd.DataFrame | None) -> list[dict]:
    """Per kind of removable defect: ``{"kind", "count", "channels", "order_ids"}`` (the letter's list)."""
    if removable is None or not len(removable):
        return []
    out = []
    for kind, frame in removable.groupby("kind", sort=False):
        out.append({"kind": str(kind), "count": int(frame["order_id"].nunique()),
                    "channels": sorted({str(c) for c in frame["channel"]}),
                    "order_ids": [str(o) for o in pd.unique(frame["order_id"].astype(str))]})
    return out


_SUMMARIES: dict = {}


def health_summary(health: pd.DataFrame | None, marketplace: str | None) -> tuple[dict, list]:
    """``metrics_from_health`` of the appeal stage, memoised per health table (tables are never mutated)."""
    from ..appeal.context import metrics_from_health
    key = (id(health), marketplace)
    hit = _SUMMARIES.get(key)
    if hit is None or hit[0] is not health:
        hit = (health, metrics_from_health(health, marketplace=marketplace))
        if len(_SUMMARIES) > 32:
            _SUMMARIES.clear()
        _SUMMARIES[key] = hit
    return hit[1]


def _fmt_date(value) -> str:
    from ..appeal.formatting import fmt_date
    return fmt_date(value)


def render(template_id: str, context: dict) -> tuple[str, str]:
    """(markdown, text): the letter's Markdown (what the exports take) and its plain text (preview, linter,
    what the analyst pastes into Seller Central), rendered once."""
    from ..appeal.blocks import to_text
    from ..appeal.render import render_letter
    markdown = render_letter(template_id, context, fmt="markdown")
    return markdown, to_text(markdown, width=0)


def hypothesis_key(row: dict, position: int) -> str:
    """A stable key for a hypothesis in drafts: "h<rank>" (rank 1 = the top cause)."""
    rank = _num(row.get("rank"))
    return f"h{int(rank) if rank is not None else position + 1}"


def hypotheses(diagnosis) -> pd.DataFrame:
    """The ranked headline hypotheses (nested ones are folded into their headline's statement)."""
    if diagnosis is None:
        return pd.DataFrame()
    frame = getattr(diagnosis, "headlines", None)
    if frame is None:
        frame = getattr(diagnosis, "hypotheses", pd.DataFrame())
    return frame


def lint(text: str):
    from ..appeal.lint import lint as lint_letter
    return lint_letter(text)


def length_budget() -> dict:
    """{"words": int|None, "characters": int|None}: the linter's length budget (lint_rules.yaml)."""
    from ..appeal.lint import policy
    budget = policy().budget or {}
    return {"words": budget.get("words"), "characters": budget.get("chars")}


def where_to_send(marketplace: str | None, meta: dict) -> list[dict]:
    """Where this appeal goes, current Seller Central routes first, legacy e-mail after
    (src/reinstate/policy/reference/contacts.csv): ``[{"route", "topic", "legacy", "notes"}]``."""
    return [dict(r) for r in _routes(marketplace, meta.get("appeal_type"))]


@lru_cache(maxsize=64)
def _routes(marketplace, appeal_type) -> tuple:
    from ..appeal.contacts import contacts_for
    rows = contacts_for(marketplace, appeal_type)
    return tuple({"route": r.route, "topic": r.topic, "legacy": r.status != "current", "notes": r.notes}
                 for r in rows.itertuples())


def export(markdown: str, target, *, title: str):
    """Write the letter in the format of ``target``'s suffix; never overwrites; returns the path written."""
    from ..appeal.export import export_letter
    return export_letter(markdown, target, title=title)


def evidence_pack(analysis, markdown: str, target, *, as_of, account, marketplace, health, diagnosis, meta):
    """The evidence folder next to the letter: letter, affected orders, metrics, causes, contacts, manifest."""
    from ..appeal.contacts import contacts_for
    from ..appeal.export import export_evidence_pack
    affected = None
    tags = getattr(diagnosis, "tags", None)
    if isinstance(tags, pd.DataFrame) and "analysed" in tags.columns and "defect" in tags.columns:
        affected = tags[tags["defect"].astype("boolean").fillna(False).to_numpy()]
        affected = affected[[c for c in ("order_id", "account", "marketplace", "tags", "kinds", "primary_cause")
                             if c in affected.columns]]
    return export_evidence_pack(target, letter=markdown, orders_frame=affected, health=health, diagnosis=diagnosis,
                                contacts=contacts_for(marketplace, meta.get("appeal_type")),
                                title=meta.get("title_en") or "Plan of Action")


# --- metrics explorer -------------------------------------------------------------------------------

def tags_by_order(tags) -> pd.Series:
    """The diagnosis' per-order tags as ``order_id -> tuple of tag ids`` (accepts a frame or a mapping)."""
    if tags is None:
        return pd.Series(dtype=object)
    if isinstance(tags, dict):
        return pd.Series({k: tuple(sorted(v)) for k, v in tags.items()}, dtype=object)
    if isinstance(tags, pd.Series):
        return tags.map(_as_tag_tuple)
    if "order_id" not in tags.columns:
        return pd.Series(dtype=object)
    if "tags" in tags.columns:
        series = tags.drop_duplicates("order_id").set_index("order_id")["tags"]
        return series.map(_as_tag_tuple)
    if "tag" in tags.columns:  # long form: one row per (order, tag)
        return tags.groupby("order_id")["tag"].agg(lambda s: tuple(sorted(set(map(str, s)))))
    return pd.Series(dtype=object)


def _as_tag_tuple(value) -> tuple:
    if value is None or (not isinstance(value, (list, tuple, set, np.ndarray)) and pd.isna(value)):
        return ()
    if isinstance(value, str):
        return tuple(sorted({t.strip() for t in value.split(";") if t.strip()}))
    return tuple(sorted({str(t) for t in value}))


CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "SimHei",
             "Microsoft YaHei", "PingFang SC")
_LEGEND_ZH = ((re.compile(r"(\d+)-day window"), r"\1 天窗口"), (re.compile(r"^target\b"), "目标"),
              (re.compile(r"\btarget\b"), "目标"))


def translate_chart(ax, *, metric: str, language: str = "en"):
    """Title, axis labels and legend of a trend chart in the UI language (a CJK font for Chinese)."""
    if language != "zh":
        return ax
    from matplotlib import font_manager

    from .i18n import label
    names = {f.name for f in font_manager.fontManager.ttflist}
    family = next((f for f in CJK_FONTS if f in names), None)
    font = {"family": family} if family else {}
    ax.set_title(f'{label(metric, "zh")}：{label("chart_title", "zh")}', fontdict=font)
    ax.set_xlabel(label("chart_as_of", "zh"), fontdict=font)
    ax.set_ylabel(label("chart_rate", "zh"), fontdict=font)
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            value = text.get_text()
            for pattern, repl in _LEGEND_ZH:
                value = pattern.sub(repl, value)
            text.set_text(value)
            if family:
                text.set_fontfamily(family)
    return ax


def plot_trend(trend: pd.DataFrame, *, metric: str, title: str, ax, language: str = "en"):
    """Daily rate per channel/window with the target line; the project's plot when it has one for this.
    ``language="zh"``: title, axes and legend in Chinese."""
    try:
        from ..plots.metrics import plot_metric_trend
    except ImportError:
        plot_metric_trend = None
    if plot_metric_trend is not None and len(trend):
        return translate_chart(plot_metric_trend(trend, metric=metric, ax=ax) or ax, metric=metric,
                               language=language)
    if not len(trend):
        ax.text(0.5, 0.5, "no data in this window", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(title)
        ax.set_axis_off()
        return ax
    from matplotlib.ticker import PercentFormatter
    for (channel, days), part in trend.groupby(["channel", "window_days"], sort=True):
        ax.plot(part["as_of"], part["rate"], label=f"{channel} · {days}-day window", linewidth=1.8)
    target = trend["target"].dropna()
    if len(target):
        value = float(target.iloc[0])
        cond = trend["condition"].dropna().iloc[0] if trend["condition"].notna().any() else ""
        ax.axhline(value, color="#9b1c1c", linestyle="--", linewidth=1.2, label=f"target {cond} {value:.1%}")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.set_title(f"{title}: daily value as the window slides")
    ax.set_xlabel("as-of date")
    ax.set_ylabel("rate")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    for tick in ax.get_xticklabels():
        tick.set_rotation(20)
    return translate_chart(ax, metric=metric, language=language)


FREE_TEXT = {"reason", "feedback_text", "claim_reason", "return_reason", "return_comment", "statement"}


def table_html(frame: pd.DataFrame, columns, *, max_rows: int = 200) -> str:
    """An escaped HTML table of the given columns (those present); free text masked for PII."""
    from ..io.pii import mask_text
    cols = [c for c in columns if c in frame.columns]
    shown = frame[cols].head(max_rows).copy()
    for col in cols:
        values = shown[col]
        if col == "tags":
            shown[col] = values.map(lambda ts: ", ".join(ts) if isinstance(ts, tuple) else "")
        elif pd.api.types.is_datetime64_any_dtype(values):
            shown[col] = values.dt.strftime("%Y-%m-%d")
        else:
            # ids (order, SKU) are kept as they are; only free text can carry a buyer's e-mail or phone
            clean = mask_text if col in FREE_TEXT else str
            shown[col] = values.map(lambda v, clean=clean: "" if v is None or
                                    (not isinstance(v, (list, tuple)) and pd.isna(v)) else clean(str(v)))
    table = shown.to_html(index=False, escape=True, border=0)
    more = f'<div class="rs-muted">first {max_rows} of {len(frame)}</div>' if len(frame) > max_rows else ""
    return table + more
