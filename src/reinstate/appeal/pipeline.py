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

    def text(self, width: int = 78) -> str:
        return render_letter(self.info.id, self.context, fmt="text", width=width)

    def metrics_json(self) -> dict:
        """The `reinstate metrics --json` contract for this appeal's health table."""
        from ..cli.metrics import to_json
        return to_json(self.health, self.as_of)


def build_appeal(data, *, template: str, as_of, marketplace: str | None = None, account=None, seller=None,
                 fields=None, causes=None, actions=None, asins=None, notice_date=None) -> Appeal:
    """Metrics -> diagnosis -> context -> letter -> lint for one template."""
    from ..diagnosis.engine import diagnose
    from ..metrics.health import account_health

    info = get_template(template)  # fail fast on a wrong id, before any computation
    code = (marketplace or "US").upper()
    health = account_health(data, as_of=as_of, marketplace=marketplace, account=account)
    dx = diagnose(data, as_of=as_of, marketplace=marketplace, account=account)
    orders = getattr(data, "orders", data)
    accounts = orders["account"].dropna().unique() if "account" in orders else []
    seller = {"store_name": str(accounts[0]) if len(accounts) else None, "seller_name": None,
              "merchant_token": None, "marketplace": code, **(seller or {})}
    context = template_context(info.id, health=health, diagnosis=dx, causes=causes, actions=actions,
                               seller=seller, asins=asins, notice_date=notice_date, fields=dict(fields or {}),
                               as_of=as_of, marketplace=code)
    markdown = render_letter(info.id, context, fmt="markdown")
    return Appeal(info, as_of, code, health, dx, context, markdown, lint(markdown),
                  contacts_for(code, info.appeal_type))


def affected_orders(data, diagnosis) -> pd.DataFrame | None:
    """One row per defective order in the analysed window: its tags and order-level facts (no buyer PII)."""
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

    from ..plots.diagnosis import plot_pareto
    from ..plots.metrics import plot_odr_trend, plot_recovery

    drawers = {"odr_trend": lambda ax: plot_odr_trend(data, as_of=as_of, marketplace=marketplace, ax=ax),
               "odr_recovery": lambda ax: plot_recovery(data, as_of=as_of, marketplace=marketplace, ax=ax),
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


def write_appeal(appeal: Appeal, data, *, letter=None, evidence=None, ascii_quotes=False, width=78) -> dict:
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
