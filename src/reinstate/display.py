"""Diagnosis results for people (notebook 03): the ranked causes as a styled table and as sentences.

The diagnosis keeps every scope it tested; a cause found on a SKU is usually also significant on that SKU's ASIN
and category, with the same defects (``nested_in`` names the ranked hypothesis it belongs to). Here those are
folded into one line, "also seen as", instead of repeating the same defects three times. Nothing in the
diagnosis itself changes: the full frame stays in ``dx.hypotheses``.
"""
from __future__ import annotations

import pandas as pd

from .metrics.display import STATUS_COLOURS, tidy

CONFIDENCE_COLOURS = {"high": STATUS_COLOURS["good"], "medium": STATUS_COLOURS["at_risk"],
                      "low": STATUS_COLOURS["no_data"]}
SCOPE_NAMES = {"sku": "SKU", "asin": "ASIN", "product_category": "category", "carrier": "carrier",
               "ship_from": "warehouse", "period": "period", "account": "whole account"}


def p_value_text(p) -> str:
    """0.0123 -> '0.012', 3e-8 -> '< 0.0001', missing -> '—' (the exact exponent matters to no reader)."""
    if p is None or pd.isna(p):
        return "—"
    p = float(p)
    if p < 0.0001:
        return "< 0.0001"
    if p < 0.01:
        return f"{p:.4f}"
    return f"{p:.2f}" if p < 0.995 else "1"


def scope_text(row) -> str:
    """'SKU KT-DRIPPER-CER', 'carrier USPS', 'period 23 Oct – 30 Oct', 'whole account'."""
    dim = row.get("dimension")
    name = SCOPE_NAMES.get(dim, str(dim))
    value = row.get("value")
    if dim == "period" and pd.notna(row.get("start")):
        return f"period {pd.Timestamp(row['start']):%d %b} – {pd.Timestamp(row['end']):%d %b}"
    if dim == "account" or value is None or pd.isna(value):
        return name
    return f"{name} {value}"


def _children(h: pd.DataFrame) -> dict:
    nested = h[h["rank"].isna() & h["nested_in"].notna()] if "nested_in" in h else h.iloc[0:0]
    out: dict = {}
    for r in nested.to_dict("records"):
        out.setdefault(int(r["nested_in"]), []).append(r)
    return out


def hypotheses_table(dx) -> pd.DataFrame:
    """One row per ranked cause: rank, cause, where, defects (share), rate in scope vs the rest, lift, corrected
    p-value, confidence, and the other scopes that hold the same defects."""
    h = dx.hypotheses
    ranked = h[h["rank"].notna()].sort_values("rank")
    children = _children(h)
    rows = []
    for r in ranked.to_dict("records"):
        rank = int(r["rank"])
        also = [scope_text(c) + ("" if c["cause"] == r["cause"] else f" ({c['cause'].replace('_', ' ')})")
                for c in children.get(rank, [])]
        rows.append({
            "rank": rank, "cause": r["cause"].replace("_", " "), "where": scope_text(r),
            "defects": f"{int(r['defects_explained'])} ({r['share']:.0%})",
            "in scope": _pct(r["scope_rate"]),
            "rest": _pct(r["rest_rate"]) if pd.notna(r["rest_rate"]) else "—",
            "lift": "—" if pd.isna(r["lift"]) else f"{r['lift']:.{1 if r['lift'] >= 0.1 else 2}f}×",
            "p (corrected)": p_value_text(r["p_adjusted"]), "confidence": r["confidence"],
            "also seen as": "; ".join(also),
        })
    return pd.DataFrame(rows, columns=["rank", "cause", "where", "defects", "in scope", "rest", "lift",
                                       "p (corrected)", "confidence", "also seen as"])


def _pct(value) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{float(value):.1%}" if value >= 0.001 or value == 0 else "< 0.1%"


def hypotheses_styled(dx):
    """``hypotheses_table`` as a Styler: confidence coloured, numbers right-aligned, no index."""
    table = hypotheses_table(dx)
    numeric = ("rank", "defects", "in scope", "rest", "lift", "p (corrected)")
    return tidy(table.style.map(lambda c: f"background-color: {CONFIDENCE_COLOURS.get(c, 'white')}",
                                subset=["confidence"]), wrap=("also seen as",), right=numeric)


def statements(dx) -> list[str]:
    """The sentence of each ranked cause, once: scopes holding the same defects (ASIN, category of a SKU)
    are named after it rather than repeated as sentences of their own."""
    h = dx.hypotheses
    children = _children(h)
    out = []
    for r in h[h["rank"].notna()].sort_values("rank").to_dict("records"):
        same = [scope_text(c) for c in children.get(int(r["rank"]), []) if c["cause"] == r["cause"]
                and c["dimension"] != "period"]
        out.append(r["statement"] + (f" (The same defects show on {', '.join(same)}.)" if same else ""))
    return out


def statements_view(dx):
    """``statements(dx)`` as a Markdown bullet list (wraps at word boundaries in Jupyter and HTML)."""
    from IPython.display import Markdown

    return Markdown("\n".join(f"- {s}" for s in statements(dx)) or "*No cause could be established.*")
