"""Matplotlib figures: every ``plot_*(data, *, ax=None) -> Axes``; no global state."""
