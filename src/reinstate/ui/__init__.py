"""Widget apps over the pipeline: ``MetricsExplorer`` and ``AppealBuilder`` (ipywidgets classes).

    from reinstate.ui import AppealBuilder
    AppealBuilder(data, as_of="2026-11-16").widget
"""
from importlib import import_module

_APPS = {"AppealBuilder": ".appeal_builder", "MetricsExplorer": ".metrics_explorer"}
__all__ = ["AppealBuilder", "MetricsExplorer"]


def __getattr__(name):
    if name in _APPS:
        return getattr(import_module(_APPS[name], __name__), name)
    raise AttributeError(f"module 'reinstate.ui' has no attribute {name!r}")
