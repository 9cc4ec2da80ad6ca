"""Plumbing shared by the two widget apps."""
from __future__ import annotations

from contextlib import contextmanager


class WidgetApp:
    """Filling widgets from state must not fire their change handlers: handlers return early while quiet."""

    _quiet = 0

    @contextmanager
    def quiet(self):
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def _follow_account(self):
        """After an account change: offer that account's marketplaces and select the first."""
        with self.quiet():
            markets = self.analysis.marketplaces(self.account)
            self.w_marketplace.options = markets
            self.marketplace = markets[0] if markets else None
            self.w_marketplace.value = self.marketplace
