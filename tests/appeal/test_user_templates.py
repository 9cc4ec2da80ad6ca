"""A user's templates folder adds templates and overrides the package's by id; finding none is an error."""

from pathlib import Path

import reinstate
from reinstate.appeal.registry import get_template, templates
from reinstate.appeal.render import render_letter
from reinstate.cli import main
from reinstate.paths import TEMPLATES_DIR

def _own_template(folder, template_id="my-letter", body="Hello from {{ store_name }}."):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{template_id}.j2").write_text(
        "{#---\nid: " + template_id + "\ntitle_en: My own letter\nappeal_type: account_metrics\nmetrics: []\n"
        "required: [store_name]\nwhen_to_use: testing\nexample: {store_name: Acme}\n---#}\n" + body + "\n",
        encoding="utf-8")

def test_templates_folder_in_the_current_directory_adds_a_template(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REINSTATE_TEMPLATES", raising=False)
    monkeypatch.delenv("REINSTATE_HOME", raising=False)
    _own_template(tmp_path / "templates")
    ids = {t.id for t in templates()}
    assert "my-letter" in ids and "odr" in ids
    assert render_letter("my-letter", {"store_name": "Acme"}) == "Hello from Acme.\n"

def test_user_template_overrides_the_package_one_of_the_same_id(tmp_path, monkeypatch):
    monkeypatch.setenv("REINSTATE_TEMPLATES", str(tmp_path / "mine"))
    _own_template(tmp_path / "mine", template_id="odr", body="Short ODR letter for {{ store_name }}.")
    assert get_template("odr").title_en == "My own letter"
    assert render_letter("odr", {"store_name": "Acme"}) == "Short ODR letter for Acme.\n"
    assert len([t for t in templates() if t.id == "odr"]) == 1

def test_cli_templates_option_lists_the_users_template(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("REINSTATE_TEMPLATES", raising=False)
    _own_template(tmp_path / "mine")
    assert main(["templates", "--templates", str(tmp_path / "mine")]) == 0
    assert "my-letter" in capsys.readouterr().out

def test_templates_check_fails_when_no_template_is_found(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("reinstate.appeal.registry.template_dirs", lambda: (tmp_path,))
    monkeypatch.setattr("reinstate.paths.template_dirs", lambda: (tmp_path,))
    assert main(["templates", "check"]) == 2
    assert "no templates found" in capsys.readouterr().err

def test_package_templates_are_package_data():
    # The wheel carries them: they live inside the package, not in the checkout's root.
    assert (TEMPLATES_DIR / "odr.j2").is_file() and (TEMPLATES_DIR / "actions.yaml").is_file()
    assert TEMPLATES_DIR.parent.parent == Path(reinstate.__file__).resolve().parent
