"""The whole appeal stage on the bundled sample: load -> health -> diagnose -> letter -> lint -> .docx."""
import json

import pytest

from reinstate.paths import SAMPLE_DIR


@pytest.fixture(scope="module")
def sample():
    truth = SAMPLE_DIR / "truth.json"
    if not truth.exists():
        pytest.skip("data/sample has not been generated")
    import reinstate
    data = reinstate.load(str(SAMPLE_DIR))
    as_of = json.loads(truth.read_text())["as_of"]
    health = reinstate.account_health(data, as_of=as_of)
    dx = reinstate.diagnose(data, as_of=as_of)
    return data, as_of, json.loads(truth.read_text()), health, dx


def test_odr_letter_from_sample_is_specific_and_passes(sample):
    import reinstate
    from reinstate.appeal.context import template_context

    _, as_of, truth, health, dx = sample
    ctx = template_context("odr", health=health, diagnosis=dx, seller={"store_name": "Demo"}, as_of=as_of)
    odr = ctx["metrics"]["order_defect_rate"]
    assert odr["status"] == "breached"
    injected = {i["cause"] for i in truth["injected"]}
    assert ctx["causes"] and {c["id"] for c in ctx["causes"]} <= injected
    markdown = reinstate.render_letter("odr", ctx, fmt="markdown")
    assert f"{odr['numerator']} of {odr['denominator']} orders" in markdown
    # Without the analyst's answers the explanations are marked suggestions: a warning, never a pass.
    assert reinstate.lint(markdown).verdict == "warn"


def test_letter_cli_writes_a_passing_docx(sample, tmp_path, monkeypatch, capsys):
    import reinstate.diagnosis.engine
    import reinstate.io.load
    import reinstate.metrics.health
    from reinstate.appeal.docx import read_docx
    from reinstate.appeal.lint import lint
    from reinstate.cli import main

    data, as_of, _, health, dx = sample
    # The CLI's own loading and analysis are the other stages' business; reuse this module's results.
    monkeypatch.setattr(reinstate.io.load, "load", lambda *a, **k: data)
    monkeypatch.setattr(reinstate.metrics.health, "account_health", lambda *a, **k: health)
    monkeypatch.setattr(reinstate.diagnosis.engine, "diagnose", lambda *a, **k: dx)
    out = tmp_path / "out" / "appeal.docx"
    assert main(["letter", "--template", "odr", str(SAMPLE_DIR), "--as-of", as_of, "--out", str(out),
                 "--set", "store_name=Demo Store", "--set", "seller_name=Dana Li",
                 "--answers", str(SAMPLE_DIR / "answers.yaml")]) == 0
    printed = capsys.readouterr().out
    assert "PASS" in printed and "Reactivate your account" in printed
    text = read_docx(out)
    assert "Demo Store" in text and "Dana Li" in text
    assert lint(text).verdict == "pass"
