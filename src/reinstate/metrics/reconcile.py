"""Amazon's own figures (GET_V2_SELLER_PERFORMANCE_REPORT) next to ours, over Amazon's own date ranges.

Each of Amazon's reporting date ranges is read as local calendar days (the date part of ``reportingDateFrom`` and
``reportingDateTo``, which Amazon writes as 00:00:00Z and 23:59:59Z), and our figure is recomputed over exactly
those days. When the two differ, ``likely_reason`` names the most probable cause: a missing input file, orders
outside the export, the denominator choice (cancelled orders), or a different unit of count.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..errors import ConfigError
from ..io.performance import parse_performance
from .flags import missing_columns
from .health import all_events, prepare
from .rules import day_number

RECONCILE_COLUMNS = ["account", "marketplace", "metric", "channel", "window_days", "window_start", "window_end",
                     "amazon_numerator", "amazon_denominator", "amazon_rate", "amazon_status", "our_numerator",
                     "our_denominator", "our_rate", "difference", "likely_reason"]

# Amazon key -> [(our metric, numerator count, denominator count, uses Amazon's own "rate")]
_MAP = {
    "orderDefectRate": [("order_defect_rate", "orderWithDefects", "orderCount", True),
                        ("negative_feedback_rate", "negativeFeedback", "orderCount", False),
                        ("a_to_z_claim_rate", "claims", "orderCount", False),
                        ("chargeback_rate", "chargebacks", "orderCount", False)],
    "lateShipmentRate": [("late_shipment_rate", "lateShipmentCount", "orderCount", True)],
    "lateShipmentRateList": [("late_shipment_rate", "lateShipmentCount", "orderCount", True)],
    "preFulfillmentCancellationRate": [("pre_fulfillment_cancel_rate", "cancellationCount", "orderCount", True)],
    "prefulfillmentCancelRate": [("pre_fulfillment_cancel_rate", "cancellationCount", "orderCount", True)],
    "validTrackingRate": [("valid_tracking_rate", "validTrackingCount", "shipmentCount", True)],
    "unitOnTimeDeliveryRate": [("on_time_delivery_rate", "unitOnTimeDeliveryCount", "totalUnitCount", True)],
    "onTimeDeliveryRate": [("on_time_delivery_rate", "onTimeDeliveryCount", "shipmentCountWithValidTracking", True)],
}
_BASIS = {"order_defect_rate": "purchase_date", "negative_feedback_rate": "purchase_date",
          "a_to_z_claim_rate": "purchase_date", "chargeback_rate": "purchase_date",
          "pre_fulfillment_cancel_rate": "purchase_date", "late_shipment_rate": "latest_ship_date",
          "valid_tracking_rate": "latest_delivery_date", "on_time_delivery_rate": "latest_delivery_date"}


def _parsed(performance) -> dict:
    if isinstance(performance, dict) and "marketplaces" in performance:
        return performance
    if isinstance(performance, dict) and ("performanceMetrics" in performance or "accountStatuses" in performance):
        return parse_performance(performance)
    raise ConfigError("performance: expected a GET_V2_SELLER_PERFORMANCE_REPORT JSON object "
                      "(with performanceMetrics) or reinstate's parsed form (with marketplaces)")


def _amazon_rows(perf: dict, marketplace) -> pd.DataFrame:
    rows = []
    for code, market in perf.get("marketplaces", {}).items():
        if marketplace is not None and code != marketplace:
            continue
        for e in market.get("metrics", []):
            start, end = e.get("reporting_date_from"), e.get("reporting_date_to")
            if e.get("key") not in _MAP or start is None or end is None:
                continue
            channel = (e.get("variant") or "mfn").upper() if e["key"] == "orderDefectRate" else "MFN"
            for metric, num_key, den_key, own_rate in _MAP[e["key"]]:
                num, den = e["counts"].get(num_key), e["counts"].get(den_key)
                rate = e.get("rate") if own_rate else (num / den if num is not None and den else None)
                rows.append({"marketplace": code, "metric": metric, "channel": channel, "key": e["key"],
                             "window_start": pd.Timestamp(start.date()), "window_end": pd.Timestamp(end.date()),
                             "amazon_numerator": num, "amazon_denominator": den, "amazon_rate": rate,
                             "amazon_status": e.get("status") if own_rate else
                             e.get("component_status", {}).get(num_key)})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    # lateShipmentRate repeats the 30-day entry of lateShipmentRateList: keep one.
    return out.drop_duplicates(["marketplace", "metric", "channel", "window_start", "window_end", "key"]
                               ).drop_duplicates(["marketplace", "metric", "channel", "window_start", "window_end",
                                                  "amazon_numerator", "amazon_denominator"], ignore_index=True)


def reconcile(data, performance=None, *, account=None, marketplace=None, include_cancelled_in_odr: bool = False,
              tolerance: float = 0.0005, flags: pd.DataFrame | None = None, flags_as_of=None) -> pd.DataFrame:
    """Amazon's figure, ours and the difference for every metric in the performance report.

    ``performance``: the raw JSON dict or ``Dataset.performance`` (default: the Dataset's). ``account``: which
    account in the data the report belongs to (needed only when the data holds several). Rates within
    ``tolerance`` count as a match. Columns: ``RECONCILE_COLUMNS``; ``difference`` = ours - Amazon's.
    ``flags``/``flags_as_of``: an ``order_flags`` pass already made at ``flags_as_of`` (used when that day is
    not before the report's snapshot day, as the flags then hold every deadline that passed by then).
    """
    if performance is None:
        performance = data.performance if isinstance(data, Dataset) else None
    if performance is None:
        raise ConfigError("reconcile needs a GET_V2_SELLER_PERFORMANCE_REPORT (none was loaded or given)")
    perf = _parsed(performance)
    amazon = _amazon_rows(perf, marketplace)
    if amazon.empty:
        return pd.DataFrame(columns=RECONCILE_COLUMNS)
    orders_all = data.orders if isinstance(data, Dataset) else data
    accounts = pd.unique(orders_all["account"].dropna().astype(object))
    if account is None:
        if perf.get("account") in accounts:
            account = perf["account"]
        elif len(accounts) == 1:
            account = accounts[0]
        else:
            raise ConfigError(f"the data holds {len(accounts)} accounts; say which one the report belongs to "
                              f"(account=..., one of {', '.join(map(str, accounts[:5]))})")
    snapshot = amazon["window_end"].max() + pd.Timedelta(days=1)
    if flags is not None and (flags_as_of is None or pd.Timestamp(flags_as_of) < snapshot):
        flags = None
    orders, _, flags = prepare(data, as_of=snapshot, account=account, flags=flags,
                               marketplace=list(amazon["marketplace"].unique()))
    metrics = tuple(amazon["metric"].unique())
    events = all_events(flags, None, metrics, include_cancelled_in_odr=include_cancelled_in_odr)
    other = all_events(flags, None, [m for m in metrics if m == "order_defect_rate"],
                       include_cancelled_in_odr=not include_cancelled_in_odr)
    rows = []
    for r in amazon.itertuples(index=False):
        s, e = day_number([r.window_start, r.window_end])
        ev = events[r.metric]
        gids = ev.universe()
        names = ev.groups.loc[gids]
        gids = gids[((names["marketplace"] == r.marketplace) & (names["channel"] == r.channel)).to_numpy()]
        ours = ev.counts(s, e, gids).iloc[0] if len(gids) else {"num": 0, "den": 0}
        alt_den = None
        if r.metric in other and len(gids):
            alt_den = int(other[r.metric].counts(s, e, gids).iloc[0]["den"])
        missing = missing_columns(orders, r.metric)
        num, den = (0, 0) if missing else (int(ours["num"]), int(ours["den"]))
        our_rate = num / den if den else np.nan
        row = {"account": account, **r._asdict(), "our_numerator": num, "our_denominator": den,
               "our_rate": our_rate, "window_days": (r.window_end - r.window_start).days + 1}
        row["likely_reason"] = _reason(row, missing, orders, alt_den, include_cancelled_in_odr, tolerance)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["amazon_rate"] = out["amazon_rate"].astype(float)
    out["difference"] = out["our_rate"] - out["amazon_rate"]
    return out[RECONCILE_COLUMNS]


def _reason(row, missing, orders, alt_den, include_cancelled, tolerance) -> str:
    a_num, a_den, a_rate = row["amazon_numerator"], row["amazon_denominator"], row["amazon_rate"]
    num, den, rate = row["our_numerator"], row["our_denominator"], row["our_rate"]
    if missing:
        return "missing input: no " + ", ".join(missing) + " column(s) in the loaded files"
    same_counts = a_num == num and a_den == den
    if same_counts or (a_rate is not None and not np.isnan(rate) and abs(rate - a_rate) <= tolerance
                       and a_den == den):
        return "match"
    notes = []
    if row["key"] == "onTimeDeliveryRate":
        notes.append("Amazon counts shipments here, we count units (unitOnTimeDeliveryRate is the unit figure)")
    basis = _BASIS.get(row["metric"])
    if den != a_den and basis in orders.columns:
        days = orders.loc[orders["marketplace"] == row["marketplace"], basis].dropna()
        if not days.empty:
            lo, hi = days.min().date(), days.max().date()
            if lo > row["window_start"].date() or hi < row["window_end"].date():
                notes.append(f"orders outside the export: the data's {basis} runs {lo}..{hi}, Amazon's window is "
                             f"{row['window_start'].date()}..{row['window_end'].date()}")
        else:
            notes.append(f"orders outside the export: no {basis} values for this marketplace")
    if alt_den is not None and a_den is not None and alt_den == a_den and den != a_den:
        which = "excluded" if include_cancelled else "included"
        notes.append(f"denominator choice: Amazon's order count matches ours with cancelled orders {which}")
    if not notes and a_den is not None and den != a_den:
        notes.append(f"order count differs ({den} ours vs {a_den} Amazon's): orders missing from the export "
                     "or filtered differently by Amazon")
    if den == a_den and a_num is not None and num != a_num:
        notes.append(f"same orders, different counts ({num} ours vs {a_num} Amazon's): an input file "
                     "(feedback, claims, chargebacks, confirmations or tracking) is incomplete or statuses differ")
    return "; ".join(notes) or "rounding or an Amazon-side adjustment (e.g. holidays)"
