import hashlib
import json

import docx
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from reinstate.appeal.export import (
    escape_formula,
    export_evidence_pack,
    export_letter,
    safe_orders_table,
)
from reinstate.errors import ConfigError

LETTER = """Dear Seller Performance Team,

## 1. Late confirmations

**Root cause:** 17 of 23 late orders had a ship-by date between 7 and 9 Nov 2026 and were confirmed on 10 Nov 2026 when nobody covered the desk.

**Corrective actions taken:**

1. On 12 Nov 2026 we raised the handling time to 2 days.
2. On 12 Nov 2026 we named a second person to confirm shipments.

## 2. Missing tracking

**Corrective actions taken:**

1. On 13 Nov 2026 we mapped every carrier to Amazon’s carrier codes.

- A “quoted” bullet — with a dash.

Regards,
Acme
"""


def test_never_overwrites_and_leaves_no_temp_files(tmp_path):
    first = export_letter(LETTER, tmp_path / "appeal.docx")
    second = export_letter(LETTER, tmp_path / "appeal.docx")
    third = export_letter(LETTER, tmp_path / "appeal.docx")
    assert [p.name for p in (first, second, third)] == ["appeal.docx", "appeal-2.docx", "appeal-3.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["appeal-2.docx", "appeal-3.docx", "appeal.docx"]


def test_existing_file_is_untouched(tmp_path):
    target = tmp_path / "appeal.txt"
    target.write_text("analyst's own edits")
    written = export_letter(LETTER, target)
    assert written.name == "appeal-2.txt" and target.read_text() == "analyst's own edits"


def test_txt_is_wrapped_plain_and_optionally_ascii(tmp_path):
    text = export_letter(LETTER, tmp_path / "a.txt", width=60).read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "**" not in text and "##" not in text and "1. Late confirmations" in text
    assert "Amazon’s" in text
    ascii_text = export_letter(LETTER, tmp_path / "b.txt", ascii_quotes=True).read_text(encoding="utf-8")
    assert "Amazon's" in ascii_text and '"quoted" bullet - with a dash' in ascii_text
    assert all(ord(c) < 128 for c in ascii_text)


def test_html_is_escaped_page(tmp_path):
    html = export_letter(LETTER.replace("Acme", "<b>Acme</b> & {{ 7*7 }}"), tmp_path / "a.html").read_text()
    assert "&lt;b&gt;Acme&lt;/b&gt; &amp; {{ 7*7 }}" in html
    assert "<h2>1. Late confirmations</h2>" in html and "<ol>" in html and "<strong>Root cause:</strong>" in html


def test_docx_has_headings_and_restarting_numbered_lists(tmp_path):
    path = export_letter(LETTER, tmp_path / "a.docx")
    document = docx.Document(str(path))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 2", "1. Late confirmations") in styles
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert numbered[0].text.startswith("On 12 Nov 2026 we raised")
    # Each numbered list gets its own numbering instance so the second list starts again at 1.
    num_ids = [p._p.pPr.numPr.numId.val for p in numbered if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert len(set(num_ids)) == 2
    assert any(r.bold for p in document.paragraphs for r in p.runs if r.text == "Root cause:")


def test_unknown_suffix_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="suffix"):
        export_letter(LETTER, tmp_path / "a.pdf")


def test_formula_escape():
    assert [escape_formula(v) for v in ("=SUM(A1)", "+1", "-2", "@cmd", "ok", 5, "\tx")] == [
        "'=SUM(A1)", "'+1", "'-2", "'@cmd", "ok", 5, "'\tx"]


def test_evidence_pack(tmp_path):
    orders = pd.DataFrame({
        "order_id": ["111-1", "=HYPERLINK(\"http://x\")"], "buyer-email": ["a@b.c", "d@e.f"],
        "buyer_name": ["Ann", "Bob"], "ship-address-1": ["1 Road", "2 Road"], "feedback_text": ["Ann here", "x"],
        "sku": ["@SKU", "MUG-1"], "defects": [1, -2],
    })
    health = pd.DataFrame({"metric": ["order_defect_rate"], "channel": ["MFN"], "rate": [0.02],
                           "window_start": [pd.Timestamp("2026-08-03")], "order_ids": [["111-1"]]})
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    folder = export_evidence_pack(tmp_path / "pack", letter=LETTER, orders_frame=orders, health=health,
                                  figures={"odr trend": fig})
    again = export_evidence_pack(tmp_path / "pack", letter=LETTER)
    plt.close(fig)
    assert folder.name == "pack" and again.name == "pack-2"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["affected_orders.csv", "letter.docx", "letter.md", "letter.txt", "manifest.json",
                     "metrics.csv", "metrics.json", "odr_trend.png"]
    table = pd.read_csv(folder / "affected_orders.csv", dtype=str)
    assert list(table.columns) == ["order_id", "sku", "defects"]         # PII and free text gone
    assert table["order_id"].tolist() == ["111-1", "'=HYPERLINK(\"http://x\")"]
    assert table["sku"].tolist() == ["'@SKU", "MUG-1"]
    assert table["defects"].tolist() == ["1", "-2"]                       # numbers stay numbers
    assert "order_ids" not in pd.read_csv(folder / "metrics.csv").columns
    assert json.loads((folder / "metrics.json").read_text())["metrics"][0]["metric"] == "order_defect_rate"
    assert (folder / "odr_trend.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert sorted(f["path"] for f in manifest["files"]) == sorted(n for n in names if n != "manifest.json")
    for entry in manifest["files"]:
        assert entry["sha256"] == hashlib.sha256((folder / entry["path"]).read_bytes()).hexdigest()


def test_safe_orders_table_does_not_mutate_input():
    orders = pd.DataFrame({"order_id": ["=1"], "buyer_email": ["x@y"]})
    before = orders.copy()
    safe_orders_table(orders)
    pd.testing.assert_frame_equal(orders, before)
