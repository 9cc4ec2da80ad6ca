"""Benchmark inputs: seeded canonical data written as CSV and Parquet, plus cached "prepared" frames.

Layout under the data folder (git-ignored), one folder per size:

    n100000-d180-s8/
        csv/        orders.csv, feedback.csv, ... (``reinstate.sample.write_sample``), truth.json
        parquet/    the same tables as Parquet (pyarrow, from the generated frames), truth.json
        prepared/   the loaded Dataset (orders/messages) as Parquet: what the metric steps start from
        multi/      the same orders spread over 1,000 accounts (order-level, by a hash of the order id)
        manifest.json  parameters and source fingerprints; a mismatch regenerates

Generation and preparation run in their own processes (see run.py), so their memory never counts against
a measured step.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "reinstate"
TABLE_FILES = ("orders", "feedback", "claims", "chargebacks", "returns", "messages")


def fingerprint(*folders: Path) -> str:
    """Hash of the source files (py/yaml/csv) under ``folders``: cached data is rebuilt when they change."""
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".yaml", ".csv") and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(ROOT)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


def size_dir(data_dir: Path, *, orders: int, days: int, seed: int) -> Path:
    return Path(data_dir) / f"n{orders}-d{days}-s{seed}"


def _manifest(folder: Path) -> dict:
    path = Path(folder) / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _save_manifest(folder: Path, manifest: dict) -> None:
    (Path(folder) / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def raw_is_current(folder: Path, params: dict) -> bool:
    m = _manifest(folder)
    return m.get("params") == params and m.get("generator") == fingerprint(SRC / "sample") and \
        (folder / "csv" / "orders.csv").is_file() and (folder / "parquet" / "orders.parquet").is_file()


def prepared_is_current(folder: Path) -> bool:
    m = _manifest(folder)
    return m.get("prepared") == fingerprint(SRC) and (folder / "prepared" / "orders.parquet").is_file() \
        and (folder / "multi" / "orders.parquet").is_file()


def generate(folder: Path, params: dict) -> dict:
    """Generate the sample and write it as CSV and Parquet. Returns row counts per table."""
    from reinstate.sample import generate_sample, write_sample
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    for sub in ("csv", "parquet", "prepared", "multi"):
        shutil.rmtree(folder / sub, ignore_errors=True)
    sample = generate_sample(**params)
    write_sample(sample, folder / "csv")
    (folder / "parquet").mkdir(parents=True)
    for name in TABLE_FILES:
        table = pa.Table.from_pandas(sample.tables[name], preserve_index=False)
        pq.write_table(table, folder / "parquet" / f"{name}.parquet")
    shutil.copy(folder / "csv" / "truth.json", folder / "parquet" / "truth.json")
    rows = {name: int(len(sample.tables[name])) for name in TABLE_FILES}
    _save_manifest(folder, {"params": params, "generator": fingerprint(SRC / "sample"), "rows": rows,
                            "as_of": sample.as_of})
    return rows


def spread_accounts(orders: pd.DataFrame, messages: pd.DataFrame | None, n_accounts: int):
    """The same rows with ``account`` set to one of ``n_accounts`` ids per order (all items of an order and its
    messages move together), so total size is unchanged."""
    codes = pd.util.hash_array(orders["order_id"].astype(object).to_numpy()) % np.uint64(n_accounts)
    names = np.array([f"acct-{i:04d}" for i in range(n_accounts)], dtype=object)
    account = pd.Series(names[codes.astype(np.int64)], index=orders.index, dtype=orders["account"].dtype)
    out = orders.assign(account=account)
    if messages is not None:
        lookup = out.drop_duplicates("order_id").set_index("order_id")["account"]
        messages = messages.assign(account=messages["order_id"].map(lookup).astype(messages["account"].dtype))
    return out, messages


def prepare(folder: Path, *, n_accounts: int = 1000) -> None:
    """Load the Parquet tables with ``reinstate.load`` once and cache the Dataset's frames as Parquet."""
    import reinstate

    folder = Path(folder)
    data = reinstate.load(folder / "parquet")
    for sub, (orders, messages) in (("prepared", (data.orders, data.messages)),
                                    ("multi", spread_accounts(data.orders, data.messages, n_accounts))):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        orders.to_parquet(folder / sub / "orders.parquet", index=False)
        if messages is not None:
            messages.to_parquet(folder / sub / "messages.parquet", index=False)
    m = _manifest(folder)
    m["prepared"] = fingerprint(SRC)
    m["loaded_rows"] = int(len(data.orders))
    m["rejected_rows"] = int(len(data.rejects))
    _save_manifest(folder, m)


def read_prepared(folder: Path, sub: str = "prepared"):
    """The cached Dataset (orders + messages) with the loader's dtypes."""
    from reinstate.dataset import Dataset

    folder = Path(folder) / sub
    orders = pd.read_parquet(folder / "orders.parquet")
    msg_path = folder / "messages.parquet"
    messages = pd.read_parquet(msg_path) if msg_path.is_file() else None
    return Dataset(orders=orders, messages=messages)


def as_of(folder: Path) -> str:
    return _manifest(folder)["as_of"]
