"""The loaded data set: the canonical order table plus everything that came with it."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

REJECT_COLUMNS = ("file", "line", "column", "value", "reason")


@dataclass(frozen=True)
class FileReport:
    """What the loader made of one input file.

    ``rows_read == rows_accepted + rows_rejected`` always; ``rows_unmatched`` (part of the accepted rows) are
    well-formed per-order rows (feedback, claims, returns, messages) whose order is not in the loaded order
    files: kept in ``Dataset.unmatched``, counted in no metric. ``status`` is "ok", "error" (the file could not
    be used; ``reason`` says why) or "skipped" (in a folder but not an export; ``reason`` says why).
    """
    path: str
    format: str          # e.g. "canonical", "amazon_all_orders", "amazon_feedback", "olist_orders"
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_unmatched: int = 0
    status: str = "ok"
    reason: str = ""


@dataclass
class Dataset:
    """Everything ``reinstate.load`` returns.

    orders      canonical order-item table (see ``reinstate.io.schema``)
    messages    buyer messages (message_id, order_id, received_at, responded_at, no_response_needed) or None
    rejects     one row per rejected source row: file, line, column, value, reason
    files       one FileReport per input file
    performance Amazon's own figures (parsed GET_V2_SELLER_PERFORMANCE_REPORT) or None
    unmatched   accepted per-order rows whose order was not loaded (file, line, kind, order_id and their
                columns); ``reinstate.load(..., unmatched=data.unmatched)`` matches them to new order files
    """
    orders: pd.DataFrame
    messages: pd.DataFrame | None = None
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(REJECT_COLUMNS)))
    files: list[FileReport] = field(default_factory=list)
    performance: dict | None = None
    unmatched: pd.DataFrame | None = None


def orders_of(data) -> pd.DataFrame:
    """Accept a Dataset or a bare canonical DataFrame and return the order table."""
    return data.orders if isinstance(data, Dataset) else data


def messages_of(data) -> pd.DataFrame | None:
    return data.messages if isinstance(data, Dataset) else None
