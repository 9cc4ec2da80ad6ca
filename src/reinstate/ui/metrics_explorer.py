"""MetricsExplorer: Account Health as cards, the trend of one metric, and the orders behind its numerator.

    explorer = MetricsExplorer(data, as_of="2026-11-16")
    explorer.widget           # display this in a notebook or Voila

Widgets are attributes, callbacks are methods, state is plain attributes (``as_of``, ``account``,
``marketplace``, ``channel``, ``metric``, ``tag``, ``health``, ``drill``); nothing is displayed in
``__init__``. Everything is computed by the shared ``reinstate.Analysis`` of the selection on screen: the
per-order facts once per (as-of date, account, marketplace), reused by every metric, the trend and the
drill-down, so a control change costs a few tens of milliseconds on the sample.
"""
from __future__ import annotations

import base64
import html
import io
import tempfile
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..errors import ReinstateError
from . import backend
from .base import WidgetApp
from .i18n import label, languages
from .styles import LABEL_WIDTH, pill, stylesheet

METRICS = ("order_defect_rate", "negative_feedback_rate", "a_to_z_claim_rate", "chargeback_rate",
           "late_shipment_rate", "pre_fulfillment_cancel_rate", "valid_tracking_rate", "on_time_delivery_rate",
           "late_response_rate")
STATUS_RANK = {"no_data": 0, "good": 1, "at_risk": 2, "breached": 3}
# Drill-down columns shown (never buyer PII; free text is masked before display).
DRILL_COLUMNS = ("order_id", "channel", "reason", "purchase_date", "sku", "carrier", "ship_from", "tags")
ALL = "__all__"
MAX_ROWS = 200
# The drill-down fits the app's width: SKU lists and tags wrap, and anything wider scrolls inside the box.
DRILL_STYLE = ("<style>.rs-drilldown .widget-html-content { display: block; overflow-x: auto; max-width: 100%; }"
               ".rs-drilldown td { white-space: normal; }"
               ".rs-drilldown td:first-child { white-space: nowrap; }"
               ".rs-drilldown td:last-child { min-width: 140px; }</style>")
EXPORT_FORMATS = ((".xlsx", "Excel (.xlsx)"), (".csv", "CSV"), (".parquet", "Parquet"), (".json", "JSON"))
MIME = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".csv": "text/csv",
        ".parquet": "application/vnd.apache.parquet", ".json": "application/json"}
# This app's own labels (kept here so the shared labels.yaml stays the appeal builder's to edit).
LOCAL_LABELS = {"download": {"en": "Download tables", "zh": "下载表格"},
                "download_format": {"en": "Format", "zh": "格式"},
                "download_ready": {"en": "Ready", "zh": "已生成"},
                "worst_category": {"en": "worst category", "zh": "最差类目"},
                "history": {"en": "Saved snapshots (history store)", "zh": "已保存的历史快照"}}


def _pct(rate) -> str:
    if rate is None or (isinstance(rate, float) and np.isnan(rate)) or rate is pd.NA:
        return "—"
    return f"{float(rate) * 100:.2f}%"


def _target(row) -> str:
    target = row.get("target")
    if target is None or pd.isna(target):
        return ""
    return f"{row.get('condition') or ''} {float(target) * 100:g}%".strip()


def worst_rows(health: pd.DataFrame) -> dict[str, dict]:
    """Per metric, the row that sets its status: worst status, then the higher denominator."""
    out: dict[str, dict] = {}
    for row in health.to_dict("records"):
        key = (STATUS_RANK.get(row["status"], 0), row.get("denominator") or 0)
        metric = row["metric"]
        if metric not in out or key > (STATUS_RANK.get(out[metric]["status"], 0), out[metric].get("denominator") or 0):
            out[metric] = row
    return out


class MetricsExplorer(WidgetApp):
    """Widget app: metric cards with status colours, the trend plot and the drill-down table.

    ``data``: a loaded ``Dataset`` (or a ``backend.Analysis`` shared with the appeal builder);
    ``as_of``: the Account Health date; ``account``/``marketplace`` default to the first in the data.
    ``store``: the metric history file (default ``REINSTATE_STORE`` or ./reinstate-history.duckdb); when it
    exists, the saved snapshots of the chosen metric are listed under the trend (nothing otherwise).
    """

    def __init__(self, data, *, as_of, account=None, marketplace=None, metric="order_defect_rate",
                 channel=None, language="en", trend_days: int = 90, out_dir=None, store=None):
        self.analysis = data if isinstance(data, backend.Analysis) else backend.Analysis(data)
        self.as_of = backend.as_date(as_of)
        self.language = language if language in languages() else "en"
        accounts = self.analysis.accounts()
        self.account = account if account is not None else (accounts[0] if accounts else None)
        markets = self.analysis.marketplaces(self.account)
        self.marketplace = marketplace if marketplace is not None else (markets[0] if markets else None)
        self.channel = channel            # None = every channel
        self.metric = metric
        self.tag = None                   # None = every cause tag
        self.trend_days = trend_days
        self.out_dir = Path(out_dir) if out_dir is not None else None  # downloads are also saved under it
        self.store = store
        self.history = None               # the saved snapshots shown (None: no store or nothing saved)
        self.health = pd.DataFrame()
        self.drill = pd.DataFrame()
        self.trend = pd.DataFrame()
        self._trends: dict = {}            # the trend PNGs, keyed by what selects them
        self._tags: dict = {}

        self._build_widgets()
        self.refresh()

    # ------------------------------------------------------------------------------------------------
    # cached computations
    def selected(self):
        """The ``reinstate.Analysis`` of the selection on screen (its results are computed once and kept)."""
        return backend.view(self.analysis, as_of=self.as_of, account=self.account, marketplace=self.marketplace)

    def _health(self) -> pd.DataFrame:
        return self.selected().health()

    def _trend(self) -> pd.DataFrame:
        frame = self.selected().trend(metric=self.metric, days=self.trend_days)
        if self.channel is not None and len(frame):
            frame = frame[frame["channel"].isin([self.channel, "ALL"])]
        return frame

    def order_tags(self) -> pd.Series:
        """Per order id, its cause tags as a sorted tuple (from the diagnosis); empty when unavailable."""
        # Tags describe each order (late, damaged, ...) whatever the window, so they are computed once per
        # account: changing the as-of date does not re-run the diagnosis.
        key = (self.account, self.marketplace)
        if key not in self._tags:
            try:
                dx = self.selected().diagnosis()
                self._tags[key] = backend.tags_by_order(getattr(dx, "tags", None))
            except (ReinstateError, ValueError, KeyError) as exc:  # tags are an extra here: the metrics stay usable without them
                self.w_error.value = pill(html.escape(f"cause tags unavailable: {exc}"), "at_risk")
                self._tags[key] = pd.Series(dtype=object)
        return self._tags[key]

    # ------------------------------------------------------------------------------------------------
    # widgets
    def _build_widgets(self):
        w = widgets
        dstyle = {"description_width": "initial"}
        self.w_title = w.HTML()
        self.w_title.add_class("rs-title")
        self.w_language = w.ToggleButtons(options=[(n, c) for c, n in languages().items()], value=self.language,
                                          style={"button_width": "90px"})
        self.w_language.add_class("rs-language")
        self.w_as_of = w.DatePicker(value=self.as_of, style=dstyle, layout=w.Layout(width="250px", margin="0 16px 0 0", flex="0 0 auto"))
        self.w_as_of.add_class("rs-as-of")
        self.w_account = w.Dropdown(options=self.analysis.accounts() or [self.account], value=self.account,
                                    style=dstyle, layout=w.Layout(width="280px", margin="0 16px 0 0", flex="0 0 auto"))
        self.w_account.add_class("rs-account")
        self.w_marketplace = w.Dropdown(options=self.analysis.marketplaces(self.account) or [self.marketplace],
                                        value=self.marketplace, style=dstyle, layout=w.Layout(width="190px", margin="0 16px 0 0", flex="0 0 auto"))
        self.w_marketplace.add_class("rs-marketplace")
        self.w_channel = w.ToggleButtons(options=[], style={"button_width": "64px"})
        self.w_channel.add_class("rs-channel")
        self.w_cards = w.HBox(layout=w.Layout(flex_flow="row wrap"))
        self.w_cards.add_class("rs-cards")
        self.w_metric = w.Dropdown(options=[], style={"description_width": LABEL_WIDTH},
                                   layout=w.Layout(width="460px"))
        self.w_metric.add_class("rs-metric")
        self.w_trend = w.Image(format="png", layout=w.Layout(width="860px"))
        self.w_trend.add_class("rs-trend")
        self.w_history = w.HTML(layout=w.Layout(max_height="240px", overflow="auto", display="none"))
        self.w_history.add_class("rs-history")
        self.w_tag = w.Dropdown(options=[], style={"description_width": LABEL_WIDTH},
                                layout=w.Layout(width="460px"))
        self.w_tag.add_class("rs-tag-filter")
        self.w_drill_title = w.HTML()
        self.w_drill_title.add_class("rs-section")
        self.w_drill = w.HTML(layout=w.Layout(max_height="420px", width="100%", overflow="auto"))
        self.w_drill.add_class("rs-table")
        self.w_drill.add_class("rs-drilldown")
        self.w_error = w.HTML()
        self.w_error.add_class("rs-error")
        self.w_export_format = w.Dropdown(options=[(name, suffix) for suffix, name in EXPORT_FORMATS],
                                          value=".xlsx", layout=w.Layout(width="220px"))
        self.w_export_format.add_class("rs-export-format")
        self.w_export = w.Button(icon="download", layout=w.Layout(width="auto"))
        self.w_export.add_class("rs-export")
        self.w_export.on_click(lambda _b: self.export())
        self.w_export_result = w.HTML()
        self.w_export_result.add_class("rs-export-result")

        controls = w.HBox([self.w_as_of, self.w_account, self.w_marketplace, self.w_channel],
                          layout=w.Layout(flex_flow="row wrap", align_items="center",
                                            justify_content="flex-start"))
        header = w.HBox([self.w_title, self.w_language],
                        layout=w.Layout(justify_content="space-between", align_items="center"))
        export = w.HBox([self.w_export_format, self.w_export, self.w_export_result],
                        layout=w.Layout(align_items="center", flex_flow="row wrap"))
        self.widget = w.VBox([stylesheet(), header, controls, self.w_error, self.w_cards, self.w_metric,
                              self.w_trend, self.w_history, self.w_drill_title, self.w_tag, self.w_drill, export])
        self.widget.add_class("rs-app")
        self.widget.add_class("rs-metrics-explorer")

        self.w_as_of.observe(self._on_control, names="value")
        self.w_account.observe(self._on_control, names="value")
        self.w_marketplace.observe(self._on_control, names="value")
        self.w_channel.observe(self._on_control, names="value")
        self.w_metric.observe(self._on_metric, names="value")
        self.w_tag.observe(self._on_tag, names="value")
        self.w_language.observe(self._on_language, names="value")

    def _labels(self):
        L = lambda key: label(key, self.language)
        with self.quiet():
            self.w_title.value = f"<h2>{html.escape(L('explorer_title'))}</h2>"
            self.w_as_of.description = L("as_of")
            self.w_account.description = L("account")
            self.w_marketplace.description = L("marketplace")
            channels = [(L("all"), ALL)] + [(c, c) for c in self._channels()]
            self.w_channel.options = channels
            self.w_channel.value = self.channel if self.channel in {v: k for k, v in channels} else ALL
            self.w_metric.description = L("metric")
            present = [m for m in METRICS if len(self.health) and (self.health["metric"] == m).any()] or [self.metric]
            self.w_metric.options = [(L(m), m) for m in present]
            if self.metric not in present:
                self.metric = present[0]
            self.w_metric.value = self.metric
            self.w_tag.description = L("cause_tag")
            self.w_export.description = self._local("download")
            self.w_export_format.description = self._local("download_format")

    def _local(self, key: str) -> str:
        entry = LOCAL_LABELS[key]
        return entry.get(self.language) or entry["en"]

    def _channels(self) -> list[str]:
        if not len(self.health):
            return []
        return [c for c in ("MFN", "AFN") if (self.health["channel"] == c).any()]

    # ------------------------------------------------------------------------------------------------
    # views
    def refresh(self):
        """Recompute what the controls select and redraw cards, trend and drill-down."""
        try:
            self.health = self._health()
            self.w_error.value = ""
        except (ReinstateError, ValueError, KeyError) as exc:  # bad date etc.: say it where the analyst looks
            self.health = pd.DataFrame(columns=["metric", "channel", "status"])
            self.w_error.value = pill(html.escape(str(exc)), "breached")
        self._labels()
        self._show_cards()
        self._show_trend()
        self._show_history()
        self._show_drill()

    def visible_health(self) -> pd.DataFrame:
        frame = self.health
        if self.channel is not None and len(frame):
            frame = frame[frame["channel"].isin([self.channel, "ALL"])]
        return frame

    def _show_cards(self):
        L = lambda key: label(key, self.language)
        frame = self.visible_health()
        worst = worst_rows(frame) if len(frame) else {}
        cards = []
        for metric in METRICS:
            if metric not in worst:
                continue
            row = worst[metric]
            status = row["status"]
            lines = []
            for r in frame[frame["metric"] == metric].to_dict("records"):
                lines.append(f"{html.escape(str(r['channel']))} {int(r['window_days'])}d: "
                             f"{_pct(r['rate'])} ({int(r['numerator'])}/{int(r['denominator'])})")
            body = (f'<div class="rs-card-name">{html.escape(L(metric))}</div>'
                    f'<div class="rs-card-rate">{_pct(row["rate"])}</div>'
                    f'<div>{pill(html.escape(L("status_" + status)), status)} '
                    f'<span class="rs-card-meta">{html.escape(L("target"))} {html.escape(_target(row))}</span></div>'
                    f'{self._why(row)}'
                    f'<div class="rs-card-meta">{"<br>".join(lines)}</div>')
            button = widgets.Button(description=L("details"), layout=widgets.Layout(width="auto"))
            button.add_class("rs-card-select")
            button.on_click(lambda _b, m=metric: self.select_metric(m))
            card = widgets.VBox([widgets.HTML(body), button])
            for cls in ("rs-card", f"rs-card-{metric.replace('_', '-')}", f"rs-status-{status}"):
                card.add_class(cls)
            if metric == self.metric:
                card.add_class("rs-card-selected")
            cards.append(card)
        self.w_cards.children = cards

    def _why(self, row) -> str:
        """A line that explains a status the overall rate does not (Valid Tracking: the worst category)."""
        note = str(row.get("note") or "")
        prefix = "worst category: "
        if not note.startswith(prefix) or row["status"] in ("good", "no_data"):
            return ""
        return (f'<div class="rs-card-why"><b>{html.escape(self._local("worst_category"))}:</b> '
                f'{html.escape(note[len(prefix):])}</div>')

    def export_tables(self) -> dict:
        """The tables behind the download: health as shown, the failing orders and, when Amazon's report was
        loaded, the reconciliation."""
        from ..export_tables import health_tables

        data = self.analysis.data
        rec = None
        if getattr(data, "performance", None) is not None:
            try:
                rec = self.selected().reconciliation()
            except (ReinstateError, ValueError, KeyError):
                rec = None  # another account's report: the download still has health and orders
        return health_tables(data, self.visible_health(), as_of=self.as_of, reconciliation=rec,
                             flags=self.selected().flags)

    def export(self) -> list[Path]:
        """Write the tables in the chosen format (into ``out_dir``/exports when given, never overwriting) and show
        a download link per file; returns the files written."""
        from ..export_tables import write_tables
        from ..files import safe_name

        suffix = self.w_export_format.value
        name = f"health-{safe_name(self.account)}-{self.as_of}{suffix}"
        try:
            if self.out_dir is not None:
                written = write_tables(self.out_dir / "exports" / name, self.export_tables())
            else:
                with tempfile.TemporaryDirectory() as tmp:
                    written = write_tables(Path(tmp) / name, self.export_tables())
                    self._links(written)
                    return []
        except (ReinstateError, OSError, ValueError) as exc:
            self.w_export_result.value = pill(html.escape(str(exc)), "breached")
            return []
        self._links(written)
        return written

    def _links(self, paths):
        links = []
        for path in paths:
            uri = f"data:{MIME[path.suffix]};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
            links.append(f'<a download="{html.escape(path.name)}" href="{uri}">{html.escape(path.name)}</a>')
        where = f" ({html.escape(str(paths[0].parent))})" if self.out_dir is not None and paths else ""
        self.w_export_result.value = f"{html.escape(self._local('download_ready'))}: {' · '.join(links)}{where}"

    def _show_trend(self):
        key = ("png", self.as_of, self.account, self.marketplace, self.metric, self.channel, self.language)
        try:
            self.trend = self._trend()
        except (ReinstateError, ValueError, KeyError) as exc:
            self.trend = pd.DataFrame()
            self.w_error.value = pill(html.escape(f"trend: {exc}"), "breached")
        if key not in self._trends:  # drawing costs more than computing: keep each PNG
            fig = Figure(figsize=(9.5, 3.6), dpi=90)
            ax = fig.add_subplot()
            fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.2)
            backend.plot_trend(self.trend, metric=self.metric, title=label(self.metric, self.language), ax=ax,
                               language=self.language)
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
            self._trends[key] = buf.getvalue()
        self.w_trend.value = self._trends[key]

    def _show_history(self):
        """The saved snapshots of the chosen metric (newest first), or nothing when there is no store."""
        from ..history.display import saved_history
        try:
            frame = saved_history(self.metric, store=self.store, account=self.account, marketplace=self.marketplace)
        except (ReinstateError, OSError) as exc:  # e.g. a store another process holds: today's figures stand
            frame = None
            self.w_error.value = pill(html.escape(f"history: {exc}"), "at_risk")
        if frame is not None and self.channel is not None:
            frame = frame[frame["channel"].isin([self.channel, "ALL"])]
        self.history = frame if frame is not None and len(frame) else None
        if self.history is None:
            self.w_history.value = ""
            self.w_history.layout.display = "none"
            return
        shown = self.history.sort_values(["as_of", "channel", "window_days"], ascending=[False, True, True])
        shown = shown.assign(rate=shown["rate"].map(_pct))
        self.w_history.value = (f'<div class="rs-section">{html.escape(self._local("history"))}</div>'
                                + backend.table_html(shown, ["as_of", "channel", "window_days", "numerator",
                                                             "denominator", "rate", "status"], max_rows=60))
        self.w_history.layout.display = None

    def _show_drill(self):
        L = lambda key: label(key, self.language)
        try:
            drill = self.selected().drilldown(self.metric, channel=self.channel)
        except (ReinstateError, ValueError, KeyError) as exc:
            drill = pd.DataFrame(columns=list(DRILL_COLUMNS))
            self.w_error.value = pill(html.escape(f"drill-down: {exc}"), "breached")
        tags = self.order_tags()
        # object dtype on purpose: pandas would store tuples as an Arrow list column
        lookup = tags.to_dict() if len(tags) else {}
        drill = drill.assign(tags=pd.Series([lookup.get(o, ()) for o in drill["order_id"]], index=drill.index,
                                            dtype=object))
        all_tags = sorted({t for ts in drill["tags"] for t in ts})
        with self.quiet():
            self.w_tag.options = [(L("all"), ALL)] + [(t, t) for t in all_tags]
            if self.tag not in all_tags:
                self.tag = None
            self.w_tag.value = self.tag or ALL
        if self.tag is not None:
            drill = drill[[self.tag in ts for ts in drill["tags"]]]
        self.drill = drill.reset_index(drop=True)
        self.w_drill_title.value = (f"<div>{html.escape(L('drilldown'))} — {html.escape(L(self.metric))}: "
                                    f"{len(self.drill)} {html.escape(L('orders_shown'))}</div>")
        # One channel chosen: its column says nothing. The table scrolls sideways inside its own box rather than
        # running past the app's edge (the last column used to be cut off in a 1,000 px notebook output).
        columns = [c for c in DRILL_COLUMNS if not (c == "channel" and self.channel is not None)]
        self.w_drill.value = (DRILL_STYLE + backend.table_html(self.drill, columns, max_rows=MAX_ROWS)
                              if len(self.drill) else f'<div class="rs-muted">{html.escape(L("no_orders"))}</div>')

    # ------------------------------------------------------------------------------------------------
    # callbacks
    def select_metric(self, metric: str):
        self.metric = metric
        self.tag = None
        with self.quiet():
            self.w_metric.value = metric
        self._show_cards()
        self._show_trend()
        self._show_history()
        self._show_drill()

    def _on_control(self, change):
        if self._quiet:
            return
        owner = change["owner"]
        if owner is self.w_as_of:
            if change["new"] is None:
                return
            self.as_of = change["new"]
        elif owner is self.w_account:
            self.account = change["new"]
            self._follow_account()
        elif owner is self.w_marketplace:
            self.marketplace = change["new"]
        elif owner is self.w_channel:
            self.channel = None if change["new"] in (ALL, None) else change["new"]
        self.refresh()

    def _on_metric(self, change):
        if not self._quiet and change["new"]:
            self.select_metric(change["new"])

    def _on_tag(self, change):
        if self._quiet:
            return
        self.tag = None if change["new"] in (ALL, None) else change["new"]
        self._show_drill()

    def _on_language(self, change):
        self.language = change["new"]
        self.refresh()
