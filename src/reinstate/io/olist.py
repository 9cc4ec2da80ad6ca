"""The public Olist (Brazil) marketplace data set -> canonical column names.

Mapping (see the Olist README in the shared reference data):

==========================================  =========================================================
canonical                                   Olist
==========================================  =========================================================
order_id, purchase_date                     orders.order_id, order_purchase_timestamp
order_status                                canceled/unavailable -> Cancelled; delivered/shipped ->
                                            Shipped; anything else -> Pending
ship_confirmed_at                           orders.order_delivered_carrier_date
delivered_at                                orders.order_delivered_customer_date
latest_delivery_date                        orders.order_estimated_delivery_date (a midnight value is a
                                            date: the end of that local day)
account                                     order_items.seller_id (one order can belong to several)
sku, latest_ship_date                       order_items.product_id, shipping_limit_date; quantity 1/row
feedback_rating, feedback_text,             reviews.review_score, title + message, review_creation_date
feedback_date
product_category                            products.product_category_name, in English when the
                                            translation table is loaded too
marketplace, fulfillment_channel            BR, MFN
==========================================  =========================================================

Timestamps carry no offset: they are America/Sao_Paulo local time (the BR marketplace zone).
"""
from __future__ import annotations

import pandas as pd

from .coerce import clean_strings
from .read import RawTable
from .sniff import canonical_name

STATUS = {"canceled": "Cancelled", "unavailable": "Cancelled", "delivered": "Shipped", "shipped": "Shipped"}
RENAMES = {
    "olist_orders": {"order_purchase_timestamp": "purchase_date", "order_delivered_carrier_date": "ship_confirmed_at",
                     "order_delivered_customer_date": "delivered_at",
                     "order_estimated_delivery_date": "latest_delivery_date"},
    "olist_order_items": {"product_id": "sku", "seller_id": "account", "shipping_limit_date": "latest_ship_date"},
    "olist_reviews": {"review_score": "feedback_rating", "review_creation_date": "feedback_date"},
    "olist_products": {"product_id": "sku", "product_category_name": "product_category"},
    "olist_category_translation": {},
}
REQUIRED = {
    "olist_orders": ("order_id", "order_status", "order_purchase_timestamp"),
    "olist_order_items": ("order_id", "product_id", "seller_id"),
    "olist_reviews": ("order_id", "review_score"),
    "olist_products": ("product_id", "product_category_name"),
    "olist_category_translation": ("product_category_name", "product_category_name_english"),
}


def to_canonical(raw: RawTable, fmt: str) -> pd.DataFrame:
    """Rename one Olist file's columns; order files get marketplace BR and channel MFN."""
    frame = raw.frame.rename(columns=lambda c: canonical_name(c))
    frame = frame.rename(columns=RENAMES[fmt])
    if fmt == "olist_orders":
        status = clean_strings(frame["order_status"]).str.lower()
        frame["order_status"] = status.map(STATUS, na_action="ignore").fillna(
            status.mask(status.notna(), "Pending")).astype("string")
        if "latest_delivery_date" in frame.columns:
            est = clean_strings(frame["latest_delivery_date"])
            frame["latest_delivery_date"] = est.str.replace(r" 00:00:00$", "", regex=True)
        frame["fulfillment_channel"] = "MFN"
    if fmt in ("olist_orders", "olist_order_items", "olist_reviews"):
        frame["marketplace"] = "BR"  # also sets the time zone of the naive timestamps
    if fmt == "olist_order_items":
        frame["quantity"] = "1"
    if fmt == "olist_reviews":
        title = clean_strings(frame.pop("review_comment_title")) if "review_comment_title" in frame else None
        message = clean_strings(frame.pop("review_comment_message")) if "review_comment_message" in frame else None
        if title is not None and message is not None:
            text = (title + ": " + message).fillna(title).fillna(message)
        else:
            text = title if title is not None else message
        if text is not None:
            frame["feedback_text"] = text
        frame = frame.drop(columns=[c for c in ("review_answer_timestamp",) if c in frame.columns])
    return frame


def category_lookup(products: pd.DataFrame | None, translation: pd.DataFrame | None) -> pd.Series | None:
    """sku -> product category (English when the translation table is there)."""
    if products is None:
        return None
    cats = products.dropna(subset=["sku"]).drop_duplicates("sku").set_index("sku")["product_category"]
    if translation is not None:
        english = translation.dropna().drop_duplicates("product_category_name").set_index(
            "product_category_name")["product_category_name_english"]
        cats = cats.map(english, na_action="ignore").fillna(cats)
    return cats.astype("string")
