"""Which export is this? Recognise a file's format from its header (and, for one report, its rows).

``sniff(raw)`` returns one of ``FORMATS``. Amazon reports are recognised by header *names* (column order
changes between report versions); the seller feedback report is the exception: its header is translated
per marketplace, so it is recognised by its English header or by its shape (6 or 9 columns, a 1-5 rating
in column 2 and an Amazon order id in column 5 or 7). Canonical files are recognised by the column names
of ``reinstate.io.schema`` (also written with dashes or spaces, any case).
"""
from __future__ import annotations

import re

from ..errors import InputFileError
from . import schema
from .read import RawTable

# Format name -> one-line description (used in "unknown format" messages and the README).
FORMATS: dict[str, str] = {
    "canonical": "order items with order_id, purchase_date, fulfillment_channel, order_status (CSV/TSV/Parquet)",
    "canonical_feedback": "order_id + feedback_date, feedback_rating, feedback_text, feedback_removed",
    "canonical_claims": "order_id + claim_date, claim_reason, claim_status",
    "canonical_chargebacks": "order_id + chargeback_date, chargeback_type, chargeback_outcome",
    "canonical_returns": "order_id + return_date, return_reason, return_comment",
    "messages": "message_id, order_id, received_at, responded_at, no_response_needed",
    "amazon_all_orders": "All Orders report (amazon-order-id, purchase-date, order-status, fulfillment-channel ...)",
    "amazon_archived_orders": "Archived Orders report (All Orders columns + is-replacement-order ...)",
    "amazon_order_report": "Order report (order-id, order-item-id, latest-ship-date, latest-delivery-date ...)",
    "amazon_unshipped_orders": "Unshipped Orders report (order-id, order-item-id, promise-date ...)",
    "amazon_fulfilled_shipments": "FBA Amazon Fulfilled Shipments (amazon-order-id, shipment-date, carrier, "
                                  "tracking-number ...)",
    "amazon_feedback": "Seller Feedback report (Date, Rating, Comments, Your Response, Order ID, Rater Email)",
    "amazon_performance_report": "GET_V2_SELLER_PERFORMANCE_REPORT JSON (performanceMetrics ...)",
    "olist_orders": "Olist olist_orders_dataset.csv",
    "olist_order_items": "Olist olist_order_items_dataset.csv",
    "olist_reviews": "Olist olist_order_reviews_dataset.csv",
    "olist_products": "Olist olist_products_dataset.csv",
    "olist_category_translation": "Olist product_category_name_translation.csv",
}

SUPPLEMENT_FORMATS = {
    "canonical_feedback": schema.FEEDBACK_COLUMNS, "canonical_claims": schema.CLAIM_COLUMNS,
    "canonical_chargebacks": schema.CHARGEBACK_COLUMNS, "canonical_returns": schema.RETURN_COLUMNS,
}
FEEDBACK_HEADER = ("date", "rating", "comments", "your response", "order id", "rater email")
FEEDBACK_MANAGER_HEADER = ("date", "rating", "comments", "arrived on time", "item as described",
                           "customer service", "order id", "rater email", "rater role")
AMAZON_ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")


def canonical_name(header: str) -> str:
    """'Order-ID ' -> 'order_id': how a canonical-file header is compared with the schema."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def amazon_name(header: str) -> str:
    return header.strip().lower()


def _is_feedback(raw: RawTable) -> bool:
    names = tuple(h.strip().lower() for h in raw.frame.columns)
    if names in (FEEDBACK_HEADER, FEEDBACK_MANAGER_HEADER):
        return True
    width = len(names)
    if width not in (6, 9) or raw.frame.empty:
        return False
    head = raw.frame.head(20)
    rating, order = head.iloc[:, 1], head.iloc[:, 4 if width == 6 else 6]
    return bool(rating.dropna().astype(str).str.strip().str.fullmatch(r"[1-5]").all()
                and order.dropna().astype(str).str.strip().str.fullmatch(AMAZON_ORDER_ID.pattern).any())


def sniff(raw: RawTable) -> str:
    """Name the format of a file already read by ``read_file``; ``InputFileError`` when none fits."""
    if raw.json is not None:
        doc = raw.json
        if isinstance(doc, dict) and ("performanceMetrics" in doc or "accountStatuses" in doc):
            return "amazon_performance_report"
        raise _unknown(raw, "a JSON document without performanceMetrics")
    amz = {amazon_name(c) for c in raw.frame.columns}
    can = {canonical_name(c) for c in raw.frame.columns}

    # Olist (snake_case names that are not canonical ones).
    if {"product_category_name", "product_category_name_english"} <= can:
        return "olist_category_translation"
    if {"review_id", "review_score"} <= can:
        return "olist_reviews"
    if {"order_item_id", "seller_id"} <= can or {"shipping_limit_date", "seller_id"} <= can:
        return "olist_order_items"
    if "order_purchase_timestamp" in can or {"customer_id", "order_status", "order_id"} <= can:
        return "olist_orders"
    if "product_id" in can and "product_category_name" in can:
        return "olist_products"

    # Amazon flat files (kebab-case names).
    if "amazon-order-id" in amz:
        if {"shipment-date", "tracking-number"} & amz or "shipment-id" in amz:
            return "amazon_fulfilled_shipments"
        if {"is-replacement-order", "is-heavy-or-bulky", "customized-url", "ship-promotion-id"} & amz:
            return "amazon_archived_orders"
        return "amazon_all_orders"
    if "order-id" in amz and ("order-item-id" in amz or "promise-date" in amz or "latest-ship-date" in amz):
        if {"promise-date", "days-past-promise", "quantity-to-ship"} & amz:
            return "amazon_unshipped_orders"
        return "amazon_order_report"
    if _is_feedback(raw):
        return "amazon_feedback"

    # Canonical tables.
    if {"message_id", "received_at"} <= can:
        return "messages"
    if "order_id" in can:
        order_cols = {c.name for c in schema.COLUMNS} - {"order_id", "account", "marketplace"} \
            - {c for cols in SUPPLEMENT_FORMATS.values() for c in cols}
        if can & order_cols:
            return "canonical"
        hits = {fmt: len(can & set(cols)) for fmt, cols in SUPPLEMENT_FORMATS.items()}
        best = max(hits, key=hits.get)
        if hits[best]:
            return best
    raise _unknown(raw)


def _unknown(raw: RawTable, what: str | None = None) -> InputFileError:
    cols = list(map(str, raw.frame.columns))
    found = what or ("header columns " + ", ".join(cols[:8]) + (" ..." if len(cols) > 8 else ""))
    if len(cols) == 1 and re.search(r"[;,\t|]", cols[0]):
        sep = next(s for s in (";", ",", "\t", "|") if s in cols[0])
        name = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe"}[sep]
        return InputFileError(raw.path, f"wrong delimiter: the header is one column containing {name}s "
                                        f"({cols[0][:60]!r})", line=1,
                              expected="columns separated by tab, comma or semicolon (not inside quotes)")
    return InputFileError(raw.path, f"unrecognised format: {found}", line=1,
                          expected="one of the recognised formats: " + "; ".join(
                              f"{k} = {v}" for k, v in FORMATS.items()))
