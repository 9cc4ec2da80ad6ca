"""Metric history: what Account Health showed on past days, kept in an embedded DuckDB file.

Amazon's API only gives today's figures; ``save_snapshot`` keeps each day's ``account_health`` rows so that
``snapshots`` and ``compare`` can show how an account moved. See ``store`` for the table and the rules.
"""
from .store import compare, default_store, save_snapshot, snapshots

__all__ = ["compare", "default_store", "save_snapshot", "snapshots"]
