"""Reference tables shipped as data files (policy as data, loaded once)."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .errors import ConfigError
from .paths import REFERENCE_DIR


@lru_cache(maxsize=None)
def marketplaces() -> pd.DataFrame:
    """One row per marketplace code: marketplace_id, timezone, feedback_date_order, domain."""
    return pd.read_csv(REFERENCE_DIR / "marketplaces.csv", dtype=str).set_index("marketplace")


def timezone_of(marketplace: str) -> str:
    """IANA time zone in which Amazon counts calendar days for a marketplace (e.g. US -> America/Los_Angeles)."""
    table = marketplaces()
    code = str(marketplace).upper()
    if code == "GB":
        code = "UK"
    if code not in table.index:
        raise ConfigError(f"unknown marketplace '{marketplace}' (expected one of {', '.join(table.index)})")
    return table.at[code, "timezone"]


def marketplace_code_for_id(marketplace_id: str) -> str | None:
    """Map an Amazon marketplaceId (e.g. ATVPDKIKX0DER) to its code (US)."""
    table = marketplaces()
    hit = table.index[table["marketplace_id"] == marketplace_id]
    return hit[0] if len(hit) else None
