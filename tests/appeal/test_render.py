import dataclasses

import pytest
from appeal_helpers import odr_health

from reinstate.appeal.context import build_context, example_context
from reinstate.appeal.docx import docx_bytes
from reinstate.appeal.render import environment, render_letter
from reinstate.cli.templates import check_template
from reinstate.errors import TemplateError


def odr_context(**fields):
    return build_context(health=odr_health(), causes=["carrier_delay"], seller={"store_name": "Acme"},
                         fields=fields, as_of="2026-11-16")


def test_odr_letter_carries_the_numbers_and_the_triple():
    text = render_letter("odr", odr_context())
    assert "1.71%" in text and "14 of 820 orders" in text
    assert "9 A-to-z Guarantee claims and 6 negative feedback entries" in text
    for label in ("Root cause:", "Corrective actions taken:", "Preventive measures:"):
        assert label in text
    assert "**" not in text and "##" not in text       # plain text form


def test_missing_required_field_names_field_and_template():
    ctx = odr_context()
    del ctx["metrics"]["order_defect_rate"]
    with pytest.raises(TemplateError, match=r"template 'odr'.*metrics\.order_defect_rate"):
        render_letter("odr", ctx)
    ctx = example_context("ip-design-patent-dispute")
    ctx.pop("patent_number")
    with pytest.raises(TemplateError, match=r"'ip-design-patent-dispute'.*patent_number"):
        render_letter("ip-design-patent-dispute", ctx)


def test_undefined_variable_inside_template_becomes_template_error():
    ctx = odr_context()
    ctx["metrics"]["order_defect_rate"] = {"rate_pct": "2%"}   # present but incomplete
    with pytest.raises(TemplateError, match="odr.*missing"):
        render_letter("odr", ctx)


@pytest.mark.parametrize("typed", ["{{ 7*7 }}", "{{ config }}", "{% for x in range(3) %}x{% endfor %}",
                                   "<script>alert(1)</script>"])
def test_typed_text_is_data_not_template_source(typed):
    ctx = example_context("odr-detailed")
    ctx["investigation"] = f"Note {typed} end."
    for fmt in ("text", "markdown"):
        assert f"Note {typed} end." in render_letter("odr-detailed", ctx, fmt=fmt)
    html = render_letter("odr-detailed", ctx, fmt="html")
    escaped = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"Note {escaped} end." in html
    assert "<script>" not in html and "49" not in html.split("Note")[1][:20]
    import io

    import docx
    document = docx.Document(io.BytesIO(docx_bytes(render_letter("odr-detailed", ctx, fmt="markdown"))))
    assert any(f"Note {typed} end." in p.text for p in document.paragraphs)


def test_one_sandboxed_environment_with_strict_undefined():
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment
    env = environment()
    assert env is environment() and isinstance(env, SandboxedEnvironment)
    assert env.undefined is jinja2.StrictUndefined


def test_unknown_format_and_template():
    with pytest.raises(TemplateError, match="format"):
        render_letter("odr", odr_context(), fmt="pdf")
    with pytest.raises(TemplateError, match="unknown template"):
        render_letter("nope", {})


def test_every_template_passes_check():
    from reinstate.appeal.registry import templates
    assert {i.id: check_template(i.id) for i in templates()} == {i.id: [] for i in templates()}


def test_check_reports_a_required_field_the_template_never_reads(monkeypatch):
    from reinstate.appeal import registry
    real = registry.get_template
    fake = dataclasses.replace(real("odr"), required=real("odr").required + ("patent_number",))
    monkeypatch.setattr(registry, "get_template", lambda tid, *a: fake if tid == "odr" else real(tid))
    problems = check_template("odr")
    assert any("patent_number" in p and "never used" in p for p in problems)


def test_templates_cli_lists_and_checks(capsys):
    from reinstate.cli import main
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    assert "odr (also: odr-concise)" in out and "ODR超标导致亚马逊账号被冻结,申诉模板1" in out
    assert main(["templates", "check"]) == 0
