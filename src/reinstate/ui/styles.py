"""Look of the widget apps: one stylesheet, injected once per app as an HTML widget.

Class names are stable (``rs-…``) because the browser tests select on them. Status colours pair a
tinted background with dark text of the same hue (contrast above 7:1) and the status is always also
written as a word, so colour is never the only signal.
"""
from __future__ import annotations

import ipywidgets as widgets

# status -> (background, text/border colour)
STATUS_COLOURS = {
    "good": ("#e6f4ea", "#1e6b34"),
    "at_risk": ("#fff4d6", "#7a4f00"),
    "breached": ("#fde7e7", "#9b1c1c"),
    "no_data": ("#eef0f2", "#48525c"),
}
VERDICT_STATUS = {"pass": "good", "warn": "at_risk", "fail": "breached"}
SEVERITY_STATUS = {"error": "breached", "warning": "at_risk", "info": "no_data"}

LABEL_WIDTH = "150px"

_STATUS_CSS = "\n".join(
    f".rs-status-{name} {{ background: {bg}; color: {fg}; border-color: {fg} !important; }}"
    for name, (bg, fg) in STATUS_COLOURS.items()
)

CSS = """
.rs-app { font-size: 14px; max-width: 1180px; }
.rs-title h2 { margin: 4px 0 2px 0; }
.rs-muted { color: #5b6570; font-size: 13px; }
.rs-intro { color: #37414b; margin: 4px 0 8px 0; line-height: 1.4; }
.rs-section { font-weight: 600; margin: 10px 0 4px 0; }
.rs-pill { display: inline-block; padding: 1px 9px; border-radius: 10px; border: 1px solid;
           font-weight: 600; font-size: 12px; white-space: nowrap; }
@STATUS@
.rs-status { padding: 4px 8px; min-height: 22px; color: #37414b; }
.rs-status-line .rs-ok { color: #1e6b34; } .rs-status-line .rs-err { color: #9b1c1c; }

/* metric cards */
.rs-cards { flex-wrap: wrap; gap: 8px; }
.rs-card { border: 1px solid #c9d1d9; border-left-width: 6px !important; border-radius: 6px; padding: 6px 10px;
           width: 212px; }
.rs-card .rs-card-name { font-weight: 600; font-size: 13px; line-height: 1.25; min-height: 2.5em; }
.rs-card .rs-card-rate { font-size: 22px; font-weight: 700; line-height: 1.3; }
.rs-card .rs-card-meta { font-size: 12px; line-height: 1.35; }
.rs-card-selected { box-shadow: 0 0 0 2px #1f6feb; }
.rs-table table { border-collapse: collapse; font-size: 12.5px; }
.rs-table th, .rs-table td { border-bottom: 1px solid #e1e4e8; padding: 3px 8px; text-align: left;
                             vertical-align: top; max-width: 320px; overflow-wrap: anywhere; }
.rs-table th { background: #f6f8fa; position: sticky; top: 0; white-space: nowrap; }
.rs-table td { white-space: nowrap; }
.rs-table td:last-child { white-space: normal; min-width: 220px; }
.rs-table .widget-html-content { overflow: visible; }

/* appeal builder */
.rs-cause-row, .rs-action-row { border: 1px solid #e1e4e8; border-radius: 6px; padding: 6px 8px; margin: 3px 0; }
.rs-cause-evidence { font-size: 12.5px; color: #37414b; line-height: 1.4; }
.rs-preview pre, .rs-preview .rs-letter { white-space: pre-wrap; overflow-wrap: anywhere;
        font-family: Georgia, 'Times New Roman', serif; font-size: 13.5px; line-height: 1.5;
        background: #fbfbfc; border: 1px solid #d0d7de; border-radius: 6px; padding: 12px 16px; margin: 0;
        max-height: 640px; overflow-y: auto; }
.rs-preview mark { background: #ffe58a; }
.rs-preview mark.rs-hl-active { background: #ffb020; outline: 2px solid #b36b00; }
.rs-finding { width: 100% !important; height: auto !important; text-align: left !important;
              white-space: normal !important; line-height: 1.35 !important; padding: 4px 8px !important; }
.rs-finding .widget-label-basic, .rs-finding span { white-space: normal; }
.rs-counter { font-size: 13px; }
.rs-counter .rs-over { color: #9b1c1c; font-weight: 700; }
.rs-export-result a { font-weight: 600; color: #0b5cad; text-decoration: underline; }
/* multi-line HTML reads as prose, not as a row of 28px widget lines */
.rs-app .widget-html-content { line-height: 1.45; }
.rs-send-to .rs-muted { font-size: 12.5px; }
.rs-template-info { margin-bottom: 6px; }
/* a sentence-long badge wraps inside its column instead of being cut off */
.rs-pill.rs-pill-wrap { white-space: normal; display: block; line-height: 1.4; padding: 4px 10px; border-radius: 8px; }
.rs-no-findings, .rs-no-findings .widget-html-content { height: auto !important; overflow: visible; }
.rs-needs { border-color: #7a4f00 !important; background: #fff8e6 !important; font-family: inherit !important; }
.rs-needs ul, .rs-needs-list { margin: 6px 0 0 0; padding-left: 20px; }
.rs-needs-hint { color: #7a4f00; font-weight: 600; }
.rs-field-error .rs-err, .rs-app .rs-err { color: #9b1c1c; font-weight: 600; }
.rs-routes { margin: 4px 0 0 0; padding-left: 18px; }
.rs-removable-list { margin: 4px 0 6px 0; padding-left: 20px; }
.rs-export-hint ul { margin: 2px 0 8px 0; padding-left: 20px; }
.rs-app textarea { font-family: inherit; }
""".replace("@STATUS@", _STATUS_CSS)


def stylesheet() -> widgets.HTML:
    """The app stylesheet as an (invisible) HTML widget to place first in the app's root box."""
    html = widgets.HTML(f"<style>{CSS}</style>")
    html.add_class("rs-style")
    return html


def pill(text: str, status: str) -> str:
    """A small coloured badge, e.g. ``pill("Breached", "breached")`` (``text`` must already be escaped)."""
    return f'<span class="rs-pill rs-status-{status}">{text}</span>'
