"""Per-order (and per-message) contributions to each metric, before any window is applied.

``metric_events(flags, metric)`` turns the shared per-order flags into one row per order that can count in the
metric: account, marketplace, channel, ``day`` (the local calendar day that places it in a window, as an integer
day number), ``first_end`` (the first window-end day on which it may count; equals ``day`` except for messages
whose 24-hour deadline runs past the day they arrived), ``den`` and ``num`` (weights: 1 per order, units for
OTDR) and ``unknown`` (cancellations with no recorded initiator).

An event counts in the window ``[start, end]`` when ``start <= day <= end`` and ``first_end <= end``. Both the
point-in-time table (health) and the sliding series (trend) use this one rule, which is why they agree.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputFileError
from .flags import local_day

KEYS = ["account", "marketplace", "channel"]
EVENT_COLUMNS = KEYS + ["order_id", "day", "first_end", "den", "num", "unknown"]
ODR_COMPONENT = {
    "order_defect_rate": "defective",
    "negative_feedback_rate": "negative_feedback",
    "a_to_z_claim_rate": "a_to_z_claim",
    "chargeback_rate": "chargeback",
}
MFN_ONLY = ("late_shipment_rate", "pre_fulfillment_cancel_rate", "valid_tracking_rate", "on_time_delivery_rate")
ALL_METRICS = tuple(ODR_COMPONENT) + MFN_ONLY + ("late_response_rate",)
LOWER_IS_BETTER = tuple(ODR_COMPONENT) + ("late_shipment_rate", "pre_fulfillment_cancel_rate", "late_response_rate")
MESSAGE_CHANNEL = "ALL"  # buyer messages are not tied to a fulfilment channel
_EPOCH = np.datetime64("1970-01-01", "D")


def day_number(values) -> np.ndarray:
    """Naive local-midnight datetimes (or dates) -> int64 day numbers; NaT -> a sentinel far in the past."""
    arr = pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[D]")
    out = (arr - _EPOCH).astype("int64")
    out[np.isnat(arr)] = np.iinfo("int64").min // 2
    return out


def day_of(number: int):
    """Inverse of ``day_number`` for one value -> pandas Timestamp (naive midnight)."""
    return pd.Timestamp(_EPOCH + np.timedelta64(int(number), "D"))


def _bool(series: pd.Series) -> np.ndarray:
    return series.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _events(flags: pd.DataFrame, mask: np.ndarray, day: np.ndarray, den, num, unknown=None) -> pd.DataFrame:
    sub = flags.loc[mask, ["account", "marketplace", "fulfillment_channel", "order_id"]]
    out = pd.DataFrame({
        "account": sub["account"].to_numpy(), "marketplace": sub["marketplace"].to_numpy(),
        "channel": sub["fulfillment_channel"].astype(object).to_numpy(), "order_id": sub["order_id"].to_numpy(),
        "day": day[mask], "first_end": day[mask],
        "den": np.asarray(den)[mask].astype("int64"), "num": np.asarray(num)[mask].astype("int64"),
        "unknown": (np.zeros(mask.sum(), "int64") if unknown is None else np.asarray(unknown)[mask].astype("int64")),
    })
    return out


def metric_events(flags: pd.DataFrame, metric: str, *, include_cancelled_in_odr: bool = False) -> pd.DataFrame:
    """One row per order that can count in ``metric`` (see the module docstring)."""
    n = len(flags)
    channel = flags["fulfillment_channel"].astype(object).to_numpy()
    mfn = channel == "MFN"
    cancelled = _bool(flags["cancelled"])
    ones = np.ones(n, "int64")
    if metric in ODR_COMPONENT:
        day = day_number(flags["purchase_day"])
        mask = np.isin(channel, ("MFN", "AFN")) & flags["purchase_day"].notna().to_numpy()
        if not include_cancelled_in_odr:
            mask &= ~cancelled
        return _events(flags, mask, day, ones, _bool(flags[ODR_COMPONENT[metric]]))
    if metric == "late_shipment_rate":
        mask = mfn & ~cancelled & flags["ship_by_day"].notna().to_numpy()
        return _events(flags, mask, day_number(flags["ship_by_day"]), ones, _bool(flags["late_shipment"]))
    if metric == "pre_fulfillment_cancel_rate":
        mask = mfn & flags["purchase_day"].notna().to_numpy()
        counted = _bool(flags["seller_cancelled"])
        return _events(flags, mask, day_number(flags["purchase_day"]), ones, counted,
                       counted & _bool(flags["cancel_by_unknown"]))
    if metric == "valid_tracking_rate":
        mask = mfn & _bool(flags["shipped"]) & flags["delivery_by_day"].notna().to_numpy()
        return _events(flags, mask, day_number(flags["delivery_by_day"]), ones, _bool(flags["tracking_valid"]))
    if metric == "on_time_delivery_rate":
        units = flags["active_units"].to_numpy(dtype="int64")
        mask = mfn & _bool(flags["tracking_valid"]) & flags["delivery_by_day"].notna().to_numpy() & (units > 0)
        on_time = np.where(_bool(flags["late_delivery"]), 0, units)
        return _events(flags, mask, day_number(flags["delivery_by_day"]), units, on_time)
    raise ValueError(f"unknown order metric '{metric}'")


MESSAGE_NEEDS = ("received_at", "responded_at")


def message_events(messages: pd.DataFrame, flags: pd.DataFrame, *, response_hours: float = 24) -> pd.DataFrame:
    """Late-response events, one per buyer message that needs a reply.

    A message is late when it has no reply or the reply came more than ``response_hours`` after it arrived
    (weekends and holidays count). Messages marked "no response needed" are left out. A message may only count
    in a window whose end has passed its deadline (``first_end``). Account and marketplace come from the message
    table when present, else from its order; messages with neither take the data's only account/marketplace.
    """
    missing = [c for c in MESSAGE_NEEDS if c not in messages.columns]
    if missing:
        raise InputFileError("messages", f"missing column(s) {', '.join(missing)}",
                             expected="message_id, order_id, received_at, responded_at, no_response_needed")
    msgs = messages
    if "no_response_needed" in msgs.columns:
        msgs = msgs[~_bool(msgs["no_response_needed"])]
    msgs = msgs[msgs["received_at"].notna()]
    frame = pd.DataFrame({"order_id": msgs["order_id"].to_numpy() if "order_id" in msgs.columns else pd.NA},
                         index=msgs.index)
    for key in ("account", "marketplace"):
        frame[key] = msgs[key].astype(object).to_numpy() if key in msgs.columns else None
    if frame[["account", "marketplace"]].isna().any(axis=None) and "order_id" in msgs.columns:
        owner = flags[["order_id", "account", "marketplace"]].drop_duplicates("order_id").astype(object)
        joined = frame[["order_id"]].astype(object).merge(owner, on="order_id", how="left")
        for key in ("account", "marketplace"):
            frame[key] = frame[key].where(frame[key].notna(), joined[key].to_numpy())
    pairs = flags[["account", "marketplace"]].drop_duplicates()
    if len(pairs) == 1:
        frame["account"] = frame["account"].fillna(pairs.iloc[0, 0])
        frame["marketplace"] = frame["marketplace"].fillna(pairs.iloc[0, 1])
    frame = frame.dropna(subset=["account", "marketplace"])
    msgs = msgs.loc[frame.index]
    received, responded = msgs["received_at"], msgs["responded_at"]
    deadline = received + pd.Timedelta(hours=response_hours)
    late = (responded.isna() | (responded > deadline)).to_numpy(dtype=bool)
    mkt = frame["marketplace"].astype("string")
    day = day_number(local_day(received, mkt))
    # First window end that the deadline has passed by: the local day holding (deadline - 1ns).
    first_end = day_number(local_day(deadline - pd.Timedelta(1, "ns"), mkt))
    return pd.DataFrame({
        "account": frame["account"].to_numpy(), "marketplace": frame["marketplace"].to_numpy(),
        "channel": MESSAGE_CHANNEL, "order_id": frame["order_id"].to_numpy(),
        "day": day, "first_end": np.maximum(first_end, day),
        "den": np.ones(len(frame), "int64"), "num": late.astype("int64"), "unknown": np.zeros(len(frame), "int64"),
    }, index=frame.index)  # keeps the message table's index so a drill-down can find the messages
