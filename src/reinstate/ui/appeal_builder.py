"""AppealBuilder: assemble a Plan of Action from the data in five steps, check it, export it.

    builder = AppealBuilder(data, as_of="2026-11-16", out_dir="out")
    builder.widget            # display this in a notebook or Voila

The app is a class: widgets are attributes, callbacks are methods, the state is plain Python
attributes (``fields``, ``causes``, ``action_state``, ``letter``, ``lint_result``), the root is
``.widget`` and nothing is displayed in ``__init__``. Tests set ``.value`` and call ``.click()``.

Typed text is data: every field reaches the letter as a context value, never as template source, and
the preview escapes it, so ``{{ config }}`` or ``<script>`` show up literally.
"""
from __future__ import annotations

import base64
import datetime as dt
import html
import mimetypes
from pathlib import Path

import ipywidgets as widgets

from ..errors import ConfigError, ReinstateError
from . import backend
from .base import WidgetApp
from .drafts import DraftError, draft_path, load_draft, save_draft
from .i18n import label, languages, template_option
from .styles import LABEL_WIDTH, SEVERITY_STATUS, VERDICT_STATUS, pill, stylesheet

# Where each template field is typed, for messages in the GUI's own words: (tab label key, field label key).
FIELD_PLACES = {"seller_name": "seller_name", "store_name": "store_name", "merchant_token": "merchant_token",
                "contact": "contact", "notice_date": "notice_date", "asins": "asins"}
STEP_KEYS = ("step_account", "step_causes", "step_actions", "step_preview", "step_export")

# Seller and notice fields every template can use; other template fields get generic inputs.
SELLER_FIELDS = ("seller_name", "store_name", "merchant_token", "contact")
FORMATS = (("Plain text (.txt)", "txt"), ("Markdown (.md)", "md"), ("HTML (.html)", "html"),
           ("Word (.docx)", "docx"))
FIELD_WIDTH = "560px"


def _cls(widget, *names):
    for name in names:
        widget.add_class(name)
    return widget


def _desc_style():
    return {"description_width": LABEL_WIDTH}


def _date_or_none(value):
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def parse_as_of(value) -> tuple[dt.date | None, str | None]:
    """(the as-of date, None) or (None, the text that is not a date). Only ISO dates (YYYY-MM-DD) are read:
    01/11/2026 could be January or November."""
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    text = str(value or "").strip()
    try:
        return dt.date.fromisoformat(text), None
    except ValueError:
        return None, text


def _missing(value) -> bool:
    import pandas as pd
    return value is None or bool(pd.isna(value))


def _pct(rate) -> str:
    return "n/a" if _missing(rate) else f"{float(rate):.2%}"


def _span(start, end) -> str:
    day = lambda x: "" if _missing(x) else str(x)[:10]
    return f"{day(start)} – {day(end)}"


def split_asins(text: str) -> list[str]:
    """ASINs typed one per line or comma/space separated, de-duplicated, order kept."""
    seen, out = set(), []
    for token in (text or "").replace(",", " ").split():
        if token not in seen:
            seen.add(token)
            out.append(token)
    return out


def data_uri(path: Path) -> str:
    """The file as a ``data:`` URI, so the download link works in Voila and JupyterLab alike."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".docx":
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if path.suffix == ".md":
        mime = "text/markdown"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


class AppealBuilder(WidgetApp):
    """Widget app that builds, checks and exports a Plan of Action for one account.

    ``data``: a loaded ``Dataset`` (or a ``backend.Analysis`` shared with another app); ``as_of``: the
    Account Health date; ``out_dir``: drafts go to ``<out_dir>/drafts/``, letters to
    ``<out_dir>/letters/``; ``account``/``marketplace`` default to the first in the data;
    ``template`` defaults to the last draft of this account, else the template for the worst metric;
    ``language``: UI language, ``"en"`` or ``"zh"``.
    """

    def __init__(self, data, *, as_of, out_dir="out", account=None, marketplace=None, template=None,
                 language="en"):
        self.analysis = data if isinstance(data, backend.Analysis) else backend.Analysis(data)
        # A date that is not one is shown as an error (and blocks the letter), never silently replaced.
        self.as_of, bad = parse_as_of(as_of)
        self.as_of_error: str | None = bad
        if self.as_of is None:
            self.as_of = dt.date.today()
        self.out_dir = Path(out_dir)
        self.language = language if language in languages() else "en"
        accounts = self.analysis.accounts()
        self.account = account if account is not None else (accounts[0] if accounts else None)
        markets = self.analysis.marketplaces(self.account)
        self.marketplace = marketplace if marketplace is not None else (markets[0] if markets else None)
        self.templates = backend.templates()
        self.template_by_id = {t["id"]: t for t in self.templates}

        # --- state (plain attributes) ---
        self.template_id: str = ""
        self.fields: dict[str, str] = {}          # seller fields, notice_date (ISO), asins text, extras
        self.causes: list[dict] = []              # {key, cause, statement, selected, manual, evidence,...}
        self.action_state: dict[str, dict] = {}   # action id -> {selected, date, owner, frequency}
        self.removal: dict[str, dict] = {}        # "removal requested" action id -> {selected, date, owner}
        self.channel: str | None = None           # None: the breached channel with the highest rate
        self.attribution = None                   # appeal.attribution.Attribution the letter argues (or None)
        self.argued_raw = None                    # the same before the catch-all check (for the channel note)
        self.removable = None                     # removable defects (ODR letters)
        self.problems: list[dict] = []            # what keeps the letter from rendering, in the GUI's words
        self.extra_corrective = ""
        self.extra_preventive = ""
        self.fmt = "docx"
        self.evidence_pack = False
        self.letter = ""                          # plain text: preview, linter, counter
        self.markdown = ""                        # the same letter as Markdown: what the exports take
        self.render_error: str | None = None
        self.lint_result = None
        self.active_finding: int | None = None
        self.last_export: dict | None = None
        self.status = ""

        self._build_widgets()
        self._load_analysis()
        self._open_template(template or self._initial_template(), carry_over=False)

    # ------------------------------------------------------------------------------------------------
    # analysis for the current account
    def _load_analysis(self):
        kw = dict(as_of=self.as_of, account=self.account, marketplace=self.marketplace)
        selected = backend.view(self.analysis, **kw)
        self.health = selected.health()
        self.diagnosis = selected.diagnosis()
        self._rows = self._hypothesis_rows()

    def _load_argued(self):
        """What the CLI letter of this template argues: the attribution (causes, counts) and removable defects.

        A channel the metric has no row in falls back to the automatic choice."""
        kw = dict(template_id=self.template_id, as_of=self.as_of, account=self.account, marketplace=self.marketplace)
        try:
            att, removable = backend.argued(self.analysis, channel=self.channel, **kw)
        except ConfigError:
            self.channel = None
            att, removable = backend.argued(self.analysis, channel=None, **kw)
        self.argued_raw = att
        self.attribution = att if att is not None and att.causes else None
        self.removable = removable if self.attribution is not None else None

    def _initial_template(self) -> str:
        """The last draft saved for this account, else the template addressing its worst metric."""
        drafts = sorted((self.out_dir / "drafts").glob(f"{draft_path('.', self.account, 'x').name[:-7]}*.json"),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for path in drafts:
            tid = path.stem.split("__", 1)[-1]
            if tid in self.template_by_id:
                return tid
        return backend.suggest_template(self.templates, self.health)

    # ------------------------------------------------------------------------------------------------
    # widgets
    def _build_widgets(self):
        w = widgets
        self.w_language = _cls(w.ToggleButtons(options=[(name, code) for code, name in languages().items()],
                                               value=self.language, style={"button_width": "90px"}),
                               "rs-language")
        self.w_title = _cls(w.HTML(), "rs-title")
        self.w_status = _cls(w.HTML(), "rs-status", "rs-status-line")
        self.w_summary = _cls(w.HTML(), "rs-summary")

        # step 1: account and issue
        self.w_account = _cls(w.Dropdown(options=self.analysis.accounts() or [self.account], value=self.account,
                                         style=_desc_style(), layout=w.Layout(width=FIELD_WIDTH)), "rs-account")
        self.w_marketplace = _cls(w.Dropdown(options=self.analysis.marketplaces(self.account) or [self.marketplace],
                                             value=self.marketplace, style=_desc_style(),
                                             layout=w.Layout(width="360px")), "rs-marketplace")
        self.w_template = _cls(w.Dropdown(options=[], style=_desc_style(), layout=w.Layout(width="760px")),
                               "rs-template")
        self.w_required_note = _cls(w.HTML(), "rs-muted", "rs-required-note")
        self.w_as_of = _cls(w.Text(value=self.as_of_error if self.as_of_error is not None else
                                   self.as_of.isoformat(), placeholder="YYYY-MM-DD", style=_desc_style(),
                                   continuous_update=False, layout=w.Layout(width="360px")), "rs-as-of")
        self.w_as_of_error = _cls(w.HTML(), "rs-field-error", "rs-as-of-error")
        self.w_channel = _cls(w.Dropdown(options=[], style=_desc_style(), layout=w.Layout(width=FIELD_WIDTH)),
                              "rs-channel")
        self.w_channel_note = _cls(w.HTML(), "rs-channel-note")
        self.w_template_info = _cls(w.HTML(), "rs-template-info")
        self.w_seller = {}
        for name in SELLER_FIELDS:
            self.w_seller[name] = _cls(w.Text(style=_desc_style(), layout=w.Layout(width=FIELD_WIDTH)),
                                       "rs-field", f"rs-{name.replace('_', '-')}")
        self.w_notice_date = _cls(w.DatePicker(style=_desc_style(), layout=w.Layout(width="360px")),
                                  "rs-notice-date")
        self.w_asins = _cls(w.Textarea(style=_desc_style(), layout=w.Layout(width=FIELD_WIDTH, height="64px")),
                            "rs-asins")
        self.w_extra_title = _cls(w.HTML(), "rs-section")
        self.w_extra_box = _cls(w.VBox(), "rs-extra-fields")
        self.w_extra: dict[str, widgets.Widget] = {}

        # step 2: causes
        self.w_causes_intro = _cls(w.HTML(), "rs-intro")
        self.w_causes_box = _cls(w.VBox(), "rs-causes")
        self.w_add_cause_id = _cls(w.Dropdown(options=[(backend.cause_label(c), c) for c in backend.cause_ids()],
                                              style=_desc_style(), layout=w.Layout(width=FIELD_WIDTH)),
                                   "rs-add-cause-id")
        self.w_add_cause_text = _cls(w.Textarea(style=_desc_style(), layout=w.Layout(width="760px", height="56px")),
                                     "rs-add-cause-text")
        self.w_add_cause = _cls(w.Button(button_style="", layout=w.Layout(width="160px", margin="0 0 0 154px")),
                                "rs-add-cause")
        self.w_add_cause_title = _cls(w.HTML(), "rs-section")
        self.w_removable_box = _cls(w.VBox(), "rs-removable")

        # step 3: actions
        self.w_actions_intro = _cls(w.HTML(), "rs-intro")
        self.w_actions_box = _cls(w.VBox(), "rs-actions")
        self.w_extra_corrective = _cls(w.Textarea(layout=w.Layout(width="760px", height="64px")),
                                       "rs-extra-corrective")
        self.w_extra_preventive = _cls(w.Textarea(layout=w.Layout(width="760px", height="64px")),
                                       "rs-extra-preventive")
        self.w_extra_corrective_label = _cls(w.HTML(), "rs-section")
        self.w_extra_preventive_label = _cls(w.HTML(), "rs-section")

        # step 4: preview and check
        self.w_preview = _cls(w.HTML(layout=w.Layout(width="62%")), "rs-preview")
        self.w_verdict = _cls(w.HTML(), "rs-verdict")
        self.w_counter = _cls(w.HTML(), "rs-counter")
        self.w_findings_hint = _cls(w.HTML(), "rs-muted")
        self.w_findings = _cls(w.VBox(), "rs-findings")
        self.w_send_to = _cls(w.HTML(), "rs-send-to")

        # step 5: export
        self.w_format = _cls(w.ToggleButtons(options=FORMATS, value=self.fmt, style={"button_width": "130px"}),
                             "rs-format")
        self.w_evidence = _cls(w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto")),
                               "rs-evidence-pack")
        self.w_export = _cls(w.Button(button_style="primary", layout=w.Layout(width="160px")), "rs-export")
        self.w_export_hint = _cls(w.HTML(), "rs-export-hint")
        self.w_export_result = _cls(w.HTML(), "rs-export-result")

        step1 = w.VBox([self.w_required_note, self.w_account, self.w_marketplace, self.w_as_of, self.w_as_of_error,
                        self.w_template, self.w_template_info, self.w_channel, self.w_channel_note,
                        *self.w_seller.values(), self.w_notice_date, self.w_asins,
                        self.w_extra_title, self.w_extra_box])
        step2 = w.VBox([self.w_causes_intro, self.w_causes_box, self.w_add_cause_title, self.w_add_cause_id,
                        self.w_add_cause_text, self.w_add_cause])
        step3 = w.VBox([self.w_actions_intro, self.w_actions_box, self.w_removable_box,
                        self.w_extra_corrective_label, self.w_extra_corrective, self.w_extra_preventive_label,
                        self.w_extra_preventive])
        side = w.VBox([self.w_verdict, self.w_counter, self.w_findings_hint, self.w_findings, self.w_send_to],
                      layout=w.Layout(width="37%", margin="0 0 0 12px"))
        step4 = w.HBox([self.w_preview, side], layout=w.Layout(align_items="flex-start"))
        step5 = w.VBox([self.w_format, self.w_evidence, self.w_export_hint, self.w_export, self.w_export_result])
        self.w_steps = _cls(w.Tab(children=[step1, step2, step3, step4, step5]), "rs-steps")
        header = w.HBox([self.w_title, self.w_language],
                        layout=w.Layout(justify_content="space-between", align_items="center"))
        self.widget = _cls(w.VBox([stylesheet(), header, self.w_summary, self.w_steps, self.w_status]),
                           "rs-app", "rs-appeal-builder")

        for widget in (self.w_notice_date, self.w_asins, self.w_extra_corrective, self.w_extra_preventive,
                       *self.w_seller.values()):
            widget.observe(self._on_field, names="value")
        self.w_template.observe(self._on_template, names="value")
        self.w_as_of.observe(self._on_as_of, names="value")
        self.w_channel.observe(self._on_channel, names="value")
        self.w_account.observe(self._on_account, names="value")
        self.w_marketplace.observe(self._on_account, names="value")
        self.w_language.observe(self._on_language, names="value")
        self.w_format.observe(self._on_export_options, names="value")
        self.w_evidence.observe(self._on_export_options, names="value")
        self.w_add_cause.on_click(self._on_add_cause)
        self.w_export.on_click(self._on_export)
        self._apply_labels()

    def _apply_labels(self):
        """(Re)write every visible text in the UI language; the letter stays English."""
        L = lambda key: label(key, self.language)
        with self.quiet():
            self.w_title.value = f"<h2>{html.escape(L('app_title'))}</h2>"
            self.w_steps.titles = tuple(L(k) for k in STEP_KEYS)
            self.w_required_note.value = html.escape(L("required_note"))
            self.w_account.description = L("account")
            self.w_marketplace.description = L("marketplace")
            self.w_as_of.description = L("as_of") + " *"
            self.w_channel.description = L("channel")
            self.w_template.description = L("appeal_type") + " *"
            current = self.template_id or None
            self.w_template.options = [(template_option(t, self.language), t["id"]) for t in self.templates]
            if current in self.template_by_id:
                self.w_template.value = current
            self._describe_fields()
            self.w_asins.placeholder = L("asins_hint")
            self.w_extra_title.value = f"<div>{html.escape(L('extra_fields'))}</div>" if self.w_extra else ""
            self.w_causes_intro.value = html.escape(L("causes_intro"))
            self.w_add_cause_title.value = f"<div>{html.escape(L('add_cause'))}</div>"
            self.w_add_cause_id.description = L("cause_type")
            self.w_add_cause_text.description = L("statement")
            self.w_add_cause.description = L("add_cause")
            self.w_actions_intro.value = html.escape(L("actions_intro"))
            self.w_extra_corrective_label.value = f"<div>{html.escape(L('extra_corrective'))}</div>"
            self.w_extra_preventive_label.value = f"<div>{html.escape(L('extra_preventive'))}</div>"
            self.w_findings_hint.value = html.escape(L("click_to_highlight"))
            self.w_evidence.description = L("evidence_pack")
            self.w_export.description = L("export")
        if self.template_id:
            self._fill_channels()
            self._build_extra_fields()
            self._show_template_info()
            self._show_as_of()
            self._rebuild_causes()
            self._rebuild_actions()
            self._refresh(save=False)

    def _describe_fields(self):
        """Field labels in the UI language, a required one marked with " *" (the template says which)."""
        L = lambda key: label(key, self.language)
        required = {f.split(".")[0] for f in self.template_by_id.get(self.template_id, {}).get("required", ())}
        with self.quiet():
            for name, widget in self.w_seller.items():
                widget.description = L(name) + (" *" if name in required else "")
                widget.tooltip = L(name)
            self.w_notice_date.description = L("notice_date") + (" *" if "notice_date" in required else "")
            self.w_asins.description = L("asins") + (" *" if "asins" in required else "")

    # ------------------------------------------------------------------------------------------------
    # state <-> widgets
    def _default_causes(self) -> list[dict]:
        """The causes the CLI letter argues, all ticked, strongest first.

        A metric template: the per-metric attribution (the breached metric's own failing orders in its window
        and channel, one primary cause per order, "N of M" out of that metric's failing orders). A template
        that argues no metric: the diagnosis hypotheses of the causes it addresses (high/medium confidence
        ticked, and always the best-ranked), else its default causes in the library's words.
        """
        if self.attribution is not None:
            return backend.attributed_choices(self.attribution, self.diagnosis)
        meta = self.template_by_id.get(self.template_id, {})
        relevant = set(meta.get("causes") or ())
        hyps = backend.hypotheses(self.diagnosis)
        rows = list(enumerate(hyps.to_dict("records"))) if hyps is not None and len(hyps) else []
        rows = [(i, r) for i, r in rows if not relevant or str(r.get("cause")) in relevant]
        out = []
        for position, (i, row) in enumerate(rows):
            conf = str(row.get("confidence") or "")
            out.append({
                "key": backend.hypothesis_key(row, i), "cause": str(row.get("cause")),
                "statement": str(row.get("statement") or ""), "original": str(row.get("statement") or ""),
                "selected": conf in ("high", "medium") or position == 0, "manual": False,
                "confidence": conf, "evidence": backend.evidence_text(row), "scope": backend.scope_text(row),
                # The human reason: pre-filled from the library, marked as a suggestion until the analyst
                # edits or confirms it (an unconfirmed one stays marked in the letter and draws a lint warning).
                "why": backend.suggested_why(str(row.get("cause")), row), "why_confirmed": False,
            })
        if not out:
            for cause in meta.get("default_causes") or ():
                out.append({"key": f"d-{cause}", "cause": cause, "statement": "", "original": "", "selected": True,
                            "manual": False, "confidence": "", "evidence": "", "scope": "",
                            "why": backend.suggested_why(cause, None), "why_confirmed": False})
        return out

    def _merge_causes(self, saved: list[dict]) -> list[dict]:
        """Fresh cause choices from the data with the analyst's work on them kept (tick, edited sentence,
        why), matched by key; causes added by hand are kept as they are."""
        old = {c.get("key"): c for c in saved if not c.get("manual")}
        out = []
        for cause in self._default_causes():
            mine = old.get(cause["key"])
            if mine is not None:
                cause["selected"] = bool(mine.get("selected"))
                if mine.get("statement") != mine.get("original"):
                    cause["statement"] = mine.get("statement", "")
                if mine.get("why_confirmed") or mine.get("why") != cause["why"]:
                    cause["why"], cause["why_confirmed"] = mine.get("why", ""), bool(mine.get("why_confirmed"))
            out.append(cause)
        return out + [dict(c) for c in saved if c.get("manual")]

    def _state(self) -> dict:
        """Everything a draft needs, as JSON-serialisable plain data."""
        return {"template_id": self.template_id, "marketplace": self.marketplace, "channel": self.channel,
                "removal": {k: dict(v) for k, v in self.removal.items()}, "fields": dict(self.fields),
                "causes": [dict(c) for c in self.causes], "action_state": {k: dict(v) for k, v in
                                                                           self.action_state.items()},
                "extra_corrective": self.extra_corrective, "extra_preventive": self.extra_preventive,
                "format": self.fmt, "evidence_pack": self.evidence_pack}

    def _apply_state(self, state: dict):
        self.fields = {str(k): ("" if v is None else str(v)) for k, v in (state.get("fields") or {}).items()}
        self.causes = [dict(c) for c in state.get("causes") or []]
        self.action_state = {k: dict(v) for k, v in (state.get("action_state") or {}).items()}
        self.removal = {k: dict(v) for k, v in (state.get("removal") or {}).items()}
        self.channel = state.get("channel") if state.get("channel") in ("MFN", "AFN") else None
        self.extra_corrective = state.get("extra_corrective") or ""
        self.extra_preventive = state.get("extra_preventive") or ""
        if state.get("format") in {v for _, v in FORMATS}:
            self.fmt = state["format"]
        self.evidence_pack = bool(state.get("evidence_pack", False))

    @property
    def draft_file(self) -> Path:
        return draft_path(self.out_dir, self.account, self.template_id)

    def _open_template(self, template_id: str, *, carry_over: bool):
        """Switch to ``template_id``: restore its draft for this account, else start from the data.

        The causes always come fresh from the data (what the CLI letter argues), with the analyst's work on
        them kept: from the draft, or with ``carry_over`` (no draft yet) from the template left behind, whose
        seller fields, edited sentences, whys and hand-added causes stay.
        """
        if template_id not in self.template_by_id and self.templates:
            template_id = self.templates[0]["id"]
        self.template_id = template_id
        self.active_finding = None
        self.last_export = None
        try:
            state = load_draft(self.draft_file)
        except DraftError as exc:
            state = None
            self.status = f'<span class="rs-err">{html.escape(label("draft_unreadable", self.language))}: ' \
                          f'{html.escape(str(exc))}</span>'
        if state is not None:
            self._apply_state(state)
            self.status = f'<span class="rs-ok">{html.escape(label("draft_restored", self.language))} ' \
                          f'{html.escape(str(self.draft_file))}</span>'
            saved = self.causes
        elif not carry_over:
            self._apply_state({"fields": {}})
            saved = []
        else:
            saved = self.causes
        self._load_argued()
        self.causes = self._merge_causes(saved)
        self._fill_widgets()

    def _fill_widgets(self):
        """Show the state in the widgets without triggering the change handlers."""
        with self.quiet():
            if self.w_template.value != self.template_id:
                self.w_template.value = self.template_id
            for name, widget in self.w_seller.items():
                widget.value = self.fields.get(name, "")
            self.w_notice_date.value = _date_or_none(self.fields.get("notice_date"))
            self.w_asins.value = self.fields.get("asins", "")
            self.w_extra_corrective.value = self.extra_corrective
            self.w_extra_preventive.value = self.extra_preventive
            self.w_format.value = self.fmt
            self.w_evidence.value = self.evidence_pack
            self._build_extra_fields()
        self._describe_fields()
        self._fill_channels()
        self._show_template_info()
        self._rebuild_causes()
        self._rebuild_actions()
        self.w_export_result.value = ""
        self._refresh(save=False)

    def _build_extra_fields(self):
        """Inputs for the template's own fields (e.g. a patent number) that the data cannot fill."""
        meta = self.template_by_id.get(self.template_id, {})
        self.w_extra = {}
        for name in backend.extra_fields(meta):
            long = backend.is_long_field(meta, name)
            cls = widgets.Textarea if long else widgets.Text
            widget = cls(value=self.fields.get(name, ""), description=backend.field_title(meta, name),
                         style=_desc_style(),
                         layout=widgets.Layout(width="760px" if long else FIELD_WIDTH,
                                               height="72px" if long else None))
            _cls(widget, "rs-field", "rs-extra-field", f"rs-field-{name.replace('_', '-')}")
            widget.observe(self._on_field, names="value")
            self.w_extra[name] = widget
        self.w_extra_box.children = list(self.w_extra.values())
        self.w_extra_title.value = f"<div>{html.escape(label('extra_fields', self.language))}</div>" \
            if self.w_extra else ""

    def _show_template_info(self):
        meta = self.template_by_id.get(self.template_id, {})
        metrics = ", ".join(label(m, self.language) for m in meta.get("metrics") or []) or "—"
        when = meta.get("when_to_use") or ""
        self.w_template_info.value = (
            f'<div class="rs-muted" style="margin-left:{LABEL_WIDTH};padding-left:4px">'
            f'<b>{html.escape(label("when_to_use", self.language))}:</b> {html.escape(when)}<br>'
            f'<b>{html.escape(label("addresses", self.language))}:</b> {html.escape(metrics)}</div>')

    def _fill_channels(self):
        """The channel choice of a metric template: automatic (the breached channel with the highest rate,
        named) or one channel; and the note saying which channel and orders the letter argues."""
        L = lambda key: label(key, self.language)
        att = self.argued_raw
        metric = att.metric if att is not None else None
        rows = backend.metric_channels(self.health, metric)
        with self.quiet():
            if att is None or not rows:
                self.w_channel.layout.display = "none"
                self.w_channel_note.value = ""
                return
            self.w_channel.layout.display = None
            auto = L("channel_auto").format(channel=next((r["channel"] for r in rows if r["automatic"]), ""))
            options = [(auto, "")] + [((f'{r["channel"]} · {L(r["channel"] + "_name")} · '
                                        f'{_pct(r["rate"])} · {L("status_" + str(r["status"]))}'), r["channel"])
                                      for r in rows]
            self.w_channel.options = options
            self.w_channel.value = self.channel or ""
        metric_name = L(metric)
        parts = [L("channel_argued").format(
            channel=f'{L(str(att.channel) + "_name")} ({att.channel})', metric=metric_name,
            rate=_pct(next((r["rate"] for r in rows if r["channel"] == att.channel), None)),
            n=att.defective_orders, window=_span(att.window_start, att.window_end))]
        parts.append(L("channel_why_auto") if att.channel_chosen != "analyst" else L("channel_why_analyst"))
        for other in att.other_breached:
            parts.append(L("channel_also").format(
                channel=f'{L(str(other.get("channel")) + "_name")} ({other.get("channel")})', metric=metric_name,
                rate=_pct(other.get("rate")), n=int(other.get("numerator") or 0),
                d=int(other.get("denominator") or 0)))
        self.w_channel_note.value = (f'<div class="rs-muted" style="margin-left:{LABEL_WIDTH};padding-left:4px">'
                                     + " ".join(html.escape(p) for p in parts) + "</div>")

    def _show_as_of(self):
        L = lambda key: label(key, self.language)
        self.w_as_of_error.value = "" if self.as_of_error is None else (
            f'<div class="rs-err" style="margin-left:{LABEL_WIDTH};padding-left:4px">'
            f'{html.escape(L("bad_date").format(value=self.as_of_error))}</div>')

    def _rebuild_causes(self):
        L = lambda key: label(key, self.language)
        rows = []
        for cause in self.causes:
            check = _cls(widgets.Checkbox(value=bool(cause.get("selected")), indent=False,
                                          layout=widgets.Layout(width="28px")), "rs-cause-check")
            text = _cls(widgets.Textarea(value=cause.get("statement", ""), placeholder=L("statement_hint"),
                                         layout=widgets.Layout(width="100%", height="58px")), "rs-cause-statement")
            head = f"<b>{html.escape(backend.cause_label(cause['cause'], self.language))}</b>"
            if cause.get("scope"):
                head += f" — {html.escape(backend.scope_text_for(cause['scope'], self.language))}"
            if cause.get("attributed"):
                head += " " + pill(html.escape(L("orders_of").format(n=cause.get("orders", 0), m=cause.get("of", 0))),
                                   "no_data")
            if cause.get("confidence"):
                status = {"high": "good", "medium": "at_risk"}.get(cause["confidence"], "no_data")
                head += " " + pill(f"{html.escape(L('confidence'))}: "
                                   f"{html.escape(L('confidence_' + cause['confidence']))}", status)
            if cause.get("manual"):
                head += " " + pill(html.escape(L("manual_cause")), "no_data")
            why = _cls(widgets.Textarea(value=cause.get("why", ""), description=L("why"),
                                        layout=widgets.Layout(width="100%", height="58px")), "rs-cause-why")
            confirmed = bool(cause.get("why_confirmed"))
            why_ok = _cls(widgets.Checkbox(value=confirmed, description=L("why_confirm"), indent=False),
                          "rs-cause-why-confirm")
            mark = widgets.HTML("" if confirmed else pill(html.escape(L("why_suggestion")), "at_risk"))
            body = [widgets.HTML(head), text, mark, why, why_ok]
            if cause.get("evidence"):
                body.append(_cls(widgets.HTML(f"{html.escape(L('evidence'))}: {html.escape(cause['evidence'])}"),
                                 "rs-cause-evidence"))
            key = cause["key"]
            check.observe(lambda ch, key=key: self._on_cause(key, selected=ch["new"]), names="value")
            text.observe(lambda ch, key=key: self._on_cause(key, statement=ch["new"]), names="value")
            # Typing a reason makes it the analyst's; the box confirms a suggestion kept as it is.
            why.observe(lambda ch, key=key, box=why_ok: (setattr(box, "value", True),
                                                         self._on_cause(key, why=ch["new"], why_confirmed=True)),
                        names="value")
            why_ok.observe(lambda ch, key=key, m=mark: (setattr(m, "value", "" if ch["new"] else pill(
                html.escape(L("why_suggestion")), "at_risk")), self._on_cause(key, why_confirmed=ch["new"])),
                names="value")
            row = _cls(widgets.HBox([check, widgets.VBox(body, layout=widgets.Layout(width="100%"))]),
                       "rs-cause-row", f"rs-cause-{key}", f"rs-cause-type-{cause['cause'].replace('_', '-')}")
            rows.append(row)
        if not rows:
            rows = [_cls(widgets.HTML(html.escape(L("no_causes"))), "rs-intro")]
        self.w_causes_box.children = rows

    def selected_causes(self) -> list[dict]:
        """Ticked causes (one added by hand needs its sentence)."""
        return [c for c in self.causes if c.get("selected") and
                (not c.get("manual") or str(c.get("statement", "")).strip())]

    def available_actions(self) -> list[dict]:
        """Library actions for the selected causes, each merged with the analyst's date/owner/tick."""
        cause_ids = list(dict.fromkeys(c["cause"] for c in self.selected_causes()))
        out = []
        for action in backend.actions_for(cause_ids):
            saved = self.action_state.get(action["id"], {})
            out.append({**action,
                        "selected": saved.get("selected", action["default"]),
                        # Empty until the analyst gives the real date: the data cannot know when it was done.
                        "date": saved.get("date", ""),
                        "owner": saved.get("owner", action["owner"]),
                        "frequency": saved.get("frequency", action["frequency"])})
        return out

    def _rebuild_actions(self):
        L = lambda key: label(key, self.language)
        rows = []
        actions = self.available_actions()
        for kind in ("corrective", "preventive"):
            mine = [a for a in actions if a["kind"] == kind]
            if not mine:
                continue
            rows.append(_cls(widgets.HTML(f"<div>{html.escape(L(kind))}</div>"), "rs-section"))
            for action in mine:
                rows.append(self._action_row(action))
        if not rows:
            rows = [_cls(widgets.HTML(html.escape(L("no_actions"))), "rs-intro")]
        self.w_actions_box.children = rows
        self._rebuild_removable()

    def removal_actions(self) -> list[dict]:
        """The suggested "removal requested" action(s) with the analyst's keep/drop, date and owner."""
        out = []
        for action in backend.removal_actions():
            saved = self.removal.get(action["id"], {})
            out.append({**action, "selected": saved.get("selected", action["default"]),
                        "date": saved.get("date", ""), "owner": saved.get("owner", action["owner"]),
                        "frequency": ""})
        return out

    def _rebuild_removable(self):
        """Defects Amazon's policy removes (ODR letters): what they are, and the action to keep or drop."""
        L = lambda key: label(key, self.language)
        kinds = backend.removable_summary(self.removable)
        if not kinds:
            self.w_removable_box.children = []
            return
        items = []
        for k in kinds:
            ids = ", ".join(k["order_ids"][:6]) + (f" (+{len(k['order_ids']) - 6})" if len(k["order_ids"]) > 6 else "")
            chans = ", ".join(L(c + "_name") for c in k["channels"])
            items.append(f'<li><b>{k["count"]}</b> {html.escape(L("removable_" + k["kind"]))} '
                         f'({html.escape(chans)}): <span class="rs-muted">{html.escape(ids)}</span></li>')
        rows = [_cls(widgets.HTML(f"<div>{html.escape(L('removable_title'))}</div>"), "rs-section"),
                _cls(widgets.HTML(f'<div class="rs-intro">{html.escape(L("removable_intro"))}</div>'
                                  f'<ul class="rs-removable-list">{"".join(items)}</ul>'), "rs-removable-kinds")]
        for action in self.removal_actions():
            rows.append(self._action_row(action, on_change=self._on_removal, check_label=L("removal_keep")))
        self.w_removable_box.children = rows

    def _action_row(self, action: dict, *, on_change=None, check_label: str = ""):
        L = lambda key: label(key, self.language)
        aid = action["id"]
        on_change = on_change or self._on_action
        check = _cls(widgets.Checkbox(value=bool(action["selected"]), indent=False, description=check_label,
                                      layout=widgets.Layout(width="auto" if check_label else "28px")),
                     "rs-action-check")
        text = widgets.HTML(f"<div>{html.escape(backend.action_display(action, self.language))}</div>")
        inputs = []
        if "{date}" in action["text"]:
            date = _cls(widgets.DatePicker(value=_date_or_none(action["date"]), description=L("date"),
                                           style={"description_width": "48px"},
                                           layout=widgets.Layout(width="230px")), "rs-action-date")
            date.observe(lambda ch: on_change(aid, date=ch["new"].isoformat() if ch["new"] else ""),
                         names="value")
            inputs.append(date)
        for slot, label_width, width in (("owner", "52px", "300px"), ("frequency", "70px", "330px")):
            if "{" + slot + "}" in action["text"]:
                box = _cls(widgets.Text(value=action[slot], description=L(slot),
                                        style={"description_width": label_width},
                                        layout=widgets.Layout(width=width)), f"rs-action-{slot}")
                box.observe(lambda ch, slot=slot: on_change(aid, **{slot: ch["new"]}), names="value")
                inputs.append(box)
        check.observe(lambda ch: on_change(aid, selected=ch["new"]), names="value")
        if check_label:   # a keep/drop choice: its label above the text, not squeezed beside it
            body = widgets.VBox([check, text, widgets.HBox(inputs)], layout=widgets.Layout(width="100%"))
            return _cls(widgets.HBox([body]), "rs-action-row", f"rs-action-{aid.replace('.', '-')}")
        body = widgets.VBox([text, widgets.HBox(inputs)], layout=widgets.Layout(width="100%"))
        return _cls(widgets.HBox([check, body]), "rs-action-row", f"rs-action-{aid.replace('.', '-')}")

    # ------------------------------------------------------------------------------------------------
    # the letter
    def chosen_actions(self) -> dict[str, dict]:
        """Ticked library actions: ``{action_id: {"date", "owner", "frequency"}}``."""
        return {a["id"]: {"date": a["date"], "owner": a["owner"], "frequency": a["frequency"]}
                for a in self.available_actions() if a["selected"]}

    def _hypothesis_rows(self) -> dict[str, dict]:
        hyps = backend.hypotheses(self.diagnosis)
        if hyps is None or len(hyps) == 0:
            return {}
        return {backend.hypothesis_key(row, i): row for i, row in enumerate(hyps.to_dict("records"))}

    def context(self) -> dict:
        """The letter context from the current state (through the appeal stage's ``build_context``)."""
        rows = self._rows
        lines = lambda text: [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
        return backend.letter_context(
            self.analysis, as_of=self.as_of, account=self.account, marketplace=self.marketplace,
            template_id=self.template_id, health=self.health, diagnosis=self.diagnosis,
            fields={k: v for k, v in self.fields.items() if k not in ("asins", "notice_date")},
            notice_date=self.fields.get("notice_date") or None, asins=split_asins(self.fields.get("asins", "")),
            causes=[{"cause": c["cause"], "statement": c.get("statement", ""), "original": c.get("original"),
                     "row": rows.get(c["key"]), "why": c.get("why", ""), "why_confirmed": bool(c.get("why_confirmed")),
                     "attributed": bool(c.get("attributed")), "manual": bool(c.get("manual"))}
                    for c in self.selected_causes()],
            actions=self.chosen_actions(), extra_corrective=lines(self.extra_corrective),
            extra_preventive=lines(self.extra_preventive), attribution=self.attribution,
            removable=self.removable, removal={a["id"]: a for a in self.removal_actions()})

    def _refresh(self, *, save: bool = True):
        """Re-render the letter, lint it, update preview, counters and findings; save the draft.

        What keeps the letter from rendering (a bad date, a required field left empty, no cause ticked) is
        collected first as ``problems``, each naming its tab and field in the GUI's words; export waits for
        none to be left."""
        self.problems, self.render_error = [], None
        self.markdown = self.letter = ""
        if self.as_of_error is not None:
            self.problems.append(self._problem("step_account", label("as_of", self.language),
                                               label("bad_date", self.language).format(value=self.as_of_error)))
        try:
            context = self.context()
            if not self.problems:
                self.problems = self._missing(context)
            if not self.problems:
                self.markdown, self.letter = backend.render(self.template_id, context)
        except ReinstateError as exc:  # anything else the template refuses: shown, the app stays usable
            self.render_error = backend.gui_message(str(exc))
        self.lint_result = backend.lint(self.letter) if self.letter else None
        if self.active_finding is not None and (self.lint_result is None or
                                                self.active_finding >= len(self.lint_result.findings)):
            self.active_finding = None
        self._show_check()
        if save:
            self.save()

    def _problem(self, step: str, field: str, message: str) -> dict:
        return {"step": step, "tab": label(step, self.language), "field": field, "message": message}

    def _missing(self, context: dict) -> list[dict]:
        """The template's required fields that are empty, each with where to give it in this app."""
        L = lambda key: label(key, self.language)
        meta = self.template_by_id.get(self.template_id, {})
        out = []
        for name in backend.missing_fields(self.template_id, context):
            top = name.split(".")[0]
            if top == "causes":
                out.append(self._problem("step_causes", L("step_causes"), L("need_cause")))
            elif top == "metrics":
                metric = name.split(".", 1)[-1]
                out.append(self._problem("step_account", L("as_of"), L("need_metric").format(metric=L(metric))))
            elif top in FIELD_PLACES:
                out.append(self._problem("step_account", L(FIELD_PLACES[top]), L("need_field")))
            else:
                out.append(self._problem("step_account", backend.field_title(meta, top).rstrip(" *"),
                                         L("need_field")))
        return out

    def save(self) -> Path | None:
        """Write the draft now (the app does this on every change)."""
        if not self.template_id:
            return None
        path = save_draft(self.draft_file, self._state(), account=self.account, template_id=self.template_id)
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.status = f'<span class="rs-ok">{html.escape(label("draft_saved", self.language))} {stamp}: ' \
                      f'{html.escape(str(path))}</span>'
        self.w_status.value = self.status
        return path

    def _show_check(self):
        L = lambda key: label(key, self.language)
        self.w_status.value = self.status
        self._show_as_of()
        blocked = bool(self.problems or self.render_error)
        self.w_export.disabled = blocked
        self.w_export.tooltip = L("export_blocked") if blocked else ""
        self.w_send_to.value = self._send_to_html()
        if blocked:
            items = [f'<li><b>{html.escape(p["tab"])}</b> → <b>{html.escape(p["field"])}</b>: '
                     f'{html.escape(p["message"])}</li>' for p in self.problems]
            if self.render_error:
                items.append(f"<li>{html.escape(self.render_error)}</li>")
            box = (f'<div class="rs-letter rs-needs"><b>{html.escape(L("needs_title"))}</b>'
                   f'<ul>{"".join(items)}</ul></div>')
            self.w_preview.value = box
            self.w_verdict.value = self.w_counter.value = ""
            self.w_findings.children = []
            self.w_export_hint.value = (f'<div class="rs-needs-hint">{html.escape(L("export_blocked"))}</div>'
                                        f'<ul class="rs-needs-list">{"".join(items)}</ul>')
            bad_date = self.as_of_error is not None
            self.w_summary.value = (pill(html.escape(L("needs_summary").format(n=len(items))),
                                         "breached" if bad_date or self.render_error else "at_risk")
                                    + f' <span class="rs-muted">{" · ".join(html.escape(p["field"]) for p in self.problems)}'
                                    f'</span>')
            return
        self.w_export_hint.value = ""
        findings = list(self.lint_result.findings) if self.lint_result else []
        self.w_preview.value = f'<div class="rs-letter">{self._highlighted(findings)}</div>'
        verdict = getattr(self.lint_result, "verdict", "pass") or "pass"
        score = getattr(self.lint_result, "score", None)
        verdict_html = pill(html.escape(f"{L('verdict')}: {L('verdict_' + verdict)}"),
                            VERDICT_STATUS.get(verdict, "no_data"))
        if score is not None:
            verdict_html += f' <span class="rs-muted">{html.escape(L("score"))} {score:g}</span>'
        self.w_verdict.value = verdict_html
        counter = self.counter()
        parts = []
        for unit in ("words", "characters"):
            used, budget = counter[unit], counter[f"{unit}_budget"]
            over = budget is not None and used > budget
            text = f"{used:,} {L(unit)}" + (f" / {budget:,} {L('budget')}" if budget else "")
            parts.append(f'<span class="{"rs-over" if over else ""}">{html.escape(text)}</span>')
        self.w_counter.value = " · ".join(parts)
        buttons = []
        for i, finding in enumerate(findings):
            sev = getattr(finding, "severity", "info")
            line = self.letter.count("\n", 0, max(0, int(finding.start))) + 1
            rule = label("rule_" + finding.rule, self.language, default=finding.rule)
            hint = label("hint_" + finding.rule, self.language, default=finding.hint)
            text = f"[{L('severity_' + sev)}] {rule} ({L('line')} {line}): {hint}"
            button = _cls(widgets.Button(description=text, tooltip=f"{finding.excerpt}",
                                         layout=widgets.Layout(width="100%", height="auto")),
                          "rs-finding", f"rs-status-{SEVERITY_STATUS.get(sev, 'no_data')}",
                          f"rs-finding-{finding.rule}")
            if i == self.active_finding:
                button.add_class("rs-finding-active")
            button.on_click(lambda _b, i=i: self.highlight(i))
            buttons.append(button)
        if not buttons:   # a sentence, so it wraps in the narrow column instead of being cut off
            buttons = [_cls(widgets.HTML(f'<div class="rs-pill rs-pill-wrap rs-status-good">'
                                         f'{html.escape(L("no_findings"))}</div>'), "rs-no-findings")]
        self.w_findings.children = buttons
        self.w_summary.value = (f'{verdict_html} <span class="rs-counter">{self.w_counter.value}</span>'
                                f' <span class="rs-muted">· {html.escape(self.account or "")} · '
                                f'{html.escape(self.marketplace or "")} · {html.escape(self.template_id)}</span>')

    def _send_to_html(self) -> str:
        """Where to send the letter, once, in the UI language: the routes (Seller Central paths and addresses
        stay as Amazon writes them) with what each is for."""
        L = lambda key: label(key, self.language)
        routes = backend.where_to_send(self.marketplace, self.template_by_id.get(self.template_id, {}))
        if not routes:
            return ""
        items = []
        for r in routes:
            tag = f' <span class="rs-muted">({html.escape(L("legacy_route"))})</span>' if r["legacy"] else ""
            notes = label("contact_" + r["topic"], self.language, default=r["notes"]) if self.language != "en" \
                else r["notes"]
            items.append(f"<li><b>{html.escape(r['route'])}</b>{tag}: {html.escape(notes)}</li>")
        return (f'<div class="rs-section">{html.escape(L("send_to"))}</div>'
                f'<div class="rs-muted">{html.escape(L("send_notice"))}</div>'
                f'<ul class="rs-muted rs-routes">{"".join(items)}</ul>')

    def _highlighted(self, findings) -> str:
        """The letter, HTML-escaped, with the active finding's passage marked (others are not, for calm)."""
        text = self.letter
        if self.active_finding is None or self.active_finding >= len(findings):
            return html.escape(text)
        f = findings[self.active_finding]
        start, end = max(0, int(f.start)), min(len(text), int(f.end))
        return (html.escape(text[:start]) + '<mark class="rs-hl rs-hl-active">' + html.escape(text[start:end])
                + "</mark>" + html.escape(text[end:]))

    def counter(self) -> dict:
        """Words and characters of the letter against the linter's budget."""
        budget = backend.length_budget()
        return {"words": len(self.letter.split()), "characters": len(self.letter),
                "words_budget": budget.get("words"), "characters_budget": budget.get("characters")}

    def highlight(self, index: int | None):
        """Mark finding ``index``'s passage in the preview (``None`` clears it)."""
        self.active_finding = index
        self._show_check()

    # ------------------------------------------------------------------------------------------------
    # callbacks
    def _on_field(self, change):
        if self._quiet:
            return
        owner = change["owner"]
        if owner is self.w_notice_date:
            self.fields["notice_date"] = change["new"].isoformat() if change["new"] else ""
        elif owner is self.w_asins:
            self.fields["asins"] = change["new"] or ""
        elif owner is self.w_extra_corrective:
            self.extra_corrective = change["new"] or ""
        elif owner is self.w_extra_preventive:
            self.extra_preventive = change["new"] or ""
        else:
            for name, widget in (*self.w_seller.items(), *self.w_extra.items()):
                if widget is owner:
                    self.fields[name] = change["new"] or ""
        self._refresh()

    def _on_template(self, change):
        if self._quiet or not change["new"] or change["new"] == self.template_id:
            return
        self.save()
        self._open_template(change["new"], carry_over=True)
        self.save()

    def _on_account(self, change):
        if self._quiet:
            return
        self.save()
        if change["owner"] is self.w_account:
            self.account = change["new"]
            self._follow_account()
        else:
            self.marketplace = change["new"]
        self._load_analysis()
        self._open_template(self.template_id, carry_over=False)

    def _on_as_of(self, change):
        if self._quiet:
            return
        day, bad = parse_as_of(change["new"])
        self.as_of_error = bad
        if day is None:
            self._refresh()
            return
        self.save()
        self.as_of = day
        self._load_analysis()
        self._open_template(self.template_id, carry_over=True)

    def _on_channel(self, change):
        if self._quiet:
            return
        self.channel = change["new"] or None
        self._load_argued()
        self.causes = self._merge_causes(self.causes)
        self._fill_widgets()
        self.save()

    def _on_removal(self, action_id, **changes):
        current = next((a for a in self.removal_actions() if a["id"] == action_id), None)
        state = self.removal.setdefault(action_id, {})
        if current is not None:
            for key in ("selected", "date", "owner"):
                state.setdefault(key, current[key])
        state.update(changes)
        self._refresh()

    def _on_language(self, change):
        self.language = change["new"]
        self._apply_labels()

    def _on_cause(self, key, **changes):
        for cause in self.causes:
            if cause["key"] == key:
                cause.update(changes)
        if "selected" in changes:
            self._rebuild_actions()  # the action list follows the ticked causes
        self._refresh()

    def _on_action(self, action_id, **changes):
        current = next((a for a in self.available_actions() if a["id"] == action_id), None)
        state = self.action_state.setdefault(action_id, {})
        if current is not None:
            for key in ("selected", "date", "owner", "frequency"):
                state.setdefault(key, current[key])
        state.update(changes)
        self._refresh()

    def _on_add_cause(self, _button=None):
        text = self.w_add_cause_text.value.strip()
        cause = self.w_add_cause_id.value
        if not text or not cause:
            return
        n = 1 + sum(1 for c in self.causes if c.get("manual"))
        self.causes.append({"key": f"m{n}", "cause": cause, "statement": text, "original": text, "selected": True,
                            "manual": True, "confidence": "", "evidence": "", "scope": "",
                            "why": backend.suggested_why(cause, None), "why_confirmed": False})
        with self.quiet():
            self.w_add_cause_text.value = ""
        self._rebuild_causes()
        self._rebuild_actions()
        self._refresh()

    def _on_export_options(self, change):
        if self._quiet:
            return
        self.fmt = self.w_format.value
        self.evidence_pack = bool(self.w_evidence.value)
        self.save()

    def _on_export(self, _button=None):
        self.export()

    def export(self) -> dict:
        """Write the letter (and the evidence pack when ticked) under ``<out>/letters/``; never overwrites.

        Returns ``{"letter": Path, "evidence_pack": Path | None}`` and shows the path and a download link.
        """
        L = lambda key: label(key, self.language)
        self._refresh(save=True)
        if self.render_error or self.problems:
            why = self.render_error or "; ".join(f'{p["tab"]} → {p["field"]}: {p["message"]}' for p in self.problems)
            self.w_export_result.value = pill(html.escape(f"{L('export_failed')}: {why}"), "breached")
            return {}
        name = f"{self.account or 'account'}__{self.template_id}".replace("/", "_")
        target = self.out_dir / "letters" / f"{name}.{self.fmt}"
        try:
            meta = self.template_by_id.get(self.template_id, {})
            path = backend.export(self.markdown, target, title=meta.get("title_en") or "Plan of Action")
            pack = None
            if self.evidence_pack:
                pack = backend.evidence_pack(self.analysis, self.markdown,
                                             self.out_dir / "letters" / f"{name}__evidence",
                                             as_of=self.as_of, account=self.account, marketplace=self.marketplace,
                                             health=self.health, diagnosis=self.diagnosis, meta=meta)
        except (ReinstateError, OSError) as exc:
            self.w_export_result.value = pill(html.escape(f"{L('export_failed')}: {exc}"), "breached")
            return {}
        path = Path(path)
        self.last_export = {"letter": path, "evidence_pack": Path(pack) if pack else None}
        parts = [f"{html.escape(L('saved_to'))}: <code>{html.escape(str(path))}</code>",
                 (f'<a class="rs-download" download="{html.escape(path.name)}" href="{data_uri(path)}">'
                  f'{html.escape(L("download"))} {html.escape(path.name)}</a>')]
        if pack:
            pack = Path(pack)
            parts.append(f"{html.escape(L('evidence_saved'))}: <code>{html.escape(str(pack))}</code>")
            if pack.is_file():
                parts.append(f'<a class="rs-download-pack" download="{html.escape(pack.name)}" '
                             f'href="{data_uri(pack)}">{html.escape(L("download"))} {html.escape(pack.name)}</a>')
        self.w_export_result.value = "<br>".join(parts)
        return self.last_export
