"""The letter argues the breached metric's own failing orders, with the analyst's explanations (issue 14)."""
import json
import re

import pytest

from reinstate.paths import SAMPLE_DIR

METRIC_TEMPLATES = {"odr": "order_defect_rate", "late-shipment-rate": "late_shipment_rate",
                    "cancellation-rate": "pre_fulfillment_cancel_rate", "valid-tracking-rate": "valid_tracking_rate",
                    "on-time-delivery": "on_time_delivery_rate"}
KEYS = {"template", "metric", "account", "marketplace", "channel", "window", "defective_orders", "causes",
        "unexplained_orders", "text", "lint"}
AS_OF = "2026-11-16"


@pytest.fixture(scope="module")
def sample():
    if not (SAMPLE_DIR / "truth.json").exists():
        pytest.skip("data/sample has not been generated")
    import reinstate
    return reinstate.load(str(SAMPLE_DIR))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """ODR driven by carrier delays, late shipment by a confirmation backlog: two different causes."""
    import reinstate
    from reinstate.sample.write import write_sample
    s = reinstate.generate_sample(orders=3000, seed=5, causes=["carrier_delay", "late_shipment"], strength=1.5)
    folder = tmp_path_factory.mktemp("seeded")
    write_sample(s, folder)
    return reinstate.load(str(folder)), s.as_of


def _letter_json(capsys, *args):
    from reinstate.cli import main
    assert main(["letter", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("template", sorted(METRIC_TEMPLATES))
def test_json_contract_holds_for_every_metric_template(sample, template, capsys):
    import reinstate
    doc = _letter_json(capsys, "--template", template, str(SAMPLE_DIR), "--as-of", AS_OF)
    assert set(doc) == KEYS
    assert doc["template"] == template and doc["metric"] == METRIC_TEMPLATES[template]
    assert set(doc["window"]) == {"start", "end"}
    # The failing orders of the metric, from the drilldown (every channel), as the independent reference.
    failing = reinstate.drilldown(sample, as_of=AS_OF, metric=doc["metric"], channel=doc["channel"])
    assert doc["defective_orders"] == failing["order_id"].nunique() or doc["defective_orders"] == 0
    seen = []
    for cause in doc["causes"]:
        assert set(cause) == {"cause", "scope", "orders", "order_ids"}
        assert set(cause["scope"]) == {"dimension", "value", "start", "end"}
        assert cause["orders"] == len(cause["order_ids"]) > 0
        assert set(cause["order_ids"]) <= set(failing["order_id"].astype(str))
        seen += cause["order_ids"]
    assert len(seen) == len(set(seen)), "an order is attributed to two causes"
    assert sum(c["orders"] for c in doc["causes"]) + doc["unexplained_orders"] == doc["defective_orders"]
    counts = [c["orders"] for c in doc["causes"]]
    assert counts == sorted(counts, reverse=True), "causes are not strongest first"
    # Causes appear in the letter in the same order.
    titles = [m.start() for c in doc["causes"] for m in [re.search(rf"Of the \d+ [^,]+, {c['orders']} ", doc["text"])]
              if m]
    assert titles == sorted(titles) and len(titles) == len(doc["causes"])
    assert set(doc["lint"]) == {"verdict", "score", "findings"}


def test_json_numerator_matches_account_health(sample, capsys):
    import reinstate
    health = reinstate.account_health(sample, as_of=AS_OF)
    for template, metric in (("odr", "order_defect_rate"), ("late-shipment-rate", "late_shipment_rate"),
                             ("valid-tracking-rate", "valid_tracking_rate")):
        doc = _letter_json(capsys, "--template", template, str(SAMPLE_DIR), "--as-of", AS_OF)
        row = health[(health["metric"] == metric) & (health["channel"] == doc["channel"])
                     & (health["window_start"].dt.strftime("%Y-%m-%d") == doc["window"]["start"])].iloc[0]
        failing = row["numerator"] if metric != "valid_tracking_rate" else row["denominator"] - row["numerator"]
        assert doc["defective_orders"] == failing


def test_sample_odr_letter_argues_the_odr_drivers_out_of_its_own_defects(sample, capsys):
    doc = _letter_json(capsys, "--template", "odr", str(SAMPLE_DIR), "--as-of", AS_OF)
    # data/sample/README.md: MFN ODR 3.24 % (34 of 1050), AFN 1.10 % (5 of 453); both breached.
    assert doc["channel"] == "MFN" and doc["defective_orders"] == 34
    assert doc["causes"][0]["cause"] in {"carrier_delay", "no_tracking", "transit_damage"}
    assert "late_shipment" not in {c["cause"] for c in doc["causes"]}
    assert "Of the 34 defective orders" in doc["text"] and "206" not in doc["text"]
    assert "the channel with the highest Order Defect Rate" in doc["text"]
    assert "Fulfilled by Amazon Order Defect Rate is also above target" in doc["text"]
    assert "Amazon strikes through" in doc["text"] and "requested the removal" in doc["text"]


def test_channel_option_argues_the_other_channel(sample, capsys):
    doc = _letter_json(capsys, "--template", "odr", str(SAMPLE_DIR), "--as-of", AS_OF, "--channel", "AFN")
    assert doc["channel"] == "AFN" and doc["defective_orders"] == 5
    assert "the channel with the highest" not in doc["text"]


def test_seeded_odr_does_not_argue_the_late_shipment_cause(seeded):
    from reinstate.appeal.pipeline import build_appeal
    data, as_of = seeded
    odr = build_appeal(data, template="odr", as_of=as_of).to_dict()
    lsr = build_appeal(data, template="late-shipment-rate", as_of=as_of).to_dict()
    assert odr["causes"] and odr["causes"][0]["cause"] == "carrier_delay"
    assert "late_shipment" not in {c["cause"] for c in odr["causes"]}
    assert lsr["causes"] and lsr["causes"][0]["cause"] == "late_shipment"


def test_removal_action_can_be_dropped(sample):
    from reinstate.appeal.pipeline import build_appeal
    kept = build_appeal(sample, template="odr", as_of=AS_OF)
    dropped = build_appeal(sample, template="odr", as_of=AS_OF,
                           answers={"actions": {"removal.ca.requested": {"drop": True}}})
    assert "requested the removal" in kept.markdown
    assert "requested the removal" not in dropped.markdown and "eligible for removal" in dropped.markdown


def test_demo_letter_passes_with_the_answers_file_and_warns_without(sample):
    from reinstate.appeal.pipeline import build_appeal
    answered = build_appeal(sample, template="odr", as_of=AS_OF, answers=SAMPLE_DIR / "answers.yaml")
    bare = build_appeal(sample, template="odr", as_of=AS_OF)
    assert answered.lint.verdict == "pass", [(f.rule, f.excerpt) for f in answered.lint.findings]
    assert bare.lint.verdict == "warn"
    assert {f.rule for f in bare.lint.findings} == {"unconfirmed_explanation"}
    assert "[Suggested explanation" in bare.markdown and "[Suggested" not in answered.markdown
    # Without answers no action carries a date: the data cannot know when anything was done.
    assert not re.search(r"On \d{1,2} \w{3} \d{4}, ", bare.markdown)


def test_answers_dates_owners_and_linter_errors(sample):
    from reinstate.appeal.pipeline import build_appeal
    base = {"causes": {c: {"why": "A reason we checked."} for c in ("carrier_delay", "transit_damage",
                                                                    "not_as_described")}}
    late = build_appeal(sample, template="odr", as_of=AS_OF, answers={
        **base, "actions": {"carrier_delay.ca.template": {"date": "2026-11-20", "owner": "Dana Li"}}})
    assert "On 20 Nov 2026, Dana Li changed the shipping template" in late.markdown
    rules = {f.rule: f for f in late.lint.findings}
    assert "action_after_letter_date" in rules and late.lint.verdict == "fail"
    assert late.markdown[rules["action_after_letter_date"].start:rules["action_after_letter_date"].end] \
        == "20 Nov 2026"
    undated = build_appeal(sample, template="odr", as_of=AS_OF, answers={
        **base, "actions": {"carrier_delay.ca.template": {"owner": "Dana Li"}}})
    assert "On [date], Dana Li changed" in undated.markdown
    assert "action_without_date" in {f.rule for f in undated.lint.findings} and undated.lint.verdict == "fail"


def test_set_gives_why_and_dates(sample, capsys):
    doc = _letter_json(capsys, "--template", "odr", str(SAMPLE_DIR), "--as-of", AS_OF,
                       "--set", "why.carrier_delay=USPS Ground from Reno took 5-8 days to the East Coast.",
                       "--set", "date.carrier_delay.ca.template=2026-11-05")
    assert "USPS Ground from Reno took 5-8 days to the East Coast." in doc["text"]
    assert "On 5 Nov 2026, our logistics manager changed the shipping template" in doc["text"]


def test_bad_answers_file_is_a_clear_error(tmp_path, capsys):
    from reinstate.cli import main
    bad = tmp_path / "answers.yaml"
    bad.write_text("actions:\n  x.ca.y: {date: 2026-13-45}\n", encoding="utf-8")
    assert main(["letter", "--template", "odr", str(SAMPLE_DIR), "--as-of", AS_OF, "--answers", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "answers.yaml" in err and "x.ca.y" in err and "YYYY-MM-DD" in err and "Traceback" not in err


def test_lint_is_identical_across_txt_md_html_docx(sample, tmp_path):
    from reinstate.appeal.lint import lint
    from reinstate.appeal.pipeline import build_appeal, write_appeal
    from reinstate.cli.lint import read_letter
    for answers in (None, SAMPLE_DIR / "answers.yaml"):
        appeal = build_appeal(sample, template="odr", as_of=AS_OF, answers=answers)
        results = []
        for suffix in ("txt", "md", "html", "docx"):
            path = write_appeal(appeal, sample, letter=tmp_path / f"letter.{suffix}")["letter"]
            r = lint(read_letter(path))
            results.append((r.verdict, r.score, sorted((f.rule, f.severity) for f in r.findings)))
        assert all(r == results[0] for r in results), results
        assert results[0][0] == appeal.lint.verdict


def test_txt_export_is_one_paragraph_per_line(sample, tmp_path):
    from reinstate.appeal.pipeline import build_appeal, write_appeal
    appeal = build_appeal(sample, template="odr", as_of=AS_OF, answers=SAMPLE_DIR / "answers.yaml")
    path = write_appeal(appeal, sample, letter=tmp_path / "letter.txt", ascii_quotes=True)["letter"]
    text = path.read_text(encoding="utf-8")
    opener = next(line for line in text.splitlines() if line.startswith("Our seller-fulfilled Order Defect Rate"))
    assert len(opener) > 200 and opener.endswith("recurring.")     # not wrapped
    paragraphs = text.strip().split("\n\n")
    assert any(p.startswith("Root cause: Of the 34") and "\n" not in p for p in paragraphs)
    assert "\n\n\n" not in text and text.isascii()
