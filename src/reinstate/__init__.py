"""reinstate: Amazon account-health analysis and Plan of Action toolkit.

The flow is one-way: load -> metrics -> diagnose -> appeal. ``reinstate.analyze`` owns it: the data loaded once,
every derived table computed once and cached.

    a = reinstate.analyze("data/sample", as_of="2026-11-16")   # a reinstate.Analysis
    a.health(); a.trend(days=90); a.diagnosis(); a.appeal("odr")

The stage functions stay available on their own:

    import reinstate
    data = reinstate.load("data/sample")                      # canonical orders + rejects + file reports
    health = reinstate.account_health(data, as_of="2026-11-16")  # tidy metrics table
    dx = reinstate.diagnose(data, as_of="2026-11-16")          # ranked, evidenced root causes
    letter = reinstate.render_letter("odr", context)            # Plan of Action text
    reinstate.lint(letter)                                      # reviewer-style findings
"""
import warnings
from importlib import import_module

# pandera imports pyspark.pandas whenever pyspark is installed (the .[spark] extra), and pyspark warns on
# pandas 3 at that import; reinstate never uses pyspark.pandas, so the warning only adds noise to every command.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

__version__ = "0.1.0"

# Public name -> module that defines it. Imported on first use so `import reinstate` stays fast.
_API = {
    "analyze": "reinstate.analysis",
    "Analysis": "reinstate.analysis",
    "load": "reinstate.io.load",
    "Dataset": "reinstate.dataset",
    "ReinstateError": "reinstate.errors",
    "generate_sample": "reinstate.sample",
    "account_health": "reinstate.metrics.health",
    "drilldown": "reinstate.metrics.health",
    "metric_trend": "reinstate.metrics.trend",
    "recovery_forecast": "reinstate.metrics.forecast",
    "removable_defects": "reinstate.metrics.removable",
    "reconcile": "reinstate.metrics.reconcile",
    "diagnose": "reinstate.diagnosis.engine",
    "build_context": "reinstate.appeal.context",
    "render_letter": "reinstate.appeal.render",
    "lint": "reinstate.appeal.lint",
    "export_letter": "reinstate.appeal.export",
    "export_evidence_pack": "reinstate.appeal.export",
}

__all__ = sorted(_API)


def __getattr__(name):
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'reinstate' has no attribute {name!r}")
