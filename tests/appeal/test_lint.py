import json
import re
from pathlib import Path

import pytest

from reinstate.appeal.lint import find_sections, line_col, lint
from reinstate.cli import main

LETTERS = Path(__file__).parent / "letters"
GOOD = """Dear Seller Performance Team,

Root cause: 8 of 13 defects were claims on orders sent with an untracked service between 10 and 24 Aug 2026.

Corrective actions taken:
1. On 2 Sep 2026 our logistics manager moved every order to a tracked service.

Preventive measures:
1. Our logistics manager reviews the carrier scan report every working day.
"""


def rules(result):
    return {f.rule for f in result.findings}


@pytest.mark.parametrize("path", sorted(LETTERS.glob("pass_*")), ids=lambda p: p.name)
def test_pass_fixtures_pass(path):
    result = lint(path.read_text(encoding="utf-8"))
    assert result.verdict == "pass", [(f.rule, f.excerpt) for f in result.findings]
    assert result.score == 100


EXPECTED_FAIL = {
    "fail_begging.txt": {"begging", "emotive"},
    "fail_placeholders.txt": {"placeholder"},
    "fail_future_only.txt": {"only_future_promises"},
    "fail_missing_sections.txt": {"missing_root_cause", "missing_corrective_actions", "missing_preventive_measures"},
    "fail_blame_history.txt": {"blame", "business_history", "absolute_promise", "begging"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED_FAIL))
def test_fail_fixtures_fail_for_the_right_reasons(name):
    text = (LETTERS / name).read_text(encoding="utf-8")
    result = lint(text)
    assert result.verdict == "fail"
    assert EXPECTED_FAIL[name] <= rules(result)
    for f in result.findings:  # every span points into the text and the excerpt is what it covers
        assert 0 <= f.start < f.end <= len(text)
        assert " ".join(text[f.start:f.end].split()).startswith(f.excerpt.removesuffix("..."))


def test_warn_fixture_warns():
    result = lint((LETTERS / "warn_vague_root_cause.txt").read_text(encoding="utf-8"))
    assert result.verdict == "warn"
    assert rules(result) == {"vague_root_cause", "root_cause_no_numbers"}
    # Two warnings at 8 points each: 100 - 16 = 84.
    assert result.score == 84


def test_good_letter_passes_and_sections_are_found():
    result = lint(GOOD)
    assert result.verdict == "pass" and result.findings == []
    kinds = [s[0] for s in find_sections(GOOD)]
    assert kinds == ["root_cause", "corrective", "preventive"]


def test_placeholder_span_offsets():
    text = "Dear team,\nRoot cause: XXXX orders."
    # "Dear team,\n" is 11 characters and "Root cause: " 12 more, so XXXX spans [23, 27).
    hits = [f for f in lint(text).findings if f.rule == "placeholder"]
    assert [(f.start, f.end, f.excerpt) for f in hits] == [(23, 27, "XXXX")]
    assert line_col(text, 23) == (2, 13)


@pytest.mark.parametrize("snippet", ["BXXXXXXXXX", "xx/xx/xxxx", "[your name]", "{{ store_name }}", "{owner}",
                                     "$X,X00,000"])
def test_placeholder_kinds(snippet):
    result = lint(GOOD + f"\nRegards, {snippet}\n")
    assert "placeholder" in rules(result) and result.verdict == "fail"


def test_sizes_like_xxl_are_not_placeholders():
    assert "placeholder" not in rules(lint(GOOD + "\nThe XXL and XXXL sizes were not affected.\n"))


@pytest.mark.parametrize("sentence,rule", [
    ("The carrier lost 6 parcels.", "blame"),
    ("This was Amazon's mistake.", "blame"),
    ("The buyers misunderstood the listing.", "blame"),
    ("A new employee who lacked training forgot to upload tracking.", "blame"),
    ("I beg you to reinstate us.", "begging"),
    ("Please give us a chance.", "begging"),
    ("We are in deep remorse.", "emotive"),
    ("We have 8 years of experience in foreign trade.", "business_history"),
    ("We were unaware of the policy.", "vague_root_cause"),
    ("We guarantee it will never happen again.", "absolute_promise"),
])
def test_tone_rules(sentence, rule):
    assert rule in rules(lint(GOOD + "\n" + sentence + "\n"))


def test_future_only_and_repeated_sentences():
    future = GOOD.replace("On 2 Sep 2026 our logistics manager moved every order to a tracked service.",
                          "We will move every order to a tracked service.")
    assert "only_future_promises" in rules(lint(future))
    repeated = GOOD + "\nWe reviewed every order by hand.\nWe reviewed every order by hand.\n"
    found = [f for f in lint(repeated).findings if f.rule == "repeated_sentence"]
    assert len(found) == 1 and found[0].start == repeated.rindex("We reviewed")


def test_root_cause_without_numbers_warns():
    vague = GOOD.replace("8 of 13 defects were claims on orders sent with an untracked service between 10 and 24 "
                         "Aug 2026.", "Some parcels went missing.")
    result = lint(vague)
    assert rules(result) == {"root_cause_no_numbers"} and result.verdict == "warn"


def test_length_budget_words_chars_and_fields():
    result = lint(GOOD, budget={"words": 20, "chars": 100, "field_chars": 50})
    assert {"too_long_words", "too_long_chars", "field_too_long"} <= rules(result)
    words = next(f for f in result.findings if f.rule == "too_long_words")
    # The finding starts at the 21st word.
    assert words.start == [m.start() for m in re.finditer(r"\b\w[\w'’-]*\b", GOOD)][20]
    assert result.fields["root_cause"] == len(
        " 8 of 13 defects were claims on orders sent with an untracked service between 10 and 24 Aug 2026.".strip())


def test_json_contract_exact_keys():
    data = json.loads(lint("I beg you. XXXX").to_json())
    assert set(data) == {"verdict", "score", "findings"}
    assert data["verdict"] == "fail"
    for f in data["findings"]:
        assert set(f) == {"rule", "severity", "start", "end", "excerpt", "hint"}
        assert f["severity"] in ("error", "warning", "info")


def test_seed_letters_mostly_warn_or_fail(shared_dir):
    text = (shared_dir / "seed" / "000_bdf41b958d976688.txt").read_text(encoding="utf-8")
    body = text[text.index("15.ODR"):text.index("1、亚马逊光头的邮箱")]
    letters = [p for p in re.split(r"^(?=(?:1[5-9]|2[0-2])\.\S)", body, flags=re.MULTILINE) if p.strip()]
    assert len(letters) == 8
    verdicts = [lint(letter).verdict for letter in letters]
    assert sum(v in ("warn", "fail") for v in verdicts) >= 7


def test_cli_exit_codes_and_json(tmp_path, capsys):
    assert main(["lint", str(LETTERS / "pass_late_shipment.md")]) == 0
    assert main(["lint", str(LETTERS / "warn_vague_root_cause.txt")]) == 0
    capsys.readouterr()
    assert main(["lint", "--json", str(LETTERS / "fail_begging.txt")]) == 1
    assert json.loads(capsys.readouterr().out)["verdict"] == "fail"
    assert main(["lint", str(tmp_path / "missing.txt")]) == 2
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip file")
    assert main(["lint", str(broken)]) == 2
    assert "broken.docx" in capsys.readouterr().err


def test_cli_reads_latin1_text(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_bytes(GOOD.replace("Dear", "Caf\u00e9 Dear").encode("latin-1"))
    assert main(["lint", str(path)]) == 0


def test_letter_cli_rejects_bad_options_before_loading(capsys):
    assert main(["letter", "--template", "nope", "missing-dir", "--as-of", "2026-11-16"]) == 2
    assert "unknown template 'nope'" in capsys.readouterr().err
    from reinstate.cli.letter import parse_fields
    assert parse_fields(["a=1", "b=x=y", "c={{ 7*7 }}"]) == {"a": "1", "b": "x=y", "c": "{{ 7*7 }}"}
    with pytest.raises(Exception, match="FIELD=VALUE"):
        parse_fields(["oops"])


def test_an_empty_date_slot_is_a_placeholder():
    from reinstate.appeal.lint import lint
    text = "Root cause: orders between  and  were confirmed late."
    hits = [f for f in lint(text).findings if f.rule == "placeholder"]
    assert [text[f.start:f.end] for f in hits] == ["between  and"]
