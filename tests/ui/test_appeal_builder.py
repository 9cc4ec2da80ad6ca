"""AppealBuilder driven without a kernel on the bundled sample: set values, click, read state and files.

One Analysis (health + diagnosis, computed once) is shared by every builder in this module.
"""
import base64
import json

import pytest

import reinstate
from reinstate.paths import SAMPLE_DIR
from reinstate.session import default_as_of
from reinstate.ui import AppealBuilder, backend

TYPED = "Acme {{ config }} <script>alert(1)</script>"


def flat(text):
    return " ".join(text.split())


@pytest.fixture(scope="module")
def analysis():
    return backend.Analysis(reinstate.load(SAMPLE_DIR))


@pytest.fixture
def builder(analysis, tmp_path):
    app = AppealBuilder(analysis, as_of=default_as_of(SAMPLE_DIR), out_dir=tmp_path, template="odr")
    app.w_seller["seller_name"].value = "Jane Doe"
    app.w_seller["store_name"].value = "Acme Kitchen"
    return app


def cause_row(app, i):
    return app.w_causes_box.children[i]


def test_causes_come_from_the_diagnosis_preselected_by_confidence(builder):
    hyps = backend.hypotheses(builder.diagnosis)
    assert [c["cause"] for c in builder.causes] == list(hyps["cause"])
    expected = [conf in ("high", "medium") or i == 0 for i, conf in enumerate(hyps["confidence"])]
    assert [c["selected"] for c in builder.causes] == expected
    assert builder.render_error is None
    first = builder.causes[0]
    assert flat(first["statement"]) in flat(builder.letter)


def test_a_metric_letter_preselects_only_the_causes_it_addresses(analysis, tmp_path):
    app = AppealBuilder(analysis, as_of=default_as_of(SAMPLE_DIR), out_dir=tmp_path, template="late-shipment-rate")
    hyps = backend.hypotheses(app.diagnosis)
    own = [c for c in hyps["cause"] if c in ("late_shipment", "stockout_or_cancellation")]
    # the late-shipment letter lists its own causes first (in rank order), then the others, unticked
    assert [c["cause"] for c in app.causes][:len(own)] == own
    assert all(not c["selected"] for c in app.causes[len(own):])
    assert app.causes[0]["selected"] and app.causes[0]["cause"] == "late_shipment"
    assert "carrier_delay" not in {c["cause"] for c in app.selected_causes()}


def test_typed_text_is_data_in_preview_letter_and_exports(builder):
    builder.w_seller["store_name"].value = TYPED
    assert TYPED in builder.letter                                      # not evaluated by Jinja
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in builder.w_preview.value   # escaped in the page
    assert "<script>" not in builder.w_preview.value
    builder.w_format.value = "html"
    html_path = builder.export()["letter"]
    page = html_path.read_text(encoding="utf-8")
    assert "{{ config }}" in page and "<script>alert(1)" not in page and "&lt;script&gt;" in page
    builder.w_format.value = "txt"
    assert TYPED in flat(builder.export()["letter"].read_text(encoding="utf-8"))


def test_unticking_a_cause_removes_its_sentence_and_its_actions(builder):
    assert builder.causes[0]["selected"] and builder.causes[1]["selected"]
    dropped = builder.causes[0]
    ids_before = {a["id"] for a in builder.available_actions()}
    cause_row(builder, 0).children[0].value = False                     # the checkbox
    assert flat(dropped["statement"]) not in flat(builder.letter)
    still = {c["cause"] for c in builder.selected_causes()}
    ids_after = {a["id"] for a in builder.available_actions()}
    if dropped["cause"] not in still:
        assert not any(i.startswith(dropped["cause"] + ".") for i in ids_after)
        assert any(i.startswith(dropped["cause"] + ".") for i in ids_before)


def test_editing_a_statement_and_adding_a_cause_by_hand(builder):
    cause_row(builder, 0).children[1].children[1].value = "We edited this: 112 orders between 23 and 30 Oct."
    assert "We edited this: 112 orders between 23 and 30 Oct." in flat(builder.letter)
    builder.w_add_cause_id.value = "wrong_item"
    builder.w_add_cause_text.value = "Nine orders got the 12 oz mug instead of the 16 oz mug."
    builder.w_add_cause.click()
    assert builder.causes[-1]["manual"] and builder.causes[-1]["cause"] == "wrong_item"
    assert "Nine orders got the 12 oz mug instead of the 16 oz mug." in flat(builder.letter)
    assert any(a["cause"] == "wrong_item" for a in builder.available_actions())
    assert builder.w_add_cause_text.value == ""


def test_action_owner_and_date_reach_the_letter(builder):
    import datetime as dt
    row = next(r for r in builder.w_actions_box.children if "rs-action-row" in r._dom_classes)
    check, body = row.children
    inputs = {w._dom_classes[0]: w for w in body.children[1].children}
    inputs["rs-action-date"].value = dt.date(2026, 11, 3)
    inputs["rs-action-owner"].value = "Li Wei, our warehouse lead"
    assert "On 3 Nov 2026, Li Wei, our warehouse lead" in flat(builder.letter)
    check.value = False
    assert "Li Wei, our warehouse lead" not in builder.letter


def test_findings_counter_and_highlight(builder):
    builder.w_seller["store_name"].value = "Acme XXXX"                 # a placeholder the linter must catch
    rules = [f.rule for f in builder.lint_result.findings]
    assert "placeholder" in rules
    counter = builder.counter()
    assert counter["words"] == len(builder.letter.split()) and counter["characters"] == len(builder.letter)
    i = rules.index("placeholder")
    buttons = builder.w_findings.children
    assert len(buttons) == len(rules)
    buttons[i].click()
    f = builder.lint_result.findings[i]
    assert f'<mark class="rs-hl rs-hl-active">{builder.letter[f.start:f.end]}</mark>' in builder.w_preview.value


def test_export_never_overwrites_and_links_the_bytes(builder, tmp_path):
    builder.w_format.value = "docx"
    first = builder.export()["letter"]
    second = builder.export()["letter"]
    assert first != second and first.exists() and second.exists()
    assert first.parent == tmp_path / "letters" and first.suffix == ".docx"
    href = builder.w_export_result.value.split('href="')[1].split('"')[0]
    prefix = "data:application/vnd.openxmlformats-officedocument.wordprocessingml.document;base64,"
    assert href.startswith(prefix) and base64.b64decode(href[len(prefix):]) == second.read_bytes()
    builder.w_evidence.value = True
    pack = builder.export()["evidence_pack"]
    assert (pack / "manifest.json").is_file()


def test_draft_restores_everything_after_a_restart(analysis, tmp_path):
    first = AppealBuilder(analysis, as_of=default_as_of(SAMPLE_DIR), out_dir=tmp_path, template="late-shipment-rate")
    first.w_seller["store_name"].value = "Acme Kitchen"
    first.w_seller["merchant_token"].value = "A1B2C3"
    cause_row(first, 1).children[0].value = not first.causes[1]["selected"]    # flip the second cause
    first.w_extra_preventive.value = "Our owner reads every buyer message daily."
    saved = json.loads(first.draft_file.read_text(encoding="utf-8"))["state"]
    assert saved["fields"]["merchant_token"] == "A1B2C3"
    # a new builder (as after a kernel restart) for the same account and template
    again = AppealBuilder(analysis, as_of=first.as_of, out_dir=tmp_path, template="late-shipment-rate")
    assert again.fields == first.fields
    assert [c["selected"] for c in again.causes] == [c["selected"] for c in first.causes]
    assert again.w_seller["merchant_token"].value == "A1B2C3"
    assert again.letter == first.letter
    # reopening without naming a template picks the account's last draft (not the default ODR letter)
    assert AppealBuilder(analysis, as_of=first.as_of, out_dir=tmp_path).template_id == "late-shipment-rate"


def test_language_toggle_changes_labels_not_the_letter(builder):
    letter = builder.letter
    builder.w_language.value = "zh"
    assert builder.w_steps.titles[0] == "1 · 账户与问题"
    label, _ = next(o for o in builder.w_template.options if o[1] == "late-shipment-rate")
    assert label.startswith(builder.template_by_id["late-shipment-rate"]["title_zh"])
    assert builder.letter == letter


def test_switching_template_keeps_typed_text_but_reselects_causes(builder):
    builder.w_add_cause_id.value = "wrong_item"
    builder.w_add_cause_text.value = "Nine orders got the 12 oz mug instead of the 16 oz mug."
    builder.w_add_cause.click()
    builder.w_template.value = "late-shipment-rate"
    assert builder.fields["store_name"] == "Acme Kitchen"
    chosen = {c["cause"] for c in builder.selected_causes() if not c.get("manual")}
    assert chosen == {"late_shipment"}            # the ODR letter's carrier and message causes are not carried
    assert builder.causes[-1]["manual"] and builder.causes[-1]["cause"] == "wrong_item"


def _descendants(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _descendants(child)


def test_why_is_prefilled_as_a_marked_suggestion_and_becomes_the_analysts(builder):
    cause = next(c for c in builder.causes if c.get("selected"))
    assert cause["why"] and not cause["why_confirmed"]
    assert "[Suggested explanation, confirm or rewrite: " + cause["why"].split()[0] in builder.letter
    boxes = [w for w in _descendants(builder.w_causes_box) if "rs-cause-why" in getattr(w, "_dom_classes", ())]
    assert boxes and boxes[0].value == cause["why"]
    pills = [w.value for w in _descendants(builder.w_causes_box) if "Suggestion: confirm or rewrite" in
             str(getattr(w, "value", ""))]
    assert pills, "the suggestion is not visibly marked"
    before = builder.letter.count("[Suggested explanation")
    assert "unconfirmed_explanation" in {f.rule for f in builder.lint_result.findings}
    mine = "Our Reno warehouse shipped every order with one slow service and nobody compared the dates."
    boxes[0].value = mine
    assert cause["why_confirmed"] and flat(mine) in flat(builder.letter)
    assert builder.letter.count("[Suggested explanation") == before - 1


def test_actions_start_without_a_date(builder):
    dated = [a for a in builder.available_actions() if a.get("date")]
    assert not dated
