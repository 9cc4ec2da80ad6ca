"""Labels (English / 简体中文) and autosaved drafts."""
import json

import pytest
import yaml

from reinstate.ui import drafts, i18n


def test_every_label_has_both_languages():
    table = yaml.safe_load(i18n.LABELS_FILE.read_text(encoding="utf-8"))
    langs = set(table["languages"])
    assert langs == {"en", "zh"}
    # hint_* and contact_* may be Chinese only: their English is the linter's hint / the contacts table's note
    optional_en = ("hint_", "contact_")
    incomplete = [k for k, v in table["labels"].items()
                  if not all(v.values()) or "zh" not in v or ("en" not in v and not k.startswith(optional_en))]
    assert incomplete == []


def test_chinese_covers_every_lint_rule_and_contact_topic():
    from reinstate.appeal.contacts import contacts
    from reinstate.appeal.lint import policy
    rules = set(policy().rules)
    assert rules
    for rule in rules:
        assert i18n.label("rule_" + rule, "zh", default="") and i18n.label("hint_" + rule, "zh", default="")
    for topic in set(contacts()["topic"]):
        assert i18n.label("contact_" + topic, "zh", default=""), topic


def test_label_falls_back_to_english_then_to_the_key():
    assert i18n.label("export", "zh") == "导出"
    assert i18n.label("export", "fr") == "Export"        # no French: English
    assert i18n.label("no_such_label", "zh") == "no_such_label"


def test_template_option_lists_both_titles_ui_language_first():
    t = {"id": "odr", "title_en": "Order defect rate", "title_zh": "订单缺陷率"}
    assert i18n.template_option(t, "en") == "Order defect rate · 订单缺陷率"
    assert i18n.template_option(t, "zh") == "订单缺陷率 · Order defect rate"
    assert i18n.template_option({"id": "x", "title_en": "X", "title_zh": ""}, "zh") == "X"


def test_draft_round_trip_and_safe_names(tmp_path):
    path = drafts.draft_path(tmp_path, "acct/../x y", "odr")
    assert path == tmp_path / "drafts" / "acct_.._x_y__odr.json"   # no separator survives
    state = {"fields": {"store_name": "{{ config }} <script>"}, "causes": [{"key": "h1", "selected": False}]}
    drafts.save_draft(path, state, account="acct/../x y", template_id="odr")
    assert drafts.load_draft(path) == state
    assert [p.name for p in path.parent.iterdir()] == [path.name]      # no temp file left behind
    assert drafts.load_draft(tmp_path / "drafts" / "missing.json") is None


def test_unreadable_draft_names_file_line_and_column(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('{"version": 1,\n "state": {oops}}', encoding="utf-8")
    with pytest.raises(drafts.DraftError, match=r"d\.json, line 2, column 12"):
        drafts.load_draft(path)
    path.write_text(json.dumps({"version": 99, "state": {}}), encoding="utf-8")
    with pytest.raises(drafts.DraftError, match="version 99"):
        drafts.load_draft(path)


def test_trend_chart_labels_in_chinese():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from reinstate.ui import backend
    fig, ax = plt.subplots()
    try:   # a chart labelled as the project's trend plot labels it
        ax.plot([1, 2, 3], [0.01, 0.012, 0.015], label="MFN · 60-day window")
        ax.axhline(0.01, label="target < 1.0%")
        ax.set_title("Order Defect Rate: daily value as the window slides")
        ax.set_xlabel("as-of date")
        ax.legend()
        backend.translate_chart(ax, metric="order_defect_rate", language="zh")
        assert ax.get_title() == "订单缺陷率：时间窗口滑动时的每日数值" and ax.get_xlabel() == "查看日期"
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["MFN · 60 天窗口", "目标 < 1.0%"]
        backend.translate_chart(ax, metric="order_defect_rate", language="en")   # English: left alone
        assert ax.get_xlabel() == "查看日期"
    finally:
        plt.close(fig)
