"""Per-order (and per-message) contributions to each metric, before any window is applied.

``metric_events(flags, metric)`` turns the shared per-order flags into ``Events``: one row per order that can
count in the metric, all integers so that counting is a ``bincount`` (string keys are hashed once, in
``keyed``): ``row`` (position in ``flags``, or in the message table), ``gid`` (the (account, marketplace,
channel) group, see ``Events.groups``), ``day`` (the local calendar day that places it in a window, as a day
number), ``first_end`` (the first window-end day on which it may count; equals ``day`` except for messages
whose 24-hour deadline runs past the day they arrived), ``den`` and ``num`` (1 per order, units for OTDR) and
``unknown`` (cancellations with no recorded initiator).

An event counts in the window ``[start, end]`` when ``start <= day <= end`` and ``first_end <= end``. The
point-in-time table (health), the sliding series (trend) and the forecast all use this one rule.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputFileError
from ..io.combine import positions
from .flags import local_day

KEYS = ["account", "marketplace", "channel"]
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
NO_DAY = np.iinfo("int64").min // 4  # day number for a missing date; never inside a window


def day_number(values) -> np.ndarray:
    """Naive local-midnight datetimes (or dates) -> int64 day numbers; NaT -> ``NO_DAY``."""
    arr = pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[D]")
    out = (arr - _EPOCH).astype("int64")
    out[np.isnat(arr)] = NO_DAY
    return out


def day_timestamps(numbers) -> np.ndarray:
    """Day numbers -> naive datetime64[ns] midnights."""
    return (_EPOCH + np.asarray(numbers).astype("timedelta64[D]")).astype("datetime64[ns]")


@dataclass
class Events:
    """Integer events of one metric plus the table naming their groups (index = gid)."""
    metric: str
    frame: pd.DataFrame
    groups: pd.DataFrame

    def universe(self) -> np.ndarray:
        """gids that get a row even with an empty window: every channel the account sells in for ODR metrics,
        MFN for the seller-fulfilled metrics, every account with messages for late response."""
        channel = self.groups["channel"].to_numpy(dtype=object)
        if self.metric == "late_response_rate":
            return self.groups.index.to_numpy()
        allowed = ("MFN",) if self.metric in MFN_ONLY else ("MFN", "AFN")
        return self.groups.index.to_numpy()[np.isin(channel, allowed)]

    def in_window(self, start: int, end: int) -> np.ndarray:
        day = self.frame["day"].to_numpy()
        return (day >= start) & (day <= end) & (self.frame["first_end"].to_numpy() <= end)

    def counts(self, start: int, end: int, gids=None) -> pd.DataFrame:
        """account, marketplace, channel, num, den, unknown over [start, end] for ``gids`` (default universe)."""
        gids = self.universe() if gids is None else np.asarray(gids)
        sel = self.frame[self.in_window(start, end)]
        n = int(self.groups.index.max()) + 1 if len(self.groups) else 0
        g = sel["gid"].to_numpy()
        out = self.groups.loc[gids, KEYS].reset_index(drop=True)
        for col in ("num", "den", "unknown"):
            out[col] = np.bincount(g, weights=sel[col].to_numpy(float), minlength=n)[gids].round().astype("int64")
        return out


def keyed(flags: pd.DataFrame) -> pd.DataFrame:
    """``flags`` plus integer helper columns: ``_gid`` (account, marketplace, channel) and day numbers."""
    if "_gid" in flags.columns:
        return flags
    grouped = flags.groupby(["account", "marketplace", "fulfillment_channel"], sort=True, dropna=False,
                            observed=True)
    return flags.assign(_gid=grouped.ngroup().to_numpy(), _pday=day_number(flags["purchase_day"]),
                        _sday=day_number(flags["ship_by_day"]), _dday=day_number(flags["delivery_by_day"]))


def group_table(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per ``_gid`` (index) naming its account, marketplace and channel."""
    first = flags.drop_duplicates("_gid")
    table = pd.DataFrame({"account": first["account"].astype(object).to_numpy(),
                          "marketplace": first["marketplace"].astype(object).to_numpy(),
                          "channel": first["fulfillment_channel"].astype(object).to_numpy()},
                         index=first["_gid"].to_numpy())
    return table.sort_index()


def _bool(series: pd.Series) -> np.ndarray:
    """A boolean-ish column as a numpy bool array, missing = False (without an object round trip)."""
    if series.dtype == bool:
        return series.to_numpy()
    try:
        return series.to_numpy(dtype=bool, na_value=False)
    except (TypeError, ValueError):
        return series.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _events(metric, flags, groups, mask, day, den, num, unknown=None, day_range=None) -> Events:
    if day_range is not None:  # only the days some window needs (a point-in-time table needs few)
        mask = mask & (day >= day_range[0]) & (day <= day_range[1])
    rows = np.flatnonzero(mask)
    frame = pd.DataFrame({
        "row": rows, "gid": flags["_gid"].to_numpy()[rows], "day": day[rows], "first_end": day[rows],
        "den": np.asarray(den, dtype="int64")[rows], "num": np.asarray(num, dtype="int64")[rows],
        "unknown": np.zeros(len(rows), "int64") if unknown is None else np.asarray(unknown, "int64")[rows]})
    return Events(metric, frame, groups)


def metric_events(flags: pd.DataFrame, metric: str, *, include_cancelled_in_odr: bool = False,
                  groups: pd.DataFrame | None = None, day_range: tuple[int, int] | None = None) -> Events:
    """Events of an order metric (see the module docstring). ``day_range`` = (first, last) day numbers keeps
    only events on those days."""
    flags = keyed(flags)
    groups = group_table(flags) if groups is None else groups
    # Channel per order through its group (a per-group lookup instead of string compares on every order).
    size = int(groups.index.max()) + 1 if len(groups) else 0
    group_channel = np.full(size, "", dtype=object)
    group_channel[groups.index.to_numpy()] = groups["channel"].to_numpy(dtype=object)
    gid = flags["_gid"].to_numpy()
    mfn = (group_channel == "MFN")[gid]
    odr_channel = np.isin(group_channel, ("MFN", "AFN"))[gid]
    cancelled = _bool(flags["cancelled"])
    ones = np.ones(len(flags), "int64")
    if metric in ODR_COMPONENT:
        day = flags["_pday"].to_numpy()
        mask = odr_channel & (day != NO_DAY)
        if not include_cancelled_in_odr:
            mask &= ~cancelled
        return _events(metric, flags, groups, mask, day, ones, _bool(flags[ODR_COMPONENT[metric]]),
                       day_range=day_range)
    if metric == "late_shipment_rate":
        day = flags["_sday"].to_numpy()
        mask = mfn & ~cancelled & (day != NO_DAY)
        return _events(metric, flags, groups, mask, day, ones, _bool(flags["late_shipment"]),
                       day_range=day_range)
    if metric == "pre_fulfillment_cancel_rate":
        day = flags["_pday"].to_numpy()
        counted = _bool(flags["seller_cancelled"])
        return _events(metric, flags, groups, mfn & (day != NO_DAY), day, ones, counted,
                       counted & _bool(flags["cancel_by_unknown"]), day_range=day_range)
    if metric == "valid_tracking_rate":
        day = flags["_dday"].to_numpy()
        mask = mfn & _bool(flags["shipped"]) & (day != NO_DAY)
        return _events(metric, flags, groups, mask, day, ones, _bool(flags["tracking_valid"]),
                       day_range=day_range)
    if metric == "on_time_delivery_rate":
        day = flags["_dday"].to_numpy()
        units = flags["active_units"].to_numpy(dtype="int64")
        mask = mfn & _bool(flags["tracking_valid"]) & (day != NO_DAY) & (units > 0)
        on_time = np.where(_bool(flags["late_delivery"]), 0, units)
        return _events(metric, flags, groups, mask, day, units, on_time, day_range=day_range)
    raise ValueError(f"unknown order metric '{metric}'")


MESSAGE_NEEDS = ("received_at", "responded_at")


def message_events(messages: pd.DataFrame, flags: pd.DataFrame, *, response_hours: float = 24) -> Events:
    """Late-response events, one per buyer message that needs a reply (``row`` = position in ``messages``).

    A message is late when it has no reply or the reply came more than ``response_hours`` after it arrived
    (weekends and holidays count). Messages marked "no response needed" are left out. A message may only count
    in a window whose end has passed its deadline (``first_end``). Account and marketplace come from the
    message's order when it is in the data, else from the message table; messages with neither take the data's
    only account/marketplace.
    """
    missing = [c for c in MESSAGE_NEEDS if c not in messages.columns]
    if missing:
        raise InputFileError("messages", f"missing column(s) {', '.join(missing)}",
                             expected="message_id, order_id, received_at, responded_at, no_response_needed")
    keep = messages["received_at"].notna().to_numpy().copy().copy()  # pandas 3 hands out read-only views
    if "no_response_needed" in messages.columns:
        keep &= ~_bool(messages["no_response_needed"])
    rows = np.flatnonzero(keep)
    msgs = messages.iloc[rows]
    frame = pd.DataFrame({"order_id": msgs["order_id"].astype(object).to_numpy() if "order_id" in msgs.columns
                          else None})
    for key in ("account", "marketplace"):
        frame[key] = msgs[key].astype(object).to_numpy() if key in msgs.columns else None
    if "order_id" in msgs.columns:
        # The order's account/marketplace wins: a loader fills defaults into message files that lack them.
        # Looked up through pyarrow's hash of the (first) order ids: boxing every order's key strings into
        # Python objects for a merge was most of this function at 1M orders in the benchmark profile.
        owner = flags.loc[~flags["order_id"].duplicated().to_numpy(), ["order_id", "account", "marketplace"]]
        at = positions(msgs["order_id"], pd.Index(owner["order_id"]))
        found = np.flatnonzero(at >= 0)
        for key in ("account", "marketplace"):
            current = frame[key].to_numpy(dtype=object).copy()
            got = owner[key].iloc[at[found]].astype(object).to_numpy()
            known = pd.notna(got)
            current[found[known]] = got[known]
            frame[key] = current
    pairs = flags[["account", "marketplace"]].drop_duplicates()
    if len(pairs) == 1:
        frame["account"] = frame["account"].fillna(pairs.iloc[0, 0])
        frame["marketplace"] = frame["marketplace"].fillna(pairs.iloc[0, 1])
    ok = frame[["account", "marketplace"]].notna().all(axis=1).to_numpy()
    rows, msgs, frame = rows[ok], msgs[ok], frame[ok].reset_index(drop=True)
    received, responded = msgs["received_at"], msgs["responded_at"]
    deadline = received + pd.Timedelta(hours=response_hours)
    late = (responded.isna() | (responded > deadline)).to_numpy(dtype=bool)
    mkt = pd.Series(frame["marketplace"].to_numpy(), index=msgs.index, dtype="string")
    day = day_number(local_day(received, mkt))
    # First window end that the deadline has passed by: the local day holding (deadline - 1ns).
    first_end = day_number(local_day(deadline - pd.Timedelta(1, "ns"), mkt))
    grouped = frame.groupby(["account", "marketplace"], sort=True)
    gid = grouped.ngroup().to_numpy()
    groups = grouped.size().reset_index()[["account", "marketplace"]].assign(channel=MESSAGE_CHANNEL)
    events = pd.DataFrame({"row": rows, "gid": gid, "day": day, "first_end": np.maximum(first_end, day),
                           "den": np.ones(len(rows), "int64"), "num": late.astype("int64"),
                           "unknown": np.zeros(len(rows), "int64")})
    return Events("late_response_rate", events, groups[KEYS])
