"""The appeal builder in a real browser: Voila serves notebooks/04-appeal-builder.ipynb on the bundled sample.

In file order (they share one Voila server and its out dir):
1. the first screen's error states: what is missing, named by tab and field, export disabled, a bad as-of
   date refused, the channel note;
2. picks a template, fills the seller fields (one with text that looks like template code and HTML), unticks
   an argued cause, checks the preview, exports .docx and .txt and checks both files on disk;
3. the Chinese UI: tabs, causes, actions, where to send, and no label cut off.
"""
from __future__ import annotations

import json
import re

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


CLIPPED_JS = """els => els.filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
                     .map(e => e.textContent.trim())"""


def _clipped(page, selector):
    """Texts of visible elements under ``selector`` that are cut off (wider content than their box)."""
    return page.locator(selector).evaluate_all(CLIPPED_JS)


def test_first_screen_error_states_in_the_guis_words(page, voila):
    from playwright.sync_api import expect

    open_app(page, voila, ".rs-appeal-builder")
    summary = page.locator(".rs-summary")
    expect(summary).to_contain_text("Letter incomplete")
    expect(summary).to_contain_text("Store name")
    body = page.locator(".rs-appeal-builder")
    expect(body).not_to_contain_text("cannot be rendered")
    expect(body).not_to_contain_text("--set")
    expect(page.locator(".rs-store-name label")).to_contain_text("*")          # required fields are marked
    expect(page.locator(".rs-required-note")).to_contain_text("required")
    # the channel the ODR letter argues, and why; the other breached channel is named
    expect(page.locator(".rs-channel-note")).to_contain_text("highest rate")
    expect(page.locator(".rs-channel-note")).to_contain_text("Also breached")

    _tab(page, "Preview").click()
    preview = page.locator(".rs-preview")
    expect(preview).to_contain_text("1 · Account & issue")
    expect(preview).to_contain_text("Store name")
    _tab(page, "Export").click()
    expect(page.locator(".rs-export button, button.rs-export").first).to_be_disabled()
    expect(page.locator(".rs-export-hint")).to_contain_text("Store name")
    screenshot(page, "appeal-builder-incomplete", full_page=False)

    # a bad as-of date is an error, never today
    _tab(page, "Account").click()
    as_of = page.locator(".rs-as-of input")
    good = as_of.input_value()
    as_of.fill("01/11/2026")
    as_of.press("Enter")
    expect(page.locator(".rs-as-of-error")).to_contain_text("“01/11/2026” is not a date")
    expect(summary).to_contain_text("As of")
    as_of.fill(good)
    as_of.press("Enter")
    expect(page.locator(".rs-as-of-error")).to_have_text("")

    # filled in: the letter renders and export is enabled
    page.locator(".rs-store-name input").fill("Harbor Lane Goods")
    page.locator(".rs-store-name input").press("Tab")
    expect(summary).to_contain_text("Verdict")
    _tab(page, "Export").click()
    expect(page.locator(".rs-export button, button.rs-export").first).to_be_enabled()
    _tab(page, "Preview").click()
    expect(page.locator(".rs-send-to")).to_contain_text("Where to send")
    assert page.locator(".rs-send-to").inner_text().count("Where to send") == 1
    assert _clipped(page, ".rs-findings .widget-html, .rs-findings button, .rs-no-findings") == []


def test_build_check_and_export_a_letter(page, voila):
    from playwright.sync_api import expect

    from reinstate.appeal.registry import get_template
    from reinstate.ui.i18n import template_option

    open_app(page, voila, ".rs-appeal-builder")

    # 1. account and issue: the ODR template, listed with its English and Chinese titles
    info = get_template("odr")
    option = template_option({"id": info.id, "title_en": info.title_en, "title_zh": info.title_zh}, "en")
    assert info.title_zh and info.title_zh in option
    page.locator(".rs-template select").select_option(label=option)
    page.locator(".rs-seller-name input").fill(SELLER)
    page.locator(".rs-store-name input").fill(STORE)
    page.locator(".rs-merchant-token input").fill(TOKEN)
    expect(page.locator(".rs-summary")).to_contain_text("odr")
    screenshot(page, "appeal-builder-step1")

    # 2. root causes: untick the first diagnosed cause, remember its sentence
    _tab(page, "Root causes").click()
    rows = page.locator(".rs-cause-row")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2, "the sample's ODR letter argues at least two causes"
    dropped = rows.nth(0).locator(".rs-cause-statement textarea").input_value()
    kept = rows.nth(1).locator(".rs-cause-statement textarea").input_value()
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
    txt = sorted(letters.glob("*__odr.txt"))
    docx_files = sorted(letters.glob("*__odr.docx"))
    assert len(txt) == 1 and len(docx_files) == 1, sorted(p.name for p in letters.iterdir())
    text = _flat(txt[0].read_text(encoding="utf-8"))   # the .txt export wraps lines
    assert STORE in text and SELLER in text and TOKEN in text
    assert _flat(kept) in text and _flat(dropped) not in text
    word = _flat(_docx_text(docx_files[0]))
    assert STORE in word and _flat(dropped) not in word

    # the draft on disk holds what was typed, so a kernel restart loses nothing
    drafts = list((voila.out_dir / "drafts").glob("*__odr.json"))
    assert len(drafts) == 1
    state = json.loads(drafts[0].read_text(encoding="utf-8"))["state"]
    assert state["fields"]["store_name"] == STORE
    assert [c["selected"] for c in state["causes"][:2]] == [False, True]

    # nothing left the machine: every blocked request was to somewhere other than 127.0.0.1
    assert all("127.0.0.1" not in url for url in page.blocked)

    # (the README's screenshot is made from the real app by scripts/screenshot-appeal-builder)


def test_chinese_ui_is_translated_and_nothing_is_cut_off(page, voila):
    from playwright.sync_api import expect

    from reinstate.appeal.registry import action_library

    lib = action_library()
    open_app(page, voila, ".rs-appeal-builder")
    page.locator(".rs-language button", has_text="简体中文").click()
    expect(_tab(page, "1 · 账户与问题")).to_be_visible()
    expect(page.locator(".rs-merchant-token label")).to_have_text("商户编号")
    # The letter needs a store name; fill it here so this test does not depend on another test's saved draft.
    page.locator(".rs-store-name input").fill(STORE)
    page.locator(".rs-store-name input").press("Tab")
    expect(page.locator(".rs-channel-note")).to_contain_text("同样超标")
    assert _clipped(page, ".rs-appeal-builder .widget-label") == []        # "商户编号 (Merchant t…" and the like

    _tab(page, "2 · 根本原因").click()
    rows = page.locator(".rs-cause-row")
    expect(rows.first).to_be_visible()
    # (expect retries: the rows are rebuilt by the kernel after the language click)
    titles = [g["label_zh"][:1].upper() + g["label_zh"][1:] for g in lib.values()]
    expect(rows.first).to_contain_text(re.compile("|".join(map(re.escape, titles))))
    expect(rows.first).to_contain_text("置信度")

    _tab(page, "3 · 整改措施").click()
    zh_texts = [a["text_zh"] for g in lib.values() for k in ("corrective", "preventive") for a in g[k] or []]
    expect(page.locator(".rs-action-row").first).to_contain_text(
        re.compile("|".join(re.escape(t[:12]) for t in zh_texts)))
    expect(page.locator(".rs-removable")).to_contain_text("可申请移除的缺陷")
    expect(page.locator(".rs-removable")).to_contain_text("在信中保留")

    _tab(page, "4 · 预览与检查").click()
    send = page.locator(".rs-send-to")
    expect(send).to_contain_text("亚马逊现通过卖家平台")
    assert send.inner_text().count("提交途径") == 1 and "Where to send" not in send.inner_text()
    findings = page.locator(".rs-finding")
    if findings.count():
        expect(findings.first).to_contain_text("[")
        assert "警告" in findings.all_inner_texts()[0] or "错误" in findings.all_inner_texts()[0]
    assert _clipped(page, ".rs-findings .widget-html, .rs-findings button, .rs-no-findings") == []
    expect(page.locator(".rs-preview")).to_contain_text("Dear Seller Performance Team")   # the letter stays English
    screenshot(page, "appeal-builder-zh", full_page=False)
