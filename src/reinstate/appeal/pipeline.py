"""The whole appeal in two calls, shared by the `letter` CLI, the batch runner and the demo.

    appeal = build_appeal(data, template="odr", as_of="2026-11-16")    # health, diagnosis, context, letter, lint
    write_appeal(appeal, data, letter="out/letters/appeal.docx", evidence="out/evidence")
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .contacts import contacts_for
from .context import template_context
from .export import export_evidence_pack, export_letter
from .lint import lint
from .registry import get_template
from .render import render_letter

AFFECTED_COLUMNS = ("order_id", "purchase_date", "fulfillment_channel", "order_status", "sku", "asin",
                    "product_category", "carrier", "ship_from", "latest_ship_date", "ship_confirmed_at",
                    "tracking_valid", "latest_delivery_date", "delivered_at", "feedback_rating", "claim_status",
                    "chargeback_type", "return_reason")


@dataclass
class Appeal:
    """A rendered, linted appeal and what it was built from."""
    info: object            # TemplateInfo
    as_of: object
    marketplace: str
    health: pd.DataFrame
    diagnosis: object       # reinstate.diagnose Diagnosis
    context: dict
    markdown: str
    lint: object            # LintResult
    contacts: pd.DataFrame
    attribution: object = None   # appeal.attribution.Attribution (None for a template that argues no metric)
    answers: object = None       # appeal.answers.Answers used

    def text(self, width: int = 0) -> str:
        """The letter as plain text: one paragraph per line (``width`` > 0 wraps, for a terminal)."""
        return render_letter(self.info.id, self.context, fmt="text", width=width)

    def metrics_json(self) -> dict:
        """The `reinstate metrics --json` contract for this appeal's health table."""
        from ..metrics.contract import health_to_json
        return health_to_json(self.health, self.as_of)

    def to_dict(self) -> dict:
        """The `reinstate letter --json` contract: {template, metric, account, marketplace, channel, window,
        defective_orders, causes: [{cause, scope, orders, order_ids}], unexplained_orders, text, lint}."""
        if self.attribution is not None:
            part = self.attribution.to_dict()
        else:
            part = {"metric": None, "account": None, "marketplace": self.marketplace, "channel": None,
                    "window": {"start": None, "end": None}, "defective_orders": 0,
                    "causes": [{"cause": c["id"], "scope": {"dimension": c["dimension"], "value": c["value"],
                                                            "start": None, "end": None},
                                "orders": 0, "order_ids": []} for c in self.context["causes"]],
                    "unexplained_orders": 0}
        return {"template": self.info.id, **part, "text": self.text(), "lint": self.lint.to_dict()}


def _answers(answers):
    from .answers import Answers, load_answers
    if answers is None:
        return Answers()
    if isinstance(answers, Answers):
        return answers
    if isinstance(answers, dict):
        from .answers import parse_answers
        return parse_answers(answers)
    return load_answers(answers)


def build_appeal(data, *, template: str, as_of=None, marketplace: str | None = None, account=None, seller=None,
                 fields=None, causes=None, actions=None, asins=None, notice_date=None, channel: str | None = None,
                 answers=None) -> Appeal:
    """Metrics -> diagnosis -> per-metric attribution -> context -> letter -> lint for one template.

    ``data``: a ``reinstate.Analysis`` (its cached health, diagnosis and per-order facts are used; ``as_of``,
    ``account`` and ``marketplace`` default to its own) or a Dataset / order table (an Analysis is made).
    ``channel``: MFN or AFN (default: the breached channel with the highest rate). ``answers``: the analyst's
    ``Answers``, an answers-file path or its mapping (see ``appeal.answers``)."""
    from ..analysis import Analysis
    info = get_template(template)  # fail fast on a wrong id, before any computation
    if channel is not None and str(channel).upper() not in ("MFN", "AFN"):
        from ..errors import ConfigError
        raise ConfigError(f"--channel {channel}: expected MFN or AFN")
    if isinstance(data, Analysis):
        analysis = data.at(as_of=as_of, account=data.account if account is None else account,
                           marketplace=data.marketplace if marketplace is None else marketplace)
        marketplace = marketplace if marketplace is not None else data.marketplace
    else:
        analysis = Analysis(data, as_of=as_of, account=account, marketplace=marketplace)
    as_of = analysis.as_of
    code = (marketplace or "US").upper()
    given = _answers(answers)
    health = analysis.health()
    dx = analysis.diagnosis()
    orders = analysis.data.orders
    accounts = orders["account"].dropna().unique() if "account" in orders else []
    seller = {"store_name": str(accounts[0]) if len(accounts) else None, "seller_name": None,
              "merchant_token": None, "marketplace": code, **(seller or {})}
    if isinstance(causes, str):
        causes = [c.strip() for c in causes.split(",") if c.strip()] or None
    att, removable = analysis.argue(info.id, channel=channel, causes=causes)
    context = template_context(info.id, health=health, diagnosis=dx, causes=None if att else causes,
                               actions=actions, seller=seller, asins=asins, notice_date=notice_date,
                               fields=dict(fields or {}), as_of=as_of, marketplace=code, answers=given,
                               attribution=att if att is not None and att.causes else None,
                               removable=removable)
    markdown = render_letter(info.id, context, fmt="markdown")
    return Appeal(info, as_of, code, health, dx, context, markdown, lint(markdown),
                  contacts_for(code, info.appeal_type), attribution=att, answers=given)


def argue(data, info, *, health: pd.DataFrame, diagnosis, as_of, channel: str | None = None, account=None,
          marketplace: str | None = None, causes=None, flags=None) -> tuple:
    """(attribution, removable defects) of the metric template ``info`` argues, or (None, None).

    The step `build_appeal` and the AppealBuilder share, so the app argues what the CLI letter argues:
    the breached metric's own failing orders attributed to causes (``appeal.attribution``); a failing set
    that no pattern explains is argued as the template's catch-all cause; ODR letters also get the defects
    Amazon's policy removes, in the argued channel and any other breached one. ``flags``: an ``order_flags``
    pass at ``as_of`` to reuse (``reinstate.Analysis.argue`` passes its own)."""
    from .attribution import AttributedCause, attribute

    att = removable = None
    if info.argues and len(health) and (health["metric"] == info.argues).any():
        att = attribute(data, metric=info.argues, health=health, diagnosis=diagnosis, as_of=as_of,
                        channel=channel.upper() if channel else None, account=account, marketplace=marketplace,
                        allowed_causes=info.causes or None, causes=causes, max_causes=info.max_causes,
                        flags=flags)
        if not att.causes and att.defective_orders:
            # No pattern holds two failing orders: argue them as the template's catch-all, every order counted.
            fallback = (info.default_causes or ("other",))[0]
            att.causes = [AttributedCause(fallback, "account", None, None, None, list(att.unexplained_ids))]
            att.unexplained_ids = []
        if info.argues == "order_defect_rate":
            from ..metrics.removable import removable_defects
            removable = removable_defects(data, as_of=as_of, account=att.account, marketplace=marketplace,
                                          flags=flags)
            wanted = {att.channel, *(r.get("channel") for r in att.other_breached)}
            removable = removable[removable["channel"].isin(wanted)] if len(removable) else removable
    return att, removable


def _dataset(data):
    """The Dataset behind an Analysis (or ``data`` itself)."""
    from ..analysis import Analysis
    return data.data if isinstance(data, Analysis) else data


def affected_orders(data, diagnosis) -> pd.DataFrame | None:
    """One row per defective order in the analysed window: its tags and order-level facts (no buyer PII)."""
    data = _dataset(data)
    orders = getattr(data, "orders", data)
    tags = getattr(diagnosis, "tags", None)
    if tags is None or not len(tags):
        return None
    picked = tags[tags["defect"].astype(bool)].drop(columns=["text"], errors="ignore")
    first = orders[[c for c in AFFECTED_COLUMNS if c in orders.columns]].drop_duplicates("order_id")
    return picked.merge(first, on="order_id", how="left").reset_index(drop=True)


def evidence_figures(data, diagnosis, *, as_of, marketplace=None) -> dict:
    """Plots for the evidence pack; a plot that cannot be drawn is skipped with a note on stderr."""
    import matplotlib.pyplot as plt

    from ..analysis import Analysis
    from ..plots.diagnosis import plot_pareto
    from ..plots.metrics import plot_odr_trend, plot_recovery
    if isinstance(data, Analysis):  # the analysis' own trend and forecast, not a second computation
        analysis = data.at(as_of=as_of, account=data.account, marketplace=data.marketplace or marketplace)
        trend_of = lambda: analysis.trend(metric=["order_defect_rate"], days=90)
        forecast_of = lambda: analysis.forecast(channel="MFN")
    else:
        trend_of = forecast_of = lambda: data
    drawers = {"odr_trend": lambda ax: plot_odr_trend(trend_of(), as_of=as_of, marketplace=marketplace, ax=ax),
               "odr_recovery": lambda ax: plot_recovery(forecast_of(), as_of=as_of, marketplace=marketplace,
                                                        ax=ax),
               "root_causes": lambda ax: plot_pareto(diagnosis, ax=ax)}
    out = {}
    for name, draw in drawers.items():
        fig, ax = plt.subplots(figsize=(9, 3.8))
        try:
            draw(ax)
            out[name] = fig
        except Exception as exc:  # a plot is supporting material; never block the letter for it
            plt.close(fig)
            print(f"note: plot {name} skipped ({exc})", file=sys.stderr)
    return out


def write_appeal(appeal: Appeal, data, *, letter=None, evidence=None, ascii_quotes=False, width=0) -> dict:
    """Export the letter (format from the suffix) and/or the evidence pack; never overwrites. Returns paths."""
    import matplotlib.pyplot as plt

    written = {}
    if letter:
        written["letter"] = export_letter(appeal.markdown, Path(letter), ascii_quotes=ascii_quotes, width=width,
                                          title=appeal.info.title_en)
    if evidence:
        figures = evidence_figures(data, appeal.diagnosis, as_of=appeal.as_of, marketplace=appeal.marketplace)
        try:
            written["evidence"] = export_evidence_pack(
                Path(evidence), letter=appeal.markdown, orders_frame=affected_orders(data, appeal.diagnosis),
                health=appeal.health, diagnosis=appeal.diagnosis, contacts=appeal.contacts,
                title=appeal.info.title_en, figures=figures)
        finally:
            for fig in figures.values():
                plt.close(fig)
    return written
