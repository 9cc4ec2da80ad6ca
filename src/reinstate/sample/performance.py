"""Amazon's own view of the sample: a GET_V2_SELLER_PERFORMANCE_REPORT (performance.json) to reconcile against.

Built from the written sample itself, so it agrees with our figures on every metric except one, for a reason
real sellers meet: Amazon's ``onTimeDeliveryRate`` counts *shipments* (orders with valid tracking), while we
compute the On-Time Delivery Rate over *units*, as the ``unitOnTimeDeliveryRate`` figure does (which matches).
The sample's README documents this; ``reinstate metrics data/sample`` shows the reconciliation.
"""
from __future__ import annotations

import pandas as pd

from ..reference import marketplaces, timezone_of

_COMPONENTS = {"negative_feedback_rate": "negativeFeedback", "a_to_z_claim_rate": "claims",
               "chargeback_rate": "chargebacks"}


def _range(row) -> dict:
    return {"reportingDateFrom": f"{row['window_start']:%Y-%m-%d}T00:00:00Z",
            "reportingDateTo": f"{row['window_end']:%Y-%m-%d}T23:59:59Z"}


def _status(row) -> str:
    return "BAD" if row["status"] == "breached" else "GOOD"


def _target(row) -> dict:
    condition = {"<": "LESS_THAN", ">": "GREATER_THAN", ">=": "GREATER_THAN_OR_EQUAL", "<=": "LESS_THAN_OR_EQUAL"}
    return {"targetValue": float(row["target"]), "targetCondition": condition.get(row["condition"], row["condition"])}


def _rate(num: int, den: int) -> float:
    return round(num / den, 6) if den else 0.0


def shipment_on_time(orders: pd.DataFrame, row, tz: str) -> tuple[int, int]:
    """Amazon's shipment count for ``onTimeDeliveryRate``: MFN orders with valid tracking whose delivery
    deadline falls in the window (local days), and how many of them arrived by that deadline."""
    o = orders[(orders["fulfillment_channel"] == "MFN") & orders["tracking_valid"].fillna(False).astype(bool)
               & orders["latest_delivery_date"].notna()].drop_duplicates("order_id")
    day = o["latest_delivery_date"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    o = o[(day >= row["window_start"]) & (day <= row["window_end"])]
    on_time = (o["delivered_at"].notna() & (o["delivered_at"] <= o["latest_delivery_date"])).sum()
    return int(on_time), len(o)


def performance_report(data, *, as_of, marketplace: str = "US") -> dict:
    """The report document (a dict ready for json.dump) for the loaded sample ``data`` as of ``as_of``."""
    from ..metrics.health import account_health

    health = account_health(data, as_of=as_of, marketplace=marketplace)
    rows = {(r["metric"], r["channel"], int(r["window_days"])): r for r in health.to_dict("records")}
    block: dict = {"marketplaceId": marketplaces().at[marketplace, "marketplace_id"]}
    odr = {}
    for channel in ("MFN", "AFN"):
        r = rows.get(("order_defect_rate", channel, 60))
        if r is None:
            continue
        entry = {"reportingDateRange": _range(r), "orderCount": int(r["denominator"]),
                 "orderWithDefects": {"count": int(r["numerator"]), "status": _status(r)}}
        for metric, key in _COMPONENTS.items():
            c = rows[(metric, channel, 60)]
            entry[key] = {"count": int(c["numerator"]), "status": "NONE"}
        entry.update({"fulfillmentType": channel.lower(), "status": _status(r), "rate": _rate(r["numerator"],
                      r["denominator"]), **_target(r)})
        odr[channel.lower()] = entry
    block["orderDefectRate"] = odr

    def simple(r, num_key, den_key) -> dict:
        return {"reportingDateRange": _range(r), den_key: int(r["denominator"]), num_key: int(r["numerator"]),
                "status": _status(r), "rate": _rate(r["numerator"], r["denominator"]), **_target(r)}

    late = [simple(rows[("late_shipment_rate", "MFN", d)], "lateShipmentCount", "orderCount") for d in (10, 30)
            if ("late_shipment_rate", "MFN", d) in rows]
    if late:
        block["lateShipmentRate"] = late[-1]
        block["lateShipmentRateList"] = late
    if ("pre_fulfillment_cancel_rate", "MFN", 7) in rows:
        block["preFulfillmentCancellationRate"] = simple(rows[("pre_fulfillment_cancel_rate", "MFN", 7)],
                                                          "cancellationCount", "orderCount")
    if ("valid_tracking_rate", "MFN", 30) in rows:
        block["validTrackingRate"] = simple(rows[("valid_tracking_rate", "MFN", 30)], "validTrackingCount",
                                            "shipmentCount")
    if ("on_time_delivery_rate", "MFN", 14) in rows:
        r = rows[("on_time_delivery_rate", "MFN", 14)]
        block["unitOnTimeDeliveryRate"] = simple(r, "unitOnTimeDeliveryCount", "totalUnitCount")
        on_time, shipments = shipment_on_time(data.orders, r, timezone_of(marketplace))
        block["onTimeDeliveryRate"] = {"reportingDateRange": _range(r), "shipmentCountWithValidTracking": shipments,
                                       "onTimeDeliveryCount": on_time,
                                       "status": "BAD" if _rate(on_time, shipments) < r["target"] else "GOOD",
                                       "rate": _rate(on_time, shipments), **_target(r)}
    return {"accountStatuses": [{"marketplaceId": block["marketplaceId"], "status": "AT_RISK"
                                 if (health["status"] == "breached").any() else "NORMAL"}],
            "performanceMetrics": [block]}
