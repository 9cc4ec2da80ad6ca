"""The loaded data set: the canonical order table plus everything that came with it."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

REJECT_COLUMNS = ("file", "line", "column", "value", "reason")


@dataclass(frozen=True)
class FileReport:
    """What the loader made of one input file."""
    path: str
    format: str          # e.g. "canonical", "amazon_all_orders", "amazon_feedback", "olist_orders"
    rows_read: int
    rows_accepted: int
    rows_rejected: int


@dataclass
class Dataset:
    """Everything ``reinstate.load`` returns.

    orders      canonical order-item table (see ``reinstate.io.schema``)
    messages    buyer messages (message_id, order_id, received_at, responded_at, no_response_needed) or None
    rejects     one row per rejected source row: file, line, column, value, reason
    files       one FileReport per input file
    performance Amazon's own figures (parsed GET_V2_SELLER_PERFORMANCE_REPORT) or None
    """
    orders: pd.DataFrame
    messages: pd.DataFrame | None = None
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(REJECT_COLUMNS)))
    files: list[FileReport] = field(default_factory=list)
    performance: dict | None = None


def orders_of(data) -> pd.DataFrame:
    """Accept a Dataset or a bare canonical DataFrame and return the order table."""
    return data.orders if isinstance(data, Dataset) else data


def messages_of(data) -> pd.DataFrame | None:
    return data.messages if isinstance(data, Dataset) else None
