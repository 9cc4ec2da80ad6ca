"""Amazon Seller Central flat files -> canonical column names (values still strings).

Columns are mapped by header name (report versions reorder and add columns); unmapped columns are kept
under their original names. The seller feedback report is read by position because its header is
translated per marketplace.

=============================  ============================================================================
report                         mapping
=============================  ============================================================================
All Orders / Archived Orders   amazon-order-id, purchase-date, order-status ("Shipped - Delivered to Buyer"
                               -> Shipped), fulfillment-channel (Amazon/Merchant), sku, asin, quantity,
                               item-status -> item_status, sales-channel (Amazon.de) -> marketplace
Order report (shipping)        order-id, purchase-date, sku, quantity-purchased, latest-ship-date,
                               latest-delivery-date; status Unshipped and channel MFN unless given
Unshipped Orders               as the order report; promise-date -> latest_ship_date (Amazon's expected
                               ship date); status Unshipped, channel MFN
FBA Amazon Fulfilled Shipments amazon-order-id, purchase-date, shipment-date -> ship_confirmed_at, carrier,
                               tracking-number -> tracking_id, fulfillment-center-id -> ship_from,
                               quantity-shipped -> quantity; status Shipped, channel AFN
Seller Feedback                by position: date (locale format of the marketplace), rating, comments ->
                               feedback_text, (your response: dropped), order id, (rater email: PII)
=============================  ============================================================================
"""
from __future__ import annotations

import re

import pandas as pd

from ..reference import marketplaces
from .coerce import clean_strings, parse_local_date
from .read import RawTable

COMMON = {
    "amazon-order-id": "order_id", "order-id": "order_id", "purchase-date": "purchase_date",
    "order-status": "order_status", "fulfillment-channel": "fulfillment_channel", "sku": "sku", "asin": "asin",
    "item-status": "item_status", "latest-ship-date": "latest_ship_date",
    "latest-delivery-date": "latest_delivery_date", "carrier": "carrier", "tracking-number": "tracking_id",
}
RENAMES = {
    "amazon_all_orders": {**COMMON, "quantity": "quantity"},
    "amazon_archived_orders": {**COMMON, "quantity": "quantity"},
    "amazon_order_report": {**COMMON, "quantity-purchased": "quantity"},
    "amazon_unshipped_orders": {**COMMON, "quantity-purchased": "quantity", "promise-date": "latest_ship_date"},
    "amazon_fulfilled_shipments": {**COMMON, "quantity-shipped": "quantity", "shipment-date": "ship_confirmed_at",
                                   "fulfillment-center-id": "ship_from"},
}
DEFAULTS = {
    "amazon_order_report": {"order_status": "Unshipped", "fulfillment_channel": "MFN"},
    "amazon_unshipped_orders": {"order_status": "Unshipped", "fulfillment_channel": "MFN"},
    "amazon_fulfilled_shipments": {"order_status": "Shipped", "fulfillment_channel": "AFN"},
}
# The FBA shipments report only lists Amazon-fulfilled shipments, whatever its channel column says.
FORCED = {"amazon_fulfilled_shipments": {"fulfillment_channel": "AFN"}}
REQUIRED = {
    "amazon_all_orders": ("amazon-order-id", "purchase-date", "order-status", "fulfillment-channel"),
    "amazon_archived_orders": ("amazon-order-id", "purchase-date", "order-status", "fulfillment-channel"),
    "amazon_order_report": ("order-id", "purchase-date"),
    "amazon_unshipped_orders": ("order-id", "purchase-date"),
    "amazon_fulfilled_shipments": ("amazon-order-id", "purchase-date"),
}
FEEDBACK_POSITIONS = {6: {0: "feedback_date", 1: "feedback_rating", 2: "feedback_text", 4: "order_id",
                          5: "rater_email"},
                      9: {0: "feedback_date", 1: "feedback_rating", 2: "feedback_text", 6: "order_id",
                          7: "rater_email"}}
# Amazon replaces the comment of feedback it strikes through (FBA orders) with a note like this one.
STRUCK_THROUGH = re.compile(r"fulfilled by amazon,? and we take responsibility|feedback (?:has been|was) "
                            r"removed|struck through", re.IGNORECASE)


def to_canonical(raw: RawTable, fmt: str, *, marketplace: str, keep_pii: bool = False) -> pd.DataFrame:
    """Rename an Amazon order-type report to canonical names and add the report's implied values."""
    if fmt == "amazon_feedback":
        return feedback_to_canonical(raw, marketplace=marketplace, keep_pii=keep_pii)
    renames = RENAMES[fmt]
    frame = raw.frame.rename(columns={c: renames.get(c.strip().lower(), c) for c in raw.frame.columns})
    if "order_status" in frame.columns:
        # Detailed statuses such as "Shipped - Delivered to Buyer" keep their main part.
        frame["order_status"] = clean_strings(frame["order_status"]).str.split(" - ").str[0]
    if "item_status" in frame.columns:
        frame["item_status"] = clean_strings(frame["item_status"]).str.split(" - ").str[0]
    if "sales-channel" in frame.columns and "marketplace" not in frame.columns:
        domains = {d.lower(): code for code, d in marketplaces()["domain"].items()}
        frame["marketplace"] = clean_strings(frame["sales-channel"]).str.lower().map(
            domains, na_action="ignore").astype("string")
    for col, value in DEFAULTS.get(fmt, {}).items():
        if col not in frame.columns:
            frame[col] = value
    for col, value in FORCED.get(fmt, {}).items():
        frame[col] = value
    return frame


def feedback_to_canonical(raw: RawTable, *, marketplace: str, keep_pii: bool = False) -> pd.DataFrame:
    """The seller feedback report, by position (6-column report or 9-column Feedback Manager download)."""
    positions = FEEDBACK_POSITIONS[raw.frame.shape[1]]
    frame = pd.DataFrame({name: raw.frame.iloc[:, i] for i, name in positions.items()})
    if not keep_pii:
        frame = frame.drop(columns="rater_email")
    order = marketplaces().at[marketplace, "feedback_date_order"] if marketplace in marketplaces().index else "MDY"
    frame["feedback_date"] = parse_local_date(frame["feedback_date"], order)
    text = clean_strings(frame["feedback_text"])
    frame["feedback_removed"] = text.str.contains(STRUCK_THROUGH, regex=True).fillna(False).map(
        {True: "true", False: "false"})
    return frame


def collapse_shipments(frame: pd.DataFrame) -> pd.DataFrame:
    """Make an FBA shipments table's order-level columns agree within each order.

    An FBA order split into several shipments has one row per shipment item with different dates and
    tracking numbers. The order counts as confirmed when its last shipment was (latest shipment-date);
    carrier and tracking id come from that same shipment.
    """
    if "ship_confirmed_at" not in frame.columns or frame.empty:
        return frame
    key = "order_id"
    multi = frame[key].duplicated(keep=False)
    if not multi.any():
        return frame
    out = frame.copy()
    part = out[multi]
    last = part.sort_values("ship_confirmed_at", na_position="first").drop_duplicates(key, keep="last")
    last = last.set_index(key)
    for col in ("ship_confirmed_at", "carrier", "tracking_id"):
        if col in out.columns:
            out.loc[multi, col] = part[key].map(last[col]).astype(out[col].dtype)
    return out
