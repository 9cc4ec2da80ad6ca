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
# Identifiers and codes: never masked (a tracking number is not a phone number).
KEY_COLUMNS = ("order_id", "sku", "asin", "account", "marketplace", "carrier", "tracking_id", "message_id",
               "ship_from", "product_category", "fulfillment_channel", "order_status", "item_status",
               "cancelled_by", "claim_status", "chargeback_type", "chargeback_outcome")

# Both patterns run in linear time: possessive quantifiers never give back what they took, and a match may
# only start where a run of its characters starts, so no position is scanned twice (the old patterns
# backtracked over every start of a long run: a 1 MB cell ran for an hour).
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+")
# A run of digits and the usual phone separators; glued to a word or not ("phone5551234567").
DIGIT_RUN = re.compile(r"[+(]?\d[\d ().\-/]*+")
TOKEN = re.compile(r"[^\s/]+")       # the parts of a run between spaces or slashes
# Vectorised pre-check (RE2, linear): only cells with an '@' or seven digits in one run can hold a contact.
MAYBE_CONTACT = r"@|[0-9](?:[ ().\-/+]*[0-9]){6}"
MIN_DIGITS, MAX_DIGITS = 7, 15
NOT_PHONE = (
    re.compile(r"\d{3}-\d{7}-\d{7}"),                     # Amazon order id
    re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"),         # ISO-ish date
    re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"),       # local date
)
# Normalised names (lower case, '_' and ' ' as '-') and name fragments that always mean buyer PII.
_PII_NAMES = {c.lower().replace("_", "-").replace(" ", "-") for c in PII_COLUMNS}
_PII_FRAGMENT = re.compile(r"e-?mail|phone|buyer-name|recipient|address-[123]|postal-code|^cpf$|customer-id|"
                           r"buyer-company|^name$|^customer-name$|full-name|first-name|last-name|"
                           r"(^|-)address(-line)?(-[0-9])?$|street|ship-city|ship-state|ship-zip|bill-city|"
                           r"bill-state|zip-?code|^zip$|gift-message|delivery-instructions|gift-note")


def is_pii_column(name: str) -> bool:
    """True for buyer-identifying column names (``schema.PII_COLUMNS`` and obvious variants)."""
    norm = re.sub(r"[\s_]+", "-", str(name).strip().lower())
    return norm in _PII_NAMES or bool(_PII_FRAGMENT.search(norm))


def drop_pii_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` without PII columns."""
    return frame.drop(columns=[c for c in frame.columns if is_pii_column(c)])


def _is_phone(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return MIN_DIGITS <= digits <= MAX_DIGITS and not any(p.fullmatch(text.strip("()")) for p in NOT_PHONE)


def _phone_run(match: re.Match) -> str:
    """Mask the phone numbers in one run of digits and separators.

    A run with at most 15 digits is one number. A longer run ("order 114-4892924-3377867 0612345678", two
    numbers side by side) is split at spaces and slashes and its parts grouped left to right into numbers of
    at most 15 digits; each group is masked when it is phone-shaped (7-15 digits, not a date or order id).
    """
    run = match.group(0)
    end = len(run)
    while end and not run[end - 1].isdigit():
        end -= 1
    body, tail = run[:end], run[end:]
    if sum(ch.isdigit() for ch in body) <= MAX_DIGITS:
        return ("[phone]" if _is_phone(body) else body) + tail
    out, last = [], 0
    group: list[int] = []          # [start, end, digits] of the group being built
    for start, stop in _tokens(body):
        text = body[start:stop]
        digits = sum(ch.isdigit() for ch in text)
        barrier = any(p.fullmatch(text.strip("()")) for p in NOT_PHONE)   # a date or order id stays as it is
        if group and (barrier or group[2] + digits > MAX_DIGITS):
            last = _flush(body, group, last, out)
            group = []
        if barrier:
            continue
        group = [group[0] if group else start, stop, (group[2] if group else 0) + digits]
    if group:
        last = _flush(body, group, last, out)
    out.append(body[last:])
    return "".join(out) + tail


def _tokens(body: str):
    """(start, end) of the parts of a run between spaces; a part that is not a date is also split at '/'."""
    for token in re.finditer(r"\S+", body):
        text = token.group(0)
        if "/" in text and not any(p.fullmatch(text.strip("()")) for p in NOT_PHONE):
            for part in TOKEN.finditer(text):
                yield token.start() + part.start(), token.start() + part.end()
        else:
            yield token.start(), token.end()


def _flush(body: str, group: list[int], last: int, out: list[str]) -> int:
    start, stop, _ = group
    text = body[start:stop]
    out.append(body[last:start])
    out.append("[phone]" if _is_phone(text) else text)
    return stop


def mask_text(s: str) -> str:
    """Replace e-mail addresses with ``[email]`` and phone numbers with ``[phone]`` in free text (linear time)."""
    if not isinstance(s, str) or not s:
        return s
    return DIGIT_RUN.sub(_phone_run, EMAIL.sub("[email]", s))


def text_columns(frame: pd.DataFrame) -> list[str]:
    """The columns that may hold typed text: free-text columns and every string column that is not an
    identifier or a code (an extra column such as ``notes`` or ``product-name`` is masked too)."""
    out = []
    for col in frame.columns:
        if col in FREE_TEXT_COLUMNS or col not in KEY_COLUMNS and (pd.api.types.is_string_dtype(frame[col].dtype)
                                         or frame[col].dtype == object):
            out.append(col)
    return out


def mask_series(s: pd.Series) -> pd.Series:
    """``mask_text`` over a string Series; only cells that could hold a contact go through Python."""
    s = s.astype("string")
    maybe = s.str.contains(MAYBE_CONTACT, regex=True).fillna(False).astype(bool)
    if not maybe.any():
        return s
    s = s.copy()
    s[maybe] = s[maybe].map(mask_text).astype("string")
    return s


def mask_columns(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    """A copy of ``frame`` with ``mask_text`` applied to ``columns`` (default: ``text_columns(frame)``)."""
    out = frame.copy()
    for col in (text_columns(out) if columns is None else columns):
        if col in out.columns:
            out[col] = mask_series(out[col])
    return out
