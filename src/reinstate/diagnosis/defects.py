"""The analysed window: which orders are looked at and which of them are defects to explain.

Defects are ODR defects (purchase day in the ODR window, order not cancelled) and operational misses in
their own metric windows (from ``reinstate.metrics.windows``; the longest window per metric):
late shipment (MFN, ship-by day in the LSR window), seller cancellation (MFN, purchase day in the cancel
window), invalid tracking (MFN shipped, deliver-by day in the VTR window), late delivery (MFN tracked,
deliver-by day in the OTDR window) and late response (a message received in the late-response window).
The analysed population is every order that falls in at least one window. Explicit ``start``/``end``
replace all windows by one purchase-day span in which every kind of defect counts.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..io.combine import isin
from ..metrics.windows import metric_windows

KINDS = ("odr", "late_shipment", "cancellation", "invalid_tracking", "late_delivery", "late_response")


def _within(days: pd.Series, start, end) -> np.ndarray:
    """``start <= day <= end`` per order (False for a missing day), on the numpy days."""
    d = days.to_numpy(dtype="datetime64[ns]")
    return (d >= pd.Timestamp(start).to_datetime64()) & (d <= pd.Timestamp(end).to_datetime64())


def bool_array(col: pd.Series) -> np.ndarray:
    """A (nullable) boolean column as a numpy bool array, missing = False."""
    return col.to_numpy(dtype=bool) if col.dtype == bool else col.astype("boolean").to_numpy(dtype=bool, na_value=False)


def windows_for(as_of, *, odr_offset_days: int = 15) -> dict[str, tuple]:
    """metric -> (start, end) of its longest window on ``as_of``."""
    out: dict[str, tuple] = {}
    for w in metric_windows(as_of, odr_offset_days=odr_offset_days):
        if w.metric not in out or (w.end - w.start) > (out[w.metric][1] - out[w.metric][0]):
            out[w.metric] = (w.start, w.end)
    return out


def mark_defects(flags: pd.DataFrame, late_msgs: pd.DataFrame, *, as_of, start=None, end=None,
                 odr_offset_days: int = 15) -> pd.DataFrame:
    """``flags`` plus ``analysed`` (in some window), one boolean per defect kind, ``defect`` and ``kinds``."""
    f = flags.copy(deep=False)  # new columns only (copy-on-write keeps ``flags`` unchanged); a deep copy cost 0.15 s at 1M
    # numpy bool arrays throughout: the same rules on pandas nullable Series cost ~0.3 s at 1M orders.
    b = lambda c: bool_array(f[c])  # noqa: E731
    mfn = f["fulfillment_channel"].eq("MFN").to_numpy(dtype=bool, na_value=False)
    not_cancelled = ~b("cancelled")
    oid = f["order_id"].astype("string")
    received = late_msgs.assign(day=pd.to_datetime(late_msgs["received_at"], utc=True).dt.tz_localize(None)
                                .dt.normalize()) if len(late_msgs) else None
    if start is not None or end is not None:
        lo = pd.Timestamp(start) if start is not None else f["purchase_day"].min()
        hi = pd.Timestamp(end) if end is not None else f["purchase_day"].max()
        inside = _within(f["purchase_day"], lo, hi)
        win = {k: inside for k in ("odr", "lsr", "cancel", "vtr", "otdr")}
        analysed = inside
        msg_ids = _distinct(received.loc[received["late"], "order_id"]) if received is not None else _distinct(None)
    else:
        w = windows_for(as_of, odr_offset_days=odr_offset_days)
        win = {
            "odr": _within(f["purchase_day"], *w["order_defect_rate"]),
            "lsr": _within(f["ship_by_day"], *w["late_shipment_rate"]),
            "cancel": _within(f["purchase_day"], *w["pre_fulfillment_cancel_rate"]),
            "vtr": _within(f["delivery_by_day"], *w["valid_tracking_rate"]),
            "otdr": _within(f["delivery_by_day"], *w["on_time_delivery_rate"]),
        }
        msg_ids, in_lrr = _distinct(None), _distinct(None)
        if received is not None and "late_response_rate" in w:
            lo, hi = w["late_response_rate"]
            in_win = _within(received["day"], lo, hi)
            msg_ids = _distinct(received.loc[in_win & received["late"].to_numpy(bool), "order_id"])
            in_lrr = _distinct(received.loc[in_win, "order_id"])
        analysed = win["odr"] | win["cancel"] | (mfn & (win["lsr"] | win["vtr"] | win["otdr"])) | _among(oid, in_lrr)
    f["analysed"] = analysed
    f["odr"] = b("defective") & not_cancelled & win["odr"]
    f["late_shipment_miss"] = mfn & not_cancelled & b("late_shipment") & win["lsr"]
    f["cancellation"] = mfn & b("seller_cancelled") & win["cancel"]
    tracking = f["tracking_valid"].astype("boolean")
    invalid = tracking.eq(False).to_numpy(dtype=bool, na_value=False)
    f["invalid_tracking"] = mfn & b("shipped") & invalid & win["vtr"]
    f["late_delivery_miss"] = mfn & tracking.to_numpy(dtype=bool, na_value=False) & b("late_delivery") & win["otdr"]
    f["late_response"] = (_among(oid, msg_ids) & analysed) if len(msg_ids) else False
    cols = ["odr", "late_shipment_miss", "cancellation", "invalid_tracking", "late_delivery_miss", "late_response"]
    kinds = f[cols].to_numpy(bool)
    f["defect"] = kinds.any(axis=1) & analysed
    f["kinds"] = pd.Series(joined_names(kinds, KINDS), index=f.index, dtype=object)
    return f


def _distinct(ids: pd.Series | None) -> pd.Series:
    """The distinct non-missing ids as strings (in Arrow: a Python set of them cost ~0.2 s at 1M orders)."""
    if ids is None or not len(ids):
        return pd.Series([], dtype="string")
    return pd.Series(ids.astype("string").dropna().unique(), dtype="string")


def _among(ids: pd.Series, wanted: pd.Series) -> np.ndarray:
    """``ids.isin(wanted)`` as a bool array, hashing the few wanted ids (pyarrow), not every order's."""
    return isin(ids, wanted)


def joined_names(flags: np.ndarray, names) -> np.ndarray:
    """Per row, the ``names`` of its true columns joined by ';' ('' when none), as an object array.

    Each distinct combination is joined once and looked up by a bit mask: string concatenation over every
    order, once per column, was a visible cost of ``diagnose`` at 1M orders in the benchmark profile.
    """
    flags = np.asarray(flags, dtype=bool).reshape(len(flags), len(names))
    mask = np.zeros(len(flags), dtype=np.int64)
    for j in range(len(names)):
        mask |= flags[:, j].astype(np.int64) << j
    if not len(flags):
        return np.zeros(0, dtype=object)
    if len(names) <= 20:  # few columns: the distinct masks by counting (np.unique sorted every order's mask)
        combos = np.flatnonzero(np.bincount(mask, minlength=1))
        inverse = np.zeros(int(combos[-1]) + 1, dtype=np.int64)
        inverse[combos] = np.arange(len(combos))
        inverse = inverse[mask]
    else:
        combos, inverse = np.unique(mask, return_inverse=True)
    texts = np.array([";".join(n for j, n in enumerate(names) if m >> j & 1) for m in combos.tolist()]
                     + [""], dtype=object)
    return texts[inverse.reshape(-1)]
