"""Buyer PII never leaves the loader: PII columns are dropped, e-mails and phone numbers in text are masked.

    >>> mask_text("Call me at +1 (206) 555-0100 or mail jo@example.com about 114-4892924-3377867")
    'Call me at [phone] or mail [email] about 114-4892924-3377867'

Amazon order ids, dates and tracking numbers look like phone numbers to a naive pattern; they are kept.
"""
from __future__ import annotations

import re

import pandas as pd

from .schema import PII_COLUMNS

FREE_TEXT_COLUMNS = ("feedback_text", "claim_reason", "return_comment", "return_reason")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of 7-15 digits with the usual phone separators, optionally with a leading + (not part of a word).
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().\-/]{5,}\d(?![\w])")
NOT_PHONE = (
    re.compile(r"\d{3}-\d{7}-\d{7}"),                     # Amazon order id
    re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"),         # ISO-ish date
    re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"),       # local date
)
# Normalised names (lower case, '_' and ' ' as '-') and name fragments that always mean buyer PII.
_PII_NAMES = {c.lower().replace("_", "-").replace(" ", "-") for c in PII_COLUMNS}
_PII_FRAGMENT = re.compile(r"e-?mail|phone|buyer-name|recipient|address-[123]|postal-code|^cpf$|customer-id|"
                           r"buyer-company|^name$|^customer-name$")


def is_pii_column(name: str) -> bool:
    """True for buyer-identifying column names (``schema.PII_COLUMNS`` and obvious variants)."""
    norm = re.sub(r"[\s_]+", "-", str(name).strip().lower())
    return norm in _PII_NAMES or bool(_PII_FRAGMENT.search(norm))


def drop_pii_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` without PII columns."""
    return frame.drop(columns=[c for c in frame.columns if is_pii_column(c)])


def _phone(match: re.Match) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if not 7 <= digits <= 15 or any(p.fullmatch(text.strip("()")) for p in NOT_PHONE):
        return text
    return "[phone]"


def mask_text(s: str) -> str:
    """Replace e-mail addresses with ``[email]`` and phone numbers with ``[phone]`` in free text."""
    if not isinstance(s, str) or not s:
        return s
    return PHONE.sub(_phone, EMAIL.sub("[email]", s))


def mask_columns(frame: pd.DataFrame, columns=FREE_TEXT_COLUMNS) -> pd.DataFrame:
    """A copy of ``frame`` with ``mask_text`` applied to the free-text columns it has."""
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            s = out[col]
            # Only rows that could contain a contact detail go through the Python-level masker.
            maybe = s.str.contains(r"@|[0-9]{3}", regex=True).fillna(False).astype(bool)
            if maybe.any():
                s = s.copy()
                s[maybe] = s[maybe].map(mask_text)
                out[col] = s.astype("string")
    return out
