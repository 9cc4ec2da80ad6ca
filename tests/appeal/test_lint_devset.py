"""The linter against a development set of letters in real sellers' styles, labelled by what a reviewer would do
(tests/appeal/devset/labels.yaml), plus the reading rules issue 14 names."""
from pathlib import Path

import pytest
import yaml

from reinstate.appeal.lint import find_sections, lint

DEVSET = Path(__file__).parent / "devset"
LABELS = yaml.safe_load((DEVSET / "labels.yaml").read_text(encoding="utf-8"))


def test_devset_is_big_and_varied():
    assert len(LABELS) >= 20
    assert {s["label"] for s in LABELS.values()} == {"pass", "warn", "fail"}
    assert sum(1 for s in LABELS.values() if "generator" in s["style"]) >= 3


@pytest.mark.parametrize("name", sorted(LABELS))
def test_devset_letter_gets_the_reviewers_verdict(name):
    spec = LABELS[name]
    text = (DEVSET / name).read_text(encoding="utf-8")
    result = lint(text)
    rules = {f.rule for f in result.findings}
    assert result.verdict == spec["label"], sorted(rules)
    assert set(spec.get("expect", [])) <= rules
    for f in result.findings:  # every finding points at a real, non-empty span that shows its excerpt
        assert 0 <= f.start < f.end <= len(text)
        assert " ".join(text[f.start:f.end].split()).startswith(f.excerpt.removesuffix("..."))


def test_real_headings_with_periods_and_own_wordings_are_sections():
    text = ("Hello,\n\nWhat went wrong:\n7 of 410 orders (SKU MUG-4) broke in the post.\n\n"
            "My actions to resolve the issue:\n1. On 22 September I refunded all 7 buyers.\n\n"
            "My actions to prevent this from happening again.\n1. Every product gets a drop test.\n")
    kinds = [k for k, *_ in find_sections(text)]
    assert kinds == ["root_cause", "corrective", "preventive"]
    assert lint(text).verdict == "pass"


def test_one_heading_opens_two_section_kinds():
    text = "Root cause: 3 of 90 orders had no tracking.\n\nCorrective and preventive actions:\n1. On 2 May we fixed it.\n"
    kinds = {k for k, *_ in find_sections(text)}
    assert kinds == {"root_cause", "corrective", "preventive"}


def test_list_numbering_is_not_a_specific_fact():
    text = ("Root cause:\n1. We experienced unexpected fulfillment challenges.\n\n"
            "Corrective actions taken:\n1. On 2 May 2026 we changed the process.\n\n"
            "Preventive measures:\n1. Our manager checks the queue daily.\n")
    rules = {f.rule for f in lint(text).findings}
    assert {"root_cause_no_numbers", "generic_root_cause"} <= rules
    specific = text.replace("unexpected fulfillment challenges", "late confirmations on 12 of 300 orders")
    assert not {"root_cause_no_numbers", "generic_root_cause"} & {f.rule for f in lint(specific).findings}


@pytest.mark.parametrize("sentence", ["The transport company lost two parcels.",
                                      "This was due to the shipping company.",
                                      "Our courier delayed the parcels.", "It was the fault of the carrier."])
def test_blame_covers_carriers_couriers_and_transport_companies(sentence):
    assert "blame" in {f.rule for f in lint(sentence).findings}


def test_masked_pii_is_not_a_placeholder():
    quote = 'A buyer wrote: "call me at [phone] or [email]".'
    assert "placeholder" not in {f.rule for f in lint(quote).findings}
    assert "placeholder" in {f.rule for f in lint("Sincerely, [Your Name]").findings}


def test_missing_section_points_at_a_useful_span():
    text = "Dear team,\n\nWe are sorry that some orders were late in May and we fixed it.\n\nRegards,\nAnn\n"
    missing = next(f for f in lint(text).findings if f.rule == "missing_root_cause")
    assert text[missing.start:missing.end] == "We are sorry that some orders were late in May and we fixed it."
    text2 = "Root cause: 3 of 90 orders had no tracking.\n\nCorrective actions taken:\n1. On 2 May we fixed it.\n"
    prev = next(f for f in lint(text2).findings if f.rule == "missing_preventive_measures")
    assert text2[prev.start:prev.end] == "Corrective actions taken:"


def test_repeated_findings_of_one_rule_cost_at_most_twice():
    base = (DEVSET / "forum_what_went_wrong.txt").read_text(encoding="utf-8")
    assert lint(base).score == 100

    def with_suggestions(n):
        extra = "".join(f"\n[Suggested action, confirm with its date and owner: step {i}.]" for i in range(n))
        return lint(base.replace("Regards,", extra.strip() + "\n\nRegards,"))
    assert with_suggestions(1).score == 92 and with_suggestions(6).score == 84  # two findings' weight, not six
