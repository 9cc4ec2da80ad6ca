"""The canonical order table: the data contract every later stage reads.

One row per order item. Order-level fields repeat on every item row of an order and must agree.
The loader (``reinstate.load``) always returns frames with these dtypes:

* ``timestamp`` columns: ``datetime64[ns, UTC]`` (tz-aware, UTC). A source value without an offset is
  marketplace-local time and is converted to UTC at load. A date-only value in a *deadline* column
  (latest_ship_date, latest_delivery_date) means the end of that local day (23:59:59).
* ``string`` columns: pandas ``string`` dtype, missing = ``<NA>``.
* ``int`` columns: pandas ``Int64``; ``bool`` columns: pandas ``boolean``.
* Enumerations are normalised to the spellings in ``ENUMS`` (missing = ``<NA>``).
* ``account`` and ``marketplace`` are always present after loading (filled from the defaults given to
  ``load``); every other optional column may be absent.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "string" | "timestamp" | "int" | "bool" | "enum" | "float"
    required: bool = False
    order_level: bool = False  # same value on every item row of an order
    needed_for: str = ""       # metric that needs it, for "no_data" explanations
    meaning: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("order_id", "string", True, True, meaning="marketplace order id"),
    Column("purchase_date", "timestamp", True, True, meaning="when the order was placed"),
    Column("fulfillment_channel", "enum", True, True, meaning="MFN (seller-fulfilled) or AFN (FBA)"),
    Column("order_status", "enum", True, True, meaning="Shipped, Unshipped, Pending, Cancelled"),
    Column("account", "string", False, True, meaning="seller account / seller id"),
    Column("marketplace", "enum", False, True, meaning="marketplace code, e.g. US, UK, DE, JP, BR"),
    Column("sku", "string", meaning="seller SKU"),
    Column("asin", "string", meaning="ASIN"),
    Column("product_category", "string", meaning="product category"),
    Column("ship_from", "string", False, False, meaning="warehouse / ship-from location"),
    Column("quantity", "int", meaning="units, integer >= 0, default 1"),
    Column("latest_ship_date", "timestamp", False, True, "late_shipment_rate", "ship-by deadline"),
    Column("ship_confirmed_at", "timestamp", False, True, "late_shipment_rate", "shipment confirmation time"),
    Column("cancelled_by", "enum", False, False, "pre_fulfillment_cancel_rate", "seller, buyer or amazon; NA = unknown"),
    Column("carrier", "string", False, True, meaning="carrier name"),
    Column("tracking_id", "string", False, True, meaning="tracking number"),
    Column("tracking_valid", "bool", False, True, "valid_tracking_rate", "carrier-validated tracking"),
    Column("first_scan_at", "timestamp", False, True, "valid_tracking_rate", "first carrier scan"),
    Column("latest_delivery_date", "timestamp", False, True, "on_time_delivery_rate", "promised deliver-by"),
    Column("delivered_at", "timestamp", False, True, "on_time_delivery_rate", "actual delivery"),
    Column("feedback_date", "timestamp", False, True, "order_defect_rate", "seller feedback date"),
    Column("feedback_rating", "int", False, True, "order_defect_rate", "seller feedback 1-5"),
    Column("feedback_text", "string", False, True, meaning="seller feedback comment"),
    Column("feedback_removed", "bool", False, True, "order_defect_rate", "removed by buyer or struck through"),
    Column("claim_date", "timestamp", False, True, meaning="A-to-z claim date"),
    Column("claim_reason", "string", False, True, meaning="A-to-z claim reason"),
    Column("claim_status", "enum", False, True, "order_defect_rate", "A-to-z claim status"),
    Column("chargeback_date", "timestamp", False, True, meaning="chargeback date"),
    Column("chargeback_type", "enum", False, True, "order_defect_rate", "service or fraud"),
    Column("chargeback_outcome", "enum", False, True, "order_defect_rate", "open, won, lost"),
    Column("return_date", "timestamp", meaning="return date"),
    Column("return_reason", "string", meaning="return reason"),
    Column("return_comment", "string", meaning="return comment"),
)

BY_NAME = {c.name: c for c in COLUMNS}
REQUIRED = tuple(c.name for c in COLUMNS if c.required)
TIMESTAMP_COLUMNS = tuple(c.name for c in COLUMNS if c.kind == "timestamp")
DEADLINE_COLUMNS = ("latest_ship_date", "latest_delivery_date")

# Canonical spelling -> accepted spellings (compared case-insensitively).
ENUMS: dict[str, dict[str, tuple[str, ...]]] = {
    "fulfillment_channel": {
        "MFN": ("mfn", "merchant", "fbm", "seller", "default"),
        "AFN": ("afn", "amazon", "fba"),
    },
    "order_status": {
        "Shipped": ("shipped", "delivered", "shipping"),
        "Unshipped": ("unshipped", "partiallyshipped", "partially shipped"),
        "Pending": ("pending", "pendingavailability", "invoiceunconfirmed"),
        "Cancelled": ("cancelled", "canceled"),
    },
    "cancelled_by": {"seller": ("seller", "merchant"), "buyer": ("buyer", "customer"), "amazon": ("amazon", "system")},
    "claim_status": {s: (s, s.replace("_", " "), s.replace("_", "-")) for s in
                     ("open", "granted", "refunded", "denied", "withdrawn", "amazon_funded")},
    "chargeback_type": {"service": ("service",), "fraud": ("fraud",)},
    "chargeback_outcome": {"open": ("open", "pending"), "won": ("won",), "lost": ("lost",)},
}

# Units on one order item: more is a typo or a spreadsheet artefact, not an order (a reject).
MAX_QUANTITY = 10_000
# A tracking number a spreadsheet turned into scientific notation ("1.23E+21"): counted as invalid tracking.
MANGLED_TRACKING_RE = r"^[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+$"

# Separate-file tables (one row per order, merged onto the order items by order_id).
FEEDBACK_COLUMNS = ("feedback_date", "feedback_rating", "feedback_text", "feedback_removed")
CLAIM_COLUMNS = ("claim_date", "claim_reason", "claim_status")
CHARGEBACK_COLUMNS = ("chargeback_date", "chargeback_type", "chargeback_outcome")
RETURN_COLUMNS = ("return_date", "return_reason", "return_comment")

# Buyer messages table (separate file, not merged): one row per message.
MESSAGE_COLUMNS = ("message_id", "order_id", "received_at", "responded_at", "no_response_needed")

# Buyer PII column names seen in Amazon reports; dropped at load unless keep_pii=True.
PII_COLUMNS = (
    "buyer-email", "buyer-name", "buyer-phone-number", "rater email", "rater-email", "recipient-name",
    "ship-address-1", "ship-address-2", "ship-address-3", "ship-phone-number", "ship-postal-code",
    "bill-address-1", "bill-address-2", "bill-address-3", "bill-postal-code", "buyer-company-name",
    "cpf", "customer_id", "buyer_email", "buyer_name", "buyer_phone", "rater_email",
)

# pandas dtype of each column kind (the loader's output contract, see the module docstring).
KIND_DTYPES = {
    "string": "string", "enum": "string", "timestamp": "datetime64[ns, UTC]",
    "int": "Int64", "bool": "boolean", "float": "Float64",
}

# Buyer-messages columns and their kinds (account and marketplace are added at load, as for orders).
MESSAGE_KINDS = {"message_id": "string", "order_id": "string", "received_at": "timestamp",
                 "responded_at": "timestamp", "no_response_needed": "bool"}


def dtype_of(name: str) -> str | None:
    """The pandas dtype ``reinstate.load`` gives a canonical column (None for a non-canonical one)."""
    col = BY_NAME.get(name)
    if col is None:
        kind = MESSAGE_KINDS.get(name)
        return KIND_DTYPES[kind] if kind else None
    return KIND_DTYPES[col.kind]
