"""AppealBuilder driven without a kernel on the bundled sample: set values, click, read state and files.

One Analysis (health + diagnosis, computed once) is shared by every builder in this module.
"""
import base64
import html
import json

import ipywidgets as widgets
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


@pytest.fixture(scope="module")
def cli_appeals():
    """What `reinstate letter --template T data/sample --as-of D [--channel C] --json` prints, per (T, C):
    the pipeline function the CLI calls, on the data the CLI loads."""
    from reinstate.appeal.pipeline import build_appeal
    data = reinstate.load(SAMPLE_DIR, marketplace="US")
    cache = {}

    def get(template, channel=None):
        if (template, channel) not in cache:
            cache[template, channel] = build_appeal(data, template=template, as_of=default_as_of(SAMPLE_DIR),
                                                    channel=channel)
        return cache[template, channel]
    return get


def test_the_odr_letter_argues_the_same_causes_and_counts_as_the_cli(builder, cli_appeals):
    appeal = cli_appeals("odr")
    cli = appeal.to_dict()
    assert cli["causes"], "the sample's ODR letter argues at least one cause"
    assert [(c["cause"], c["orders"]) for c in builder.causes] == [(c["cause"], c["orders"]) for c in cli["causes"]]
    assert all(c["selected"] and c["of"] == cli["defective_orders"] for c in builder.causes)
    assert builder.attribution.channel == cli["channel"]
    assert builder.attribution.defective_orders == cli["defective_orders"]
    # The letter's sentences are the CLI letter's: "Of the M defective orders, N (x%) were ...", the channel note.
    for cause in appeal.context["causes"]:
        assert flat(cause["evidence"]) in flat(builder.letter)
    paragraphs = [p for p in appeal.text().split("\n") if p.startswith("This plan covers")]
    assert paragraphs and flat(paragraphs[0]) in flat(builder.letter)


def test_a_metric_letter_argues_that_metrics_own_causes(analysis, tmp_path, cli_appeals):
    app = AppealBuilder(analysis, as_of=default_as_of(SAMPLE_DIR), out_dir=tmp_path, template="late-shipment-rate")
    cli = cli_appeals("late-shipment-rate").to_dict()
    assert [(c["cause"], c["orders"]) for c in app.causes] == [(c["cause"], c["orders"]) for c in cli["causes"]]
    assert "carrier_delay" not in {c["cause"] for c in app.causes}


def test_unticking_a_cause_counts_its_orders_as_unexplained(builder, cli_appeals):
    cli = cli_appeals("odr").to_dict()
    dropped = builder.causes[0]
    cause_row(builder, 0).children[0].value = False
    unexplained = cli["unexplained_orders"] + dropped["orders"]
    assert f"{unexplained} of the {cli['defective_orders']} defective orders fit none" in flat(builder.letter)
    assert flat(dropped["statement"]) not in flat(builder.letter)


def test_channel_choice_defaults_to_the_worst_breached_channel_and_names_the_other(builder, cli_appeals):
    assert builder.w_channel.value == ""                               # automatic
    assert "MFN" in builder.w_channel.options[0][0]
    note = builder.w_channel_note.value
    assert "highest rate" in note and "Also breached" in note and "AFN" in note
    builder.w_channel.value = "AFN"
    afn = cli_appeals("odr", "AFN").to_dict()
    assert builder.attribution.channel == "AFN" and "Chosen by you" in builder.w_channel_note.value
    assert [(c["cause"], c["orders"]) for c in builder.causes] == [(c["cause"], c["orders"]) for c in afn["causes"]]
    assert builder.attribution.defective_orders == afn["defective_orders"]
    assert json.loads(builder.draft_file.read_text(encoding="utf-8"))["state"]["channel"] == "AFN"


def test_removable_defects_are_listed_with_a_removal_action_to_keep_or_drop(builder, cli_appeals):
    import datetime as dt
    removable = cli_appeals("odr").context["removable"]
    assert removable and removable["count"]
    shown = builder.w_removable_box.children[1].value
    for kind in removable["kinds"]:
        assert f"<b>{kind['count']}</b>" in shown and kind["order_ids"][0] in shown
    row = builder.w_removable_box.children[2]
    keep = row.children[0].children[0]
    assert keep.value is True
    assert f"On [date], our customer service lead requested the removal of these {removable['count']} defects" \
        in flat(builder.letter)
    date = next(w for w in _descendants(row) if "rs-action-date" in getattr(w, "_dom_classes", ()))
    date.value = dt.date(2026, 11, 10)
    assert "On 10 Nov 2026, our customer service lead requested the removal" in flat(builder.letter)
    keep.value = False
    assert "requested the removal" not in builder.letter
    assert "Defects eligible for removal" in builder.letter            # the list stays, the action is dropped


def test_the_first_screen_says_what_is_missing_in_the_guis_words(analysis, tmp_path):
    app = AppealBuilder(analysis, as_of=default_as_of(SAMPLE_DIR), out_dir=tmp_path, template="odr")
    assert app.problems == [{"step": "step_account", "tab": "1 · Account & issue", "field": "Store name",
                             "message": "required, still empty"}]
    assert app.render_error is None
    assert "1 · Account &amp; issue" in app.w_preview.value and "Store name" in app.w_preview.value
    assert app.w_export.disabled and "Store name" in app.w_export_hint.value
    assert app.w_seller["store_name"].description.endswith(" *")        # required fields are marked
    assert not app.w_seller["seller_name"].description.endswith(" *")
    everything = " ".join(str(getattr(w, "value", "")) for w in _descendants(app.widget))
    assert "--set" not in everything and "cannot be rendered" not in everything
    app.w_seller["store_name"].value = "Harbor Lane Goods"
    assert not app.problems and not app.w_export.disabled and app.letter


def test_no_cause_ticked_names_the_root_causes_tab(builder):
    for i in range(len(builder.causes)):
        cause_row(builder, i).children[0].value = False
    assert [p["step"] for p in builder.problems] == ["step_causes"]
    assert builder.w_export.disabled and "2 · Root causes" in builder.w_preview.value
    assert builder.export() == {} and "Export failed" in builder.w_export_result.value


def test_a_bad_as_of_date_is_an_error_not_today(analysis, tmp_path):
    app = AppealBuilder(analysis, as_of="2026-13-45", out_dir=tmp_path, template="odr")
    app.w_seller["store_name"].value = "Harbor Lane Goods"
    assert app.as_of_error == "2026-13-45"
    assert "“2026-13-45” is not a date" in app.w_as_of_error.value and "YYYY-MM-DD" in app.w_as_of_error.value
    assert [p["field"] for p in app.problems] == ["As of"] and app.w_export.disabled and not app.letter


def test_typing_a_bad_then_a_good_as_of_date(builder):
    day = builder.as_of
    builder.w_as_of.value = "01/11/2026"                                # ambiguous: refused, not guessed
    assert builder.as_of_error == "01/11/2026" and builder.w_export.disabled
    assert "01/11/2026" in builder.w_as_of_error.value and builder.as_of == day
    builder.w_as_of.value = day.isoformat()
    assert builder.as_of_error is None and builder.w_as_of_error.value == ""
    assert not builder.w_export.disabled and builder.letter


def test_where_to_send_has_one_heading(builder):
    assert builder.w_send_to.value.count("Where to send") == 1
    assert "Seller Central" in builder.w_send_to.value


def test_chinese_ui_translates_causes_actions_and_where_to_send(builder):
    from reinstate.appeal.registry import action_library
    letter = builder.letter
    builder.w_language.value = "zh"
    lib = action_library()
    heads = " ".join(str(w.value) for w in _descendants(builder.w_causes_box) if isinstance(w, widgets.HTML))
    for cause in builder.causes:
        assert lib[cause["cause"]]["label_zh"][:6] in heads
    rows = " ".join(str(w.value) for w in _descendants(builder.w_actions_box) if isinstance(w, widgets.HTML))
    for action in builder.available_actions():
        assert html.escape(action["text_zh"]) in rows
    removal = " ".join(str(w.value) for w in _descendants(builder.w_removable_box) if isinstance(w, widgets.HTML))
    assert "可申请移除的缺陷" in removal and lib["removal"]["corrective"][0]["text_zh"][:8] in removal
    send = builder.w_send_to.value
    assert send.count("提交途径") == 1 and "亚马逊现通过卖家平台" in send and "Where to send" not in send
    assert builder.w_seller["merchant_token"].description == "商户编号"
    assert builder.letter == letter                                     # the letter stays English


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
    cause_row(first, 0).children[0].value = not first.causes[0]["selected"]    # flip the argued cause
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
