"""``load``: exports on disk -> one canonical ``Dataset`` (orders, messages, rejects, file reports, performance).

    >>> data = load("data/sample")                                   # doctest: +SKIP
    >>> data = load(["All Orders.txt", "feedback.txt"], marketplace="DE", account="eu-shop")  # doctest: +SKIP

Per file: read (encoding and delimiter detected) -> sniff the format -> drop buyer PII columns -> map to
canonical names -> cast to the schema dtypes -> row rules. Rows that fail go to ``Dataset.rejects`` with
the file, the source line (header = line 1), the column and the reason; a file that cannot be used at all
raises ``InputFileError``. Then the files are joined (``reinstate.io.combine`` states the rules) and
free-text columns are masked for e-mail addresses and phone numbers. For every file
``rows_read == rows_accepted + rows_rejected``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset import REJECT_COLUMNS, Dataset, FileReport
from ..errors import BadFilesError, InputFileError, ReinstateError, StrictModeError
from ..reference import timezone_of
from . import amazon, canonical, combine, olist, schema, validate
from .encoding import LoadWarning
from .performance import merge_performance, parse_performance
from .pii import drop_pii_columns, mask_columns, mask_series
from .read import RawTable, read_source
from .sniff import sniff
from .sources import FOLDER_SUFFIXES, open_sources, scan

DATA_SUFFIXES = FOLDER_SUFFIXES
LOOKUP_FORMATS = ("olist_products", "olist_category_translation")


@dataclass
class _Part:
    index: int
    fmt: str
    frame: pd.DataFrame   # typed rows that passed the per-file checks, with _file/_line


def data_files(paths) -> list[Path]:
    """Expand paths: a folder means its export files (see ``sources.scan``; README*, truth.json, hidden and
    non-export files are not read)."""
    return scan(paths)[0]


class _Rejects:
    """Collects rejected rows as (file index, line, column, value, reason)."""

    def __init__(self):
        self.frames: list[pd.DataFrame] = []

    def add(self, index: int, lines: np.ndarray, found: pd.DataFrame) -> np.ndarray:
        """Record problems (``_row`` positions into ``lines``); return the positions to drop."""
        if found.empty:
            return np.array([], dtype=np.int64)
        line = found["_line"].to_numpy() if "_line" in found.columns else lines[found["_row"].to_numpy()]
        self.frames.append(pd.DataFrame({"_file": index, "line": line.astype(np.int64),
                                         "column": found["column"].to_numpy(), "value": found["value"].to_numpy(),
                                         "reason": found["reason"].to_numpy()}))
        return np.unique(found["_row"].to_numpy()[found["_row"].to_numpy() >= 0])

    def add_rows(self, frame: pd.DataFrame, column: str, reason) -> None:
        """Reject whole rows of a provenance-carrying frame (``_file``, ``_line``)."""
        if frame.empty:
            return
        values = frame[column].astype("string").to_numpy() if column in frame.columns else ""
        self.frames.append(pd.DataFrame({"_file": frame["_file"].to_numpy(), "line": frame["_line"].to_numpy(),
                                         "column": column, "value": values, "reason": reason}))

    def table(self, paths: list[str], *, keep_pii: bool = False) -> pd.DataFrame:
        if not self.frames:
            return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "line" else "string") for c in REJECT_COLUMNS})
        allr = pd.concat(self.frames, ignore_index=True)
        for c in ("column", "value", "reason"):
            allr[c] = allr[c].astype("string").fillna("")
        if not keep_pii:
            # The rejects file is an export like any other: the values copied into it are masked too.
            allr["value"] = mask_series(allr["value"]).fillna("")
        # One row per rejected source row; several findings on it are joined with "; " (only those rows
        # go through the slow string aggregation).
        multi = allr.duplicated(["_file", "line"], keep=False).to_numpy()
        joined = allr[multi].groupby(["_file", "line"], sort=False).agg(
            {"column": "; ".join, "value": "; ".join, "reason": "; ".join}).reset_index()
        grouped = pd.concat([allr[~multi], joined], ignore_index=True).sort_values(["_file", "line"], kind="stable")
        grouped.insert(0, "file", [paths[i] for i in grouped["_file"]])
        out = grouped.drop(columns="_file")[list(REJECT_COLUMNS)]
        return out.astype({"file": "string", "line": "Int64", "column": "string", "value": "string",
                           "reason": "string"})


def _adapt(raw: RawTable, fmt: str, *, marketplace: str, keep_pii: bool) -> pd.DataFrame:
    if fmt in canonical.REQUIRED:
        validate.require_columns(raw.frame, canonical.REQUIRED[fmt], raw.path, fmt,
                                 names=[c for c in canonical.to_canonical(raw).columns])
        return canonical.to_canonical(raw)
    if fmt.startswith("olist_"):
        validate.require_columns(raw.frame, olist.REQUIRED[fmt], raw.path, fmt,
                                 names=[c.strip().lower() for c in raw.frame.columns])
        return olist.to_canonical(raw, fmt)
    if fmt != "amazon_feedback":
        validate.require_columns(raw.frame, amazon.REQUIRED[fmt], raw.path, fmt,
                                 names=[c.strip().lower() for c in raw.frame.columns])
    return amazon.to_canonical(raw, fmt, marketplace=marketplace, keep_pii=keep_pii)


def _table_of(fmt: str) -> str:
    if fmt == "messages":
        return "messages"
    if fmt in combine.SUPPLEMENT_KIND:
        return "supplement"
    return "orders"


def _read_one(source, i: int, parts: list, rejects: _Rejects, reads: dict, performance, *, marketplace: str,
              account: str, keep_pii: bool):
    """Read, check and type one source into ``parts``; returns the (possibly extended) performance report."""
    raw = read_source(source, marketplace=marketplace)
    fmt = sniff(raw)
    if fmt == "amazon_performance_report":
        perf = parse_performance(raw.json, account=account, source=source.name)
        reads[i] = (fmt, len((raw.json or {}).get("performanceMetrics") or []))
        return merge_performance(performance, perf)
    validate.check_layout(raw)
    found_bad = validate.bad_row_problems(raw)
    dups = validate.duplicate_problems(raw.frame, raw.lines)
    if not keep_pii and fmt != "amazon_feedback":
        raw.frame = drop_pii_columns(raw.frame)
    frame = _adapt(raw, fmt, marketplace=marketplace, keep_pii=keep_pii)
    if fmt in LOOKUP_FORMATS:
        typed = frame.reset_index(drop=True).astype("string")
        found = validate.empty_problems()
    else:
        typed, found = validate.coerce_frame(frame, marketplace=marketplace, account=account)
        rules = validate.rule_problems(typed, table=_table_of(fmt))
        # A value that did not parse is now missing: do not report it a second time as "missing".
        seen = set(zip(found["_row"], found["column"]))
        rules = rules[[(r, c) not in seen for r, c in zip(rules["_row"], rules["column"])]]
        found = pd.concat([found, rules], ignore_index=True)
        typed = _flag_mangled_tracking(typed, raw)
    # Nothing is recorded until the whole file has been read: a file refused half way leaves no rejects.
    reads[i] = (fmt, len(raw.frame) + len(raw.bad_rows))
    rejects.add(i, raw.lines, found_bad)
    dup_drop = rejects.add(i, raw.lines, dups)
    drop = np.union1d(dup_drop, rejects.add(i, raw.lines, found))
    keep = np.ones(len(typed), dtype=bool)
    keep[drop] = False
    typed = typed[keep].assign(_file=i, _line=raw.lines[keep]).reset_index(drop=True)
    if fmt == "amazon_fulfilled_shipments":
        typed = amazon.collapse_shipments(typed)
    parts.append(_Part(i, fmt, typed))
    return performance


# Excel turns a long tracking number into a float shown as 4.43659E+11: the digits are gone for good
# (schema.MANGLED_TRACKING_RE).
def _flag_mangled_tracking(typed: pd.DataFrame, raw: RawTable) -> pd.DataFrame:
    """Tracking numbers in scientific notation count as invalid tracking, with a warning naming the lines."""
    if "tracking_id" not in typed.columns:
        return typed
    mangled = typed["tracking_id"].astype("string").str.strip().str.contains(schema.MANGLED_TRACKING_RE,
                                                                              regex=True)
    mangled = mangled.fillna(False).to_numpy(dtype=bool)
    if not mangled.any():
        return typed
    typed = typed.copy()
    valid = typed["tracking_valid"] if "tracking_valid" in typed.columns else \
        pd.Series(pd.NA, index=typed.index, dtype="boolean")
    typed["tracking_valid"] = valid.astype("boolean").mask(pd.Series(mangled, index=typed.index), False)
    lines = raw.lines[mangled]
    shown = ", ".join(map(str, lines[:10])) + (" ..." if len(lines) > 10 else "")
    warnings.warn(f"{raw.path}: {int(mangled.sum())} tracking number(s) in scientific notation "
                  f"(e.g. {typed['tracking_id'][mangled].iloc[0]}, mangled by a spreadsheet) count as invalid "
                  f"tracking; line(s) {shown}", LoadWarning, stacklevel=4)
    return typed


def load(paths, *, marketplace: str = "US", account: str | None = None, keep_pii: bool = False,
         strict: bool = False, skip_bad_files: bool = False, unmatched: pd.DataFrame | None = None) -> Dataset:
    """Read exports (files or folders) into one canonical ``Dataset``.

    ``marketplace`` is the code used for rows without one (it also sets the time zone of timestamps without
    an offset and the date format of the feedback report); ``account`` names the seller account for data
    that has none (default "default"). ``keep_pii=True`` keeps buyer PII columns and unmasked text.
    ``strict=True`` raises ``StrictModeError`` (carrying the dataset as ``.dataset``) if any row was rejected.

    Every file is tried. A file that cannot be used raises ``BadFilesError`` naming every such file, unless
    ``skip_bad_files=True``: then it is left out and reported in ``Dataset.files`` (status "error").
    When no file at all can be used, that is an error either way.
    ``unmatched`` takes an earlier ``Dataset.unmatched`` (feedback, claims, returns, messages whose order was
    not loaded then): its rows are matched to the orders of this load.
    """
    return _load(paths, marketplace=marketplace, account=account, keep_pii=keep_pii, strict=strict,
                 skip_bad_files=skip_bad_files, unmatched=unmatched, report_only=False)


def load_report(paths, **options) -> Dataset:
    """``load`` for ``reinstate validate``: every file is tried and reported (status, counts, reason), even
    when none can be used; only a missing path or an empty folder raises."""
    return _load(paths, **{"marketplace": "US", "account": None, "keep_pii": False, "strict": False,
                           "unmatched": None, **options}, skip_bad_files=True, report_only=True)


def _load(paths, *, marketplace, account, keep_pii, strict, skip_bad_files, unmatched, report_only) -> Dataset:
    marketplace = str(marketplace).upper()
    timezone_of(marketplace)  # raises ConfigError for an unknown code
    account = account or "default"
    files, skipped = scan(paths)
    names: list[str] = []
    rejects = _Rejects()
    parts: list[_Part] = []
    reads: dict[int, tuple[str, int]] = {}
    failed: dict[int, str] = {}
    errors: list[ReinstateError] = []
    performance = None

    for path in files:
        try:
            sources = open_sources(path)
        except ReinstateError as exc:
            failed[len(names)] = str(exc)
            names.append(str(path))
            errors.append(exc)
            continue
        for source in sources:
            i = len(names)
            names.append(source.name)
            try:
                performance = _read_one(source, i, parts, rejects, reads, performance, marketplace=marketplace,
                                        account=account, keep_pii=keep_pii)
            except ReinstateError as exc:
                failed[i], _ = str(exc), errors.append(exc)
            except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError, MemoryError,
                    UnicodeError, ArithmeticError) as exc:  # never a traceback: the file is named instead
                err = InputFileError(source.name, f"could not be read ({type(exc).__name__}: "
                                                  f"{' '.join(str(exc).split())[:200]})",
                                     expected="a well-formed export (please report this file)")
                failed[i], _ = str(err), errors.append(err)
    if errors and not skip_bad_files:
        raise errors[0] if len(errors) == 1 else BadFilesError(errors)
    if not parts and performance is None and errors and not report_only:
        raise BadFilesError(errors) if len(errors) > 1 else errors[0]

    by_fmt: dict[str, list[_Part]] = {}
    for part in parts:
        by_fmt.setdefault(part.fmt, []).append(part)

    def frames(fmt):
        return [p.frame for p in by_fmt.get(fmt, [])]

    def consistent(frame: pd.DataFrame) -> pd.DataFrame:
        found = validate.order_consistency_problems(frame)
        if found.empty:
            return frame
        bad = frame.iloc[found["_row"].to_numpy()]
        rejects.add_rows(bad.assign(_col=found["column"].to_numpy()), "_col", found["reason"].to_numpy())
        # The rejects table wants the column's name and the value: rebuild those two from the finding.
        rejects.frames[-1]["column"] = found["column"].to_numpy()
        rejects.frames[-1]["value"] = found["value"].to_numpy()
        return frame.drop(index=frame.index[np.unique(found["_row"].to_numpy())]).reset_index(drop=True)

    # Olist: orders + items -> item rows.
    olist_frame = None
    if by_fmt.get("olist_order_items"):
        items = pd.concat(frames("olist_order_items"), ignore_index=True)
        if not by_fmt.get("olist_orders"):
            first = by_fmt["olist_order_items"][0]
            raise InputFileError(names[first.index], "Olist order items need the Olist orders file loaded with them",
                                 column="order_id", expected="olist_orders_dataset.csv in the same folder or paths")
        orders_o = pd.concat(frames("olist_orders"), ignore_index=True)
        olist_frame, orphans = combine.join_olist(orders_o, items)
        rejects.add_rows(orphans, "order_id", "no order with this order_id in the Olist orders file")
    elif by_fmt.get("olist_orders"):
        olist_frame = pd.concat(frames("olist_orders"), ignore_index=True)

    sources = []
    for fmt in combine.ORDER_PRECEDENCE:
        if fmt == "olist":
            if olist_frame is not None:
                sources.append(consistent(olist_frame))
            continue
        for frame in frames(fmt):
            sources.append(consistent(frame))
    orders = combine.combine_orders(sources)
    if orders is None:
        orders = _empty_orders()

    # Per-order files: one row per order (latest wins), merged onto the items. Rows whose order is not
    # loaded are accepted but kept aside (Dataset.unmatched): they count in no metric until it is.
    waiting: list[pd.DataFrame] = []
    earlier = _earlier_unmatched(unmatched, names)
    for kind in ("feedback", "claim", "chargeback", "return"):
        supp = [p.frame for p in parts if combine.SUPPLEMENT_KIND.get(p.fmt) == kind]
        supp += [f.drop(columns="kind") for k, f in earlier if k == kind]
        if not supp:
            continue
        allsupp = pd.concat(supp, ignore_index=True)
        kept, superseded = combine.latest_per_order(allsupp, kind)
        rejects.add_rows(superseded, "order_id", f"superseded by a later {kind} for the same order")
        known = combine.isin(kept["order_id"], orders["order_id"])
        if (~known).any():
            waiting.append(kept[~known].assign(kind=kind))
        orders = combine.attach_supplement(orders, kept[known], kind)

    # Olist products: sku -> category (English when the translation table is loaded too).
    products = pd.concat(frames("olist_products"), ignore_index=True) if by_fmt.get("olist_products") else None
    translation = pd.concat(frames("olist_category_translation"), ignore_index=True) \
        if by_fmt.get("olist_category_translation") else None
    cats = olist.category_lookup(products, translation)
    if cats is not None and "sku" in orders.columns:
        mapped = orders["sku"].map(cats)
        orders["product_category"] = orders["product_category"].fillna(mapped) \
            if "product_category" in orders.columns else mapped
    elif translation is not None and "product_category" in orders.columns:
        english = olist.category_lookup(translation.rename(columns={"product_category_name": "sku"}).assign(
            product_category=lambda t: t["sku"]), translation)
        orders["product_category"] = orders["product_category"].map(english).fillna(orders["product_category"])

    messages = None
    msg_frames = frames("messages") + [f.drop(columns="kind") for k, f in earlier if k == "message"]
    if msg_frames:
        messages, lonely = _messages_with_owner(pd.concat(msg_frames, ignore_index=True), orders)
        if len(lonely):
            waiting.append(lonely.assign(kind="message"))
            warnings.warn(f"{len(lonely)} buyer message(s) whose order is not in the loaded order files are left "
                          "out of the late-response rate (reinstate validate counts them as rows_unmatched)",
                          LoadWarning, stacklevel=3)
        messages = _finish(messages, keep_pii=keep_pii, table="messages")

    orders = _finish(orders, keep_pii=keep_pii, table="orders")
    reject_table = rejects.table(names, keep_pii=keep_pii)
    counts = reject_table.groupby("file").size() if len(reject_table) else pd.Series(dtype="int64")
    pending = pd.concat(waiting, ignore_index=True) if waiting else None
    unmatched_counts = pending["_file"].value_counts() if pending is not None else pd.Series(dtype="int64")
    reports = []
    for i, path in enumerate(names):
        if i in failed:
            reports.append(FileReport(path, "unknown", 0, 0, 0, status="error", reason=failed[i]))
            continue
        if i not in reads:
            continue  # rows of an earlier load (``unmatched=``), reported by that load
        fmt, n = reads[i]
        bad = int(counts.get(path, 0))
        reports.append(FileReport(path, "canonical" if fmt == "parquet" else fmt, n, n - bad, bad,
                                  rows_unmatched=int(unmatched_counts.get(i, 0))))
    reports += [FileReport(path, "", 0, 0, 0, status="skipped", reason=why) for path, why in skipped]
    if pending is not None:
        pending = pending.assign(file=[names[i] for i in pending["_file"]], line=pending["_line"].astype("Int64"))
        pending = pending.drop(columns=combine.PROVENANCE)
        front = ["file", "line", "kind", "order_id"]
        pending = pending[front + [c for c in pending.columns if c not in front]].reset_index(drop=True)
        if not keep_pii:
            pending = mask_columns(pending)
    data = Dataset(orders=orders, messages=messages, rejects=reject_table, files=reports, performance=performance,
                   unmatched=pending)
    if strict and len(reject_table):
        first = reject_table.iloc[0]
        err = StrictModeError(f"{len(reject_table)} row(s) rejected (strict mode); first: {first['file']}, "
                              f"line {first['line']}, column '{first['column']}': {first['reason']}")
        err.dataset = data
        raise err
    return data


def _earlier_unmatched(unmatched: pd.DataFrame | None, names: list[str]) -> list[tuple[str, pd.DataFrame]]:
    """An earlier load's ``Dataset.unmatched`` as (kind, frame with _file/_line) pairs; their files join
    ``names`` (no FileReport: that load reported them)."""
    if unmatched is None or not len(unmatched):
        return []
    out = []
    for (kind, path), rows in unmatched.groupby(["kind", "file"], sort=False):
        index = len(names)
        names.append(str(path))
        frame = rows.drop(columns=["file"]).rename(columns={"line": "_line"}).assign(_file=index)
        frame = frame.dropna(axis=1, how="all")
        out.append((str(kind), frame.assign(kind=kind).reset_index(drop=True)))
    return out


def _messages_with_owner(messages: pd.DataFrame, orders: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(messages with their order's account and marketplace, messages whose order is not loaded).

    A message file rarely names the account; the order it is about does. A message whose order is absent
    would otherwise take the default account (a phantom "default" account with a late-response rate).
    """
    # pyarrow's hash lookup gives each message the position of its order's first row (drop_duplicates on a
    # million order rows cost 2 s in the benchmark profile).
    at = _first_positions(messages["order_id"], orders["order_id"])
    found = at >= 0
    matched = messages[found].copy()
    for key in ("account", "marketplace"):
        matched[key] = orders[key].iloc[at[found]].to_numpy()
    return matched.reset_index(drop=True), messages[~found].reset_index(drop=True)


def _first_positions(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """For each value, the position of its first occurrence in ``keys`` (-1 = absent)."""
    try:
        arr = pa.array(values.astype("string").array, from_pandas=True, type=pa.large_string())
        key_arr = pa.array(keys.astype("string").array, from_pandas=True, type=pa.large_string())
        return np.asarray(pc.index_in(arr, value_set=key_arr).fill_null(-1), dtype=np.intp)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not strings after all: the plain way
        first: dict = {}
        for i, key in enumerate(keys.tolist()):
            first.setdefault(key, i)
        return np.asarray([first.get(v, -1) for v in values.tolist()], dtype=np.intp)


def _empty_orders() -> pd.DataFrame:
    cols = [*schema.REQUIRED, "account", "marketplace"]
    return pd.DataFrame({c: pd.Series(dtype=schema.dtype_of(c)) for c in cols})


def _finish(frame: pd.DataFrame, *, keep_pii: bool, table: str) -> pd.DataFrame:
    """Schema dtypes and column order (canonical first, then extras); masks free text unless keep_pii."""
    frame = frame.drop(columns=[c for c in combine.PROVENANCE if c in frame.columns]).reset_index(drop=True)
    canon = [c.name for c in schema.COLUMNS] if table == "orders" else [*schema.MESSAGE_COLUMNS, "account",
                                                                       "marketplace"]
    ordered = [c for c in canon if c in frame.columns] + [c for c in frame.columns if c not in canon]
    frame = frame[ordered]
    dtypes = {}
    for col in frame.columns:
        dtype = schema.dtype_of(col) if col in canon else None
        if dtype is None and not pd.api.types.is_numeric_dtype(frame[col].dtype) \
                and not pd.api.types.is_datetime64_any_dtype(frame[col].dtype):
            dtype = "string"
        if dtype is not None and str(frame[col].dtype) != dtype:
            dtypes[col] = dtype
    if dtypes:
        frame = frame.astype(dtypes)
    if not keep_pii:
        frame = mask_columns(frame)
    return frame

