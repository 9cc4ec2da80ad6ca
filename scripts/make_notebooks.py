"""Write notebooks/01-04 from the cell lists below (outputs empty, kernel python3).

The notebooks are the front door and stay thin; editing them here keeps them reviewable as code.
Run: .venv/bin/python scripts/make_notebooks.py
"""
from pathlib import Path

import nbformat as nbf

ROOT = Path(__file__).resolve().parents[1]

PARAMETERS = '''\
# Defaults for a run on the bundled sample; papermill and reinstate batch inject their own
data_path = None      # folder of your exports; None uses the bundled sample in data/sample
as_of = None          # YYYY-MM-DD when you read Account Health; None uses the sample date or today
marketplace = "US"    # marketplace for rows that do not name one
account = None        # one account id; None keeps every account in the data
out_dir = None        # output folder; None uses out/ in the project'''

# Notebook 02 also shows the metric history saved by `reinstate metrics --save` / `reinstate batch`.
PARAMETERS_02 = PARAMETERS + '''
store = None          # history file; None uses REINSTATE_STORE or ./reinstate-history.duckdb (nothing shown if absent)'''

SETUP = '''\
import pandas as pd
import reinstate
from reinstate import session

pd.set_option("display.max_colwidth", 120)
as_of = session.default_as_of(data_path, as_of)
out = session.out_dir(out_dir)
data = reinstate.load(session.data_dir(data_path), marketplace=marketplace, account=account)
analysis = reinstate.analyze(data, as_of=as_of, account=account)  # every table below computed once, from here
print(f"as_of {as_of}: {data.orders.order_id.nunique():,} orders, {len(data.rejects):,} rejected rows")'''

NOTEBOOKS = {
    "01-load-and-validate.ipynb": [
        ("md", "# 1 · Load and validate the exports\n"
               "Reads every export in the data folder, names the report format of each file and joins them into "
               "one order table.\nRows that cannot be used are set aside with file, line, column and reason, so "
               "nothing is lost silently."),
        ("params", PARAMETERS),
        ("code", SETUP),
        ("md", "Each file, the format it was recognised as, and what became of its rows "
               "(`rows_read = rows_accepted + rows_rejected`)."),
        ("code", "pd.DataFrame(data.files)"),
        ("md", "Rejected rows, if any: fix them in the source export or accept that they are left out."),
        ("code", "data.rejects.head(20)"),
        ("md", "Orders by fulfilment channel and status. Amazon reports seller-fulfilled (MFN) and FBA (AFN) "
               "separately, so every later step keeps them apart."),
        ("code", "orders = data.orders.drop_duplicates([\"account\", \"order_id\"])\n"
                 "pd.crosstab(orders.fulfillment_channel, orders.order_status, margins=True)"),
        ("code", "from reinstate.plots.orders import plot_order_volume\n\nplot_order_volume(data.orders);"),
    ],
    "02-account-health.ipynb": [
        ("md", "# 2 · Account health, computed the way Amazon computes it\n"
               "Every metric per account, channel and window, with its target and status, the daily trend, "
               "and when the Order Defect Rate will recover on its own.\nStatuses: `good`, `at_risk` (80 % of "
               "the way to the threshold), `breached`, `no_data` (the note names the missing columns)."),
        ("params", PARAMETERS_02),
        ("code", SETUP),
        ("code", "from reinstate.metrics.display import (forecast_styled, orders_table, reconciliation_view,\n"
                 "                                       removable_table, styled)\n\n"
                 "health = analysis.health()\nstyled(health)"),
        ("md", "Amazon's own figures next to ours, when Amazon's performance report "
               "(GET_V2_SELLER_PERFORMANCE_REPORT JSON) is in the data folder: the same windows, both counts, "
               "the difference and its likely reason."),
        ("code", "reconciliation_view(analysis)"),
        ("md", "The orders behind the MFN Order Defect Rate: these are the order ids the appeal talks about."),
        ("code", "behind = analysis.drilldown(\"order_defect_rate\", channel=\"MFN\")\n"
                 "orders_table(behind)  # every column: behind.head(10)"),
        ("md", "The ODR as the 60-day window slides, one point per day, with the 1 % target."),
        ("code", "from reinstate.plots import metrics as mplots\n\n"
                 "trend = analysis.trend(metric=\"all\", days=90)  # every metric, one pass: the plots below share it\n"
                 "mplots.plot_odr_trend(trend, as_of=as_of);"),
        ("md", "Which component drives the MFN defects: negative feedback, A-to-z claims or chargebacks "
               "(an order with several defects counts once in the ODR)."),
        ("code", "mplots.plot_odr_components(trend, channel=\"MFN\", as_of=as_of);"),
        ("md", "The 10-day Late Shipment Rate reacts within days to a missed dispatch."),
        ("code", "mplots.plot_metric_trend(trend, metric=\"late_shipment_rate\", as_of=as_of);"),
        ("md", "Recovery: assuming no new defects and the recent order volume, the first day the ODR is back "
               "under target, and what it would take to be under target today."),
        ("code", "forecast = analysis.forecast(channel=\"MFN\")\n"
                 "forecast_styled(forecast)  # day by day: forecast.projection"),
        ("code", "mplots.plot_recovery(forecast);"),
        ("md", "Defects that may be removable before appealing (FBA feedback, product reviews left as seller "
               "feedback, claims on orders that were shipped and delivered on time)."),
        ("code", "removable = analysis.removable()\n"
                 "removable_table(removable)  # evidence and counts: removable.head(10)"),
        ("md", "What Account Health showed on the days saved in the history store (`reinstate metrics --save`, "
               "`reinstate batch`); nothing appears when no store exists yet."),
        ("code", "from reinstate.history.display import history_view\n\n"
                 "history_view(\"order_defect_rate\", store=store, account=account)"),
        ("md", "Explore interactively: pick a date, channel and metric; the table lists the orders behind it."),
        ("code", "from reinstate.ui import MetricsExplorer\n\nMetricsExplorer(analysis, as_of=as_of, account=account, marketplace=marketplace,\n                out_dir=out, store=store).widget"),
    ],
    "03-root-causes.ipynb": [
        ("md", "# 3 · Root causes, with evidence\n"
               "Tags every defective order and operational miss with its likely cause, then tests each cause "
               "per SKU, carrier, warehouse and period against the rest of the account.\nThe ranked hypotheses "
               "carry the counts, example orders and customer quotes (PII removed) that a Plan of Action quotes."),
        ("params", PARAMETERS),
        ("code", SETUP),
        ("code", "dx = analysis.diagnosis()\nprint(dx.summary())"),
        ("md", "The ranked hypotheses: defects explained, lift over the rest of the account, corrected p-value "
               "and confidence."),
        ("code", "from reinstate.display import hypotheses_styled, statements_view\n\n"
                 "hypotheses_styled(dx)  # every tested scope, with p-values: dx.hypotheses"),
        ("md", "Each cause as the sentence the letter will use."),
        ("code", "statements_view(dx)"),
        ("code", "from reinstate.plots import diagnosis as dplots\n\ndplots.plot_pareto(dx);"),
        ("code", "dplots.plot_defect_heatmap(dx, dimension=\"carrier\");"),
    ],
    "04-appeal-builder.ipynb": [
        ("md", "# 4 · Appeal builder\n"
               "Build the Plan of Action from this account's metrics and diagnosed root causes, check it as a "
               "reviewer would, and export it.\nWork through the five tabs in any order; every change is saved "
               "as a draft under `out/drafts/`, so a restart loses nothing."),
        ("params", PARAMETERS),
        ("code", "import reinstate\n"
                 "from reinstate import session\n"
                 "from reinstate.ui import AppealBuilder\n\n"
                 "data_path, as_of, out_dir = session.from_environment(data_path, as_of, out_dir)  # for Voila\n"
                 "data = reinstate.load(session.data_dir(data_path), marketplace=marketplace)\n"
                 "builder = AppealBuilder(data, as_of=session.default_as_of(data_path, as_of),\n"
                 "                        out_dir=session.out_dir(out_dir), account=account, marketplace=marketplace)\n"
                 "builder.widget"),
        ("md", "A static copy of the letter as it stands (for the HTML export and printing; the builder above "
               "is the live one)."),
        ("code", "from IPython.display import Markdown\n\n"
                 "Markdown(builder.markdown or f\"*Not rendered yet: {builder.render_error}*\")"),
    ],
}


def build(cells):
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in cells:
        if kind == "md":
            nb.cells.append(nbf.v4.new_markdown_cell(source))
        else:
            cell = nbf.v4.new_code_cell(source)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
            nb.cells.append(cell)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:02d}"
    return nb


if __name__ == "__main__":
    for name, cells in NOTEBOOKS.items():
        nbf.write(build(cells), ROOT / "notebooks" / name)
        print("wrote notebooks/" + name)
