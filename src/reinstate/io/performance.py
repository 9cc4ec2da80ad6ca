"""Amazon's own Account Health figures: the GET_V2_SELLER_PERFORMANCE_REPORT JSON, parsed defensively.

``parse_performance(doc, *, account)`` returns a plain dict (this is ``Dataset.performance``)::

    {
      "account": "default",
      "sources": ["path/to/report.json"],
      "account_statuses": {"US": "NORMAL"},              # marketplace code -> status (any string)
      "marketplaces": {
        "US": {
          "marketplace_id": "ATVPDKIKX0DER",
          "account_health_rating": {"status": "GREAT", "score": 428,
                                    "reporting_date_from": Timestamp(UTC), "reporting_date_to": Timestamp(UTC)},
          "metrics": [ <metric entry>, ... ],
          "warning_states": [...],                      # as given
        },
      },
      "unknown_keys": ["performanceMetrics[0].someNewThing", ...],
    }

A *metric entry* is a flat dict, one per Amazon figure::

    {"metric": "order_defect_rate",          # our metric name (see METRIC_NAMES), or the Amazon key
     "key": "orderDefectRate",               # Amazon's key
     "variant": "mfn" | "afn" | "10d" | "30d" | None,   # fulfilment type, or lateShipmentRateList window
     "reporting_date_from": Timestamp(UTC) | None, "reporting_date_to": Timestamp(UTC) | None,
     "counts": {"orderCount": 1200, "orderWithDefects": 9, "claims": 4, ...},   # every numeric/count field
     "component_status": {"claims": "NONE", ...},
     "rate": 0.0075 | None,                  # a fraction (0.0075 = 0.75 %), as Amazon sends it
     "target_value": 0.01 | None, "target_condition": "LESS_THAN" | ... | None,
     "status": "GOOD" | "BAD" | "NONE" | any other string | None}

``performance_frame(perf)`` turns the entries into a tidy DataFrame (one row per entry, with marketplace).
Unknown metric keys are kept as entries under their Amazon key; unknown enum values are kept as strings;
missing fields are None. Nothing here raises on an unexpected shape.
"""
from __future__ import annotations

import pandas as pd

from ..reference import marketplace_code_for_id

METRIC_NAMES = {
    "orderDefectRate": "order_defect_rate", "lateShipmentRate": "late_shipment_rate",
    "lateShipmentRateList": "late_shipment_rate",
    "preFulfillmentCancellationRate": "pre_fulfillment_cancel_rate",
    "prefulfillmentCancelRate": "pre_fulfillment_cancel_rate",
    "validTrackingRate": "valid_tracking_rate", "onTimeDeliveryRate": "on_time_delivery_rate",
    "unitOnTimeDeliveryRate": "unit_on_time_delivery_rate", "invoiceDefectRate": "invoice_defect_rate",
}
# Keys of the published schema (and of real responses) that are not rates: kept as entries, not "unknown".
KNOWN_OTHER = {"listingPolicyViolations", "productAuthenticityCustomerComplaints",
               "productConditionCustomerComplaints", "productSafetyCustomerComplaints",
               "receivedIntellectualPropertyComplaints", "restrictedProductPolicyViolations",
               "suspectedIntellectualPropertyViolations", "foodAndProductSafetyIssues", "otherPolicyViolations",
               "documentRequests", "documentRequest", "policyViolationWarnings",
               "customerProductReviewsPolicyViolations"}


def _ts(value):
    if not isinstance(value, str):
        return None
    ts = pd.to_datetime(value, utc=True, errors="coerce")
    return None if pd.isna(ts) else ts


def _num(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _entry(key: str, obj: dict, variant=None) -> dict:
    rng = obj.get("reportingDateRange") if isinstance(obj.get("reportingDateRange"), dict) else {}
    counts, component_status = {}, {}
    for k, v in obj.items():
        if k in ("rate", "targetValue"):
            continue
        if _num(v) is not None:
            counts[k] = v
        elif isinstance(v, dict) and "count" in v:  # {"count": 4, "status": "NONE"}
            counts[k] = _num(v.get("count"))
            if isinstance(v.get("status"), str):
                component_status[k] = v["status"]
    return {
        "metric": METRIC_NAMES.get(key, key), "key": key, "variant": variant,
        "reporting_date_from": _ts(rng.get("reportingDateFrom")), "reporting_date_to": _ts(rng.get("reportingDateTo")),
        "counts": counts, "component_status": component_status, "rate": _num(obj.get("rate")),
        "target_value": _num(obj.get("targetValue")),
        "target_condition": obj.get("targetCondition") if isinstance(obj.get("targetCondition"), str) else None,
        "status": obj.get("status") if isinstance(obj.get("status"), str) else None,
    }


def _window_variant(entry: dict):
    start, end = entry["reporting_date_from"], entry["reporting_date_to"]
    if start is None or end is None:
        return None
    return f"{round((end - start).total_seconds() / 86400)}d"


def _code(marketplace_id) -> str:
    if not isinstance(marketplace_id, str):
        return "unknown"
    return marketplace_code_for_id(marketplace_id) or marketplace_id


def parse_performance(doc, *, account: str = "default", source: str | None = None) -> dict:
    """Parse a GET_V2_SELLER_PERFORMANCE_REPORT document (see the module docstring for the result)."""
    out = {"account": account, "sources": [source] if source else [], "account_statuses": {},
           "marketplaces": {}, "unknown_keys": []}
    if not isinstance(doc, dict):
        return out
    for status in doc.get("accountStatuses") or []:
        if isinstance(status, dict):
            out["account_statuses"][_code(status.get("marketplaceId"))] = status.get("status")
    for i, block in enumerate(doc.get("performanceMetrics") or []):
        if not isinstance(block, dict):
            continue
        code = _code(block.get("marketplaceId"))
        market = out["marketplaces"].setdefault(code, {"marketplace_id": block.get("marketplaceId"),
                                                       "account_health_rating": None, "metrics": [],
                                                       "warning_states": []})
        for key, value in block.items():
            if key == "accountHealthRating" and isinstance(value, dict):
                rng = value.get("reportingDateRange") if isinstance(value.get("reportingDateRange"), dict) else {}
                market["account_health_rating"] = {
                    "status": value.get("ahrStatus", value.get("accountHealthRatingStatus")),
                    "score": _num(value.get("ahrScore")),
                    "reporting_date_from": _ts(rng.get("reportingDateFrom")),
                    "reporting_date_to": _ts(rng.get("reportingDateTo"))}
            elif key in ("warningStates", "warningState"):
                market["warning_states"] = value if isinstance(value, list) else [value]
            elif key == "marketplaceId":
                continue
            elif key == "orderDefectRate" and isinstance(value, dict) and ("mfn" in value or "afn" in value):
                for variant, sub in value.items():
                    if isinstance(sub, dict):
                        market["metrics"].append(_entry(key, sub, variant))
            elif key == "lateShipmentRateList" and isinstance(value, list):
                for sub in value:
                    if isinstance(sub, dict):
                        entry = _entry(key, sub)
                        entry["variant"] = _window_variant(entry)
                        market["metrics"].append(entry)
            elif isinstance(value, dict):
                market["metrics"].append(_entry(key, value))
                if key not in METRIC_NAMES and key not in KNOWN_OTHER:
                    out["unknown_keys"].append(f"performanceMetrics[{i}].{key}")
            else:
                out["unknown_keys"].append(f"performanceMetrics[{i}].{key}")
    return out


def merge_performance(a: dict | None, b: dict) -> dict:
    """Combine two parsed reports (several marketplaces or files); the later file wins per marketplace."""
    if a is None:
        return b
    return {"account": a["account"], "sources": a["sources"] + b["sources"],
            "account_statuses": {**a["account_statuses"], **b["account_statuses"]},
            "marketplaces": {**a["marketplaces"], **b["marketplaces"]},
            "unknown_keys": a["unknown_keys"] + b["unknown_keys"]}


def performance_frame(perf: dict | None) -> pd.DataFrame:
    """One row per metric entry: marketplace, metric, key, variant, dates, rate, target, status, counts."""
    rows = []
    for code, market in ((perf or {}).get("marketplaces") or {}).items():
        for e in market["metrics"]:
            rows.append({"marketplace": code, **{k: v for k, v in e.items() if k not in ("counts", "component_status")},
                         **{f"count_{k}": v for k, v in e["counts"].items()}})
    return pd.DataFrame(rows)
