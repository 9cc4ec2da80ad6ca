"""The demo's HTML pages: widget outputs become a note (no 1 MB blank page), other outputs are kept."""
import nbformat

from reinstate.demo import WIDGET_NOTE, render_html


def test_widget_outputs_become_a_note_and_the_rest_stays(tmp_path):
    nb = nbformat.v4.new_notebook()
    widget = nbformat.v4.new_code_cell("app.widget")
    widget.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "VBox(children=(HTML(value='<style>...'),))"})]
    text = nbformat.v4.new_code_cell("print('hello')")
    text.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello reader\n")]
    nb.cells = [widget, text]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"abc": {"x": "y" * 50_000}}}}
    path = tmp_path / "04-x.ipynb"
    nbformat.write(nb, path)
    [page] = render_html({"04-x.ipynb": path}, tmp_path / "html")
    html = page.read_text()
    assert "hello reader" in html and "Interactive app" in html and WIDGET_NOTE.startswith("*Interactive app")
    assert "VBox(children" not in html and "y" * 1000 not in html
