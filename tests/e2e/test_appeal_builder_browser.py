"""The appeal builder in a real browser: Voila serves notebooks/04-appeal-builder.ipynb on the bundled sample.

Picks a template, fills the seller fields (one with text that looks like template code and HTML), unticks a
diagnosed cause, checks the preview, exports .docx and .txt and checks both files on disk.
"""
from __future__ import annotations

import json

import pytest
from browser_harness import open_app, screenshot

NOTEBOOK = "notebooks/04-appeal-builder.ipynb"
pytestmark = pytest.mark.browser

# Typed text is data: it must come out literally in the preview and in every export.
STORE = "Acme {{ config }} <script>alert(1)</script>"
SELLER = "Jane Doe"
TOKEN = "A1B2C3D4E5F6G7"


def _tab(page, text):
    return page.locator(".rs-steps .lm-TabBar-tab", has_text=text)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _docx_text(path) -> str:
    import docx
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_build_check_and_export_a_letter(page, voila):
    from playwright.sync_api import expect

    from reinstate.appeal.registry import get_template
    from reinstate.ui.i18n import template_option

    open_app(page, voila, ".rs-appeal-builder")

    # 1. account and issue: the late-shipment template, listed with its English and Chinese titles
    info = get_template("late-shipment-rate")
    option = template_option({"id": info.id, "title_en": info.title_en, "title_zh": info.title_zh}, "en")
    assert info.title_zh and info.title_zh in option
    page.locator(".rs-template select").select_option(label=option)
    page.locator(".rs-seller-name input").fill(SELLER)
    page.locator(".rs-store-name input").fill(STORE)
    page.locator(".rs-merchant-token input").fill(TOKEN)
    expect(page.locator(".rs-summary")).to_contain_text("late-shipment-rate")
    screenshot(page, "appeal-builder-step1")

    # 2. root causes: untick the first diagnosed cause, remember its sentence
    _tab(page, "Root causes").click()
    rows = page.locator(".rs-cause-row")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2, "the sample's diagnosis should offer at least two causes"
    dropped = rows.nth(0).locator("textarea").input_value()
    kept = rows.nth(1).locator("textarea").input_value()
    assert dropped and kept
    rows.nth(0).locator(".rs-cause-check input[type=checkbox]").uncheck()
    rows.nth(1).locator(".rs-cause-check input[type=checkbox]").check()   # tick the other one if it was not

    # 3. actions follow the ticked causes (a library action row is there for the remaining cause)
    _tab(page, "Actions").click()
    expect(page.locator(".rs-action-row").first).to_be_visible()

    # 4. preview: the typed text shows literally; the unticked cause's sentence is gone
    _tab(page, "Preview").click()
    preview = page.locator(".rs-preview")
    expect(preview).to_contain_text(STORE)
    expect(preview).to_contain_text(kept)
    expect(preview).not_to_contain_text(dropped)
    expect(page.locator(".rs-counter").first).to_contain_text("words")
    findings = page.locator(".rs-finding")
    if findings.count():
        findings.first.click()
        expect(preview.locator("mark")).to_have_count(1)
    screenshot(page, "appeal-builder-typed-code")

    # 5. export .docx then .txt
    _tab(page, "Export").click()
    result = page.locator(".rs-export-result")
    page.locator(".rs-format button", has_text=".docx").click()
    page.locator(".rs-export").click()
    expect(result).to_contain_text(".docx")
    page.locator(".rs-format button", has_text=".txt").click()
    page.locator(".rs-export").click()
    expect(result).to_contain_text(".txt")
    href = result.locator("a.rs-download").get_attribute("href")
    assert href.startswith("data:text/plain;base64,")
    screenshot(page, "appeal-builder-export", full_page=False)

    letters = voila.out_dir / "letters"
    txt = sorted(letters.glob("*late-shipment-rate*.txt"))
    docx_files = sorted(letters.glob("*late-shipment-rate*.docx"))
    assert len(txt) == 1 and len(docx_files) == 1, sorted(p.name for p in letters.iterdir())
    text = _flat(txt[0].read_text(encoding="utf-8"))   # the .txt export wraps lines
    assert STORE in text and SELLER in text and TOKEN in text
    assert _flat(kept) in text and _flat(dropped) not in text
    word = _flat(_docx_text(docx_files[0]))
    assert STORE in word and _flat(dropped) not in word

    # the draft on disk holds what was typed, so a kernel restart loses nothing
    drafts = list((voila.out_dir / "drafts").glob("*__late-shipment-rate.json"))
    assert len(drafts) == 1
    state = json.loads(drafts[0].read_text(encoding="utf-8"))["state"]
    assert state["fields"]["store_name"] == STORE
    assert [c["selected"] for c in state["causes"][:2]] == [False, True]

    # nothing left the machine: every blocked request was to somewhere other than 127.0.0.1
    assert all("127.0.0.1" not in url for url in page.blocked)

    # The README's screenshot: the same letter with an ordinary store name (the braces above are, rightly,
    # a lint error: a leftover placeholder).
    _tab(page, "Account").click()
    page.locator(".rs-store-name input").fill("Harbor Lane Goods")
    _tab(page, "Root causes").click()
    rows.nth(0).locator(".rs-cause-check input[type=checkbox]").check()      # the top cause back in
    _tab(page, "Preview").click()
    expect(preview).to_contain_text("Harbor Lane Goods")
    expect(preview).to_contain_text(_flat(dropped)[:60])
    screenshot(page, "appeal-builder", docs=True)
