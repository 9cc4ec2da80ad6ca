"""`make demo`: the main job on the bundled sample, end to end, printing what it did and where results are.

validate -> account health table and trend plots -> the four notebooks executed (papermill) and rendered to
HTML (nbconvert) -> the ODR appeal letter (.docx and .txt) and its evidence pack. Nothing is overwritten:
a second run writes numbered siblings.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import session


WIDGET_NOTE = ("*Interactive app: open this notebook in JupyterLab (`make lab`) or serve it (`make app`); "
               "a static page cannot run it.*")


def static_copy(nb):
    """The notebook for a static page: widget outputs become a one-line note (their saved state would need a
    script from the internet to draw, and made notebook 04's page a 1 MB blank), plain outputs stay."""
    import nbformat

    nb = nbformat.from_dict(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": WIDGET_NOTE})
                        if "application/vnd.jupyter.widget-view+json" in out.get("data", {}) else out
                        for out in cell.outputs]
    return nb


def render_html(notebooks: dict, folder: Path) -> list[Path]:
    """Executed notebooks -> standalone HTML pages (code and outputs; widgets replaced by a note)."""
    if not notebooks:
        return []
    import nbformat
    from nbconvert import HTMLExporter

    folder.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    written = []
    for name, path in notebooks.items():
        body, _ = exporter.from_notebook_node(static_copy(nbformat.read(str(path), as_version=4)))
        target = folder / (Path(name).stem + ".html")
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


def save_trend_plots(analysis, *, as_of, folder: Path) -> list[Path]:
    """The 90-day trend plots of the analysis (its cached trends, drawn once)."""
    import matplotlib.pyplot as plt

    from .plots.metrics import plot_metric_trend, plot_odr_trend

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    plots = {"odr_trend": lambda ax: plot_odr_trend(analysis.trend(metric="order_defect_rate", days=90),
                                                    as_of=as_of, ax=ax)}
    for metric in ("late_shipment_rate", "pre_fulfillment_cancel_rate", "valid_tracking_rate",
                   "on_time_delivery_rate"):
        plots[f"{metric}_trend"] = lambda ax, m=metric: plot_metric_trend(analysis.trend(metric=m, days=90),
                                                                          metric=m, as_of=as_of, ax=ax)
    for name, draw in plots.items():
        fig, ax = plt.subplots(figsize=(9, 3.8))
        draw(ax)
        fig.savefig(folder / f"{name}.png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        written.append(folder / f"{name}.png")
    return written


def ensure_sample() -> Path:
    """The bundled sample, or (installed package: no checkout) one generated into ``<home>/data/sample``."""
    folder = session.sample_dir()
    if not (folder / "orders.csv").is_file():
        from .sample import generate_sample, write_sample

        print(f"(no bundled sample here: an installed package has none; generating one into {folder})")
        write_sample(generate_sample(), folder, performance=True)
    return folder


def run_notebooks(folder: Path, params: dict) -> dict:
    """Notebooks 01-04 executed into ``folder`` (progress on stderr); {} with a note when not installed."""
    from .batch import NOTEBOOKS
    from .errors import ConfigError

    try:
        source = session.notebook_dir()
    except ConfigError as exc:
        print(f"skipped: {exc}")
        return {}
    return {name: session.execute_notebook(source / name, folder / name, params, cwd=source)
            for name in NOTEBOOKS}


def print_reconciliation(analysis) -> None:
    """Our figures next to Amazon's (the sample ships a GET_V2_SELLER_PERFORMANCE_REPORT)."""
    from .metrics.display import reconciliation_text

    rec = analysis.reconciliation()
    if rec is None:
        print("(no Amazon performance report among the inputs: nothing to reconcile)")
        return
    from .cli.metrics import terminal_width, wrap_lines

    print(wrap_lines(reconciliation_text(rec), terminal_width()))


def main(argv=None) -> int:
    import matplotlib
    matplotlib.use("Agg")

    from .analysis import analyze
    from .appeal.pipeline import write_appeal
    from .cli import main as cli_main
    from .cli.diagnose import wrap_summary
    from .cli.metrics import terminal_width, to_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="output folder (default out/)")
    args = parser.parse_args(argv)
    out = session.out_dir(args.out)
    sample = ensure_sample()
    as_of = session.default_as_of(sample)

    print(f"== 1. Validate the bundled sample ({sample})")
    cli_main(["validate", str(sample), "--rejects", str(out / "rejects.csv")])
    analysis = analyze(sample, as_of=as_of)   # loaded once; every table below is computed once from it

    print(f"\n== 2. Account health as of {as_of} (the sample's suggested date)")
    # The analyst's answers (why each cause happened, when each action was taken, by whom): the sample's own
    # file, so the demo letter is complete and honest rather than full of marked suggestions.
    answers = sample / "answers.yaml"
    appeal = analysis.appeal("odr", answers=answers if answers.is_file() else None)
    print(to_table(appeal.health, colour=sys.stdout.isatty()))
    print("\nReconciliation with Amazon's own figures (performance.json in the sample):")
    print_reconciliation(analysis)
    plots = save_trend_plots(analysis, as_of=as_of, folder=out / "plots")

    print("\n== 3. Root causes")
    print(wrap_summary(appeal.diagnosis.summary(), terminal_width()))

    print("\n== 4. Notebooks, top to bottom (papermill), then HTML (nbconvert): about 30 s, progress below",
          flush=True)
    params = {"data_path": str(sample.resolve()), "as_of": as_of.isoformat(), "marketplace": "US",
              "account": None, "out_dir": str(out.resolve())}
    executed = run_notebooks(out / "notebooks", params)
    pages = render_html(executed, out / "notebooks" / "html")

    print("\n== 5. Plan of Action and evidence pack")
    print(f"lint verdict: {appeal.lint.verdict} (score {appeal.lint.score:.0f}, "
          f"{len(appeal.lint.findings)} findings)")
    written = write_appeal(appeal, analysis, letter=out / "letters" / "appeal-odr.docx", evidence=out / "evidence")
    written["text"] = write_appeal(appeal, analysis, letter=out / "letters" / "appeal-odr.txt")["letter"]

    print("\nDone. Results:")
    print(f"  executed notebooks  {out / 'notebooks'}/  ({len(executed)} notebooks)")
    print(f"  notebook HTML       {out / 'notebooks' / 'html'}/  ({len(pages)} pages)")
    print(f"  trend plots         {out / 'plots'}/  ({len(plots)} PNG)")
    print(f"  letter              {written['letter']}")
    print(f"                      {written['text']}")
    print(f"  evidence pack       {written['evidence']}/")
    print("Open the letter, check every action is one you have really taken (dates, owners), then paste\n"
          "the .txt into Account Health > Reactivate your account / Submit appeal.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
