"""Files already in the canonical layout (orders, the per-order defect files, buyer messages).

Header names are matched to the schema case-insensitively, with dashes or spaces for underscores
(``Order-ID`` is ``order_id``); other columns are kept under their own names.
"""
from __future__ import annotations

import pandas as pd

from ..errors import InputFileError
from . import schema
from .read import RawTable
from .sniff import canonical_name

REQUIRED = {
    "canonical": schema.REQUIRED,
    "canonical_feedback": ("order_id",), "canonical_claims": ("order_id",),
    "canonical_chargebacks": ("order_id",), "canonical_returns": ("order_id",),
    "messages": ("message_id", "order_id", "received_at"),
}
KNOWN = set(schema.BY_NAME) | set(schema.MESSAGE_KINDS)


def to_canonical(raw: RawTable) -> pd.DataFrame:
    """Rename canonical-looking headers to their schema names."""
    renames, taken = {}, {}
    for col in raw.frame.columns:
        name = canonical_name(col)
        if name in KNOWN:
            if name in taken:
                raise InputFileError(raw.path, f"two columns mean the same thing ('{taken[name]}' and '{col}')",
                                     line=1, column=str(col), expected=f"one column named {name}")
            taken[name] = col
            renames[col] = name
    return raw.frame.rename(columns=renames)
