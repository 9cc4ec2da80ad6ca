"""Where to send an appeal: the routes table (src/reinstate/policy/reference/contacts.csv), filtered for one letter.

Amazon takes appeals through Account Health in Seller Central ("Reactivate your account" /
"Submit appeal"); the e-mail addresses in the table are legacy routes, listed after the current ones.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..errors import ConfigError
from ..paths import REFERENCE_DIR

COLUMNS = ("marketplace", "topic", "route", "kind", "status", "appeal_types", "notes")
NOTICE = ("Amazon now takes appeals through Account Health in Seller Central (Performance > Account Health > "
          "\"Reactivate your account\", or \"Submit appeal\" on the issue). The e-mail addresses are legacy routes.")


@lru_cache(maxsize=1)
def contacts() -> pd.DataFrame:
    """The whole routes table."""
    path = REFERENCE_DIR / "contacts.csv"
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the contacts table ({exc})") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ConfigError(f"{path}: missing column(s) {', '.join(missing)} (expected {', '.join(COLUMNS)})")
    return frame


def contacts_for(marketplace: str | None, appeal_type: str | None) -> pd.DataFrame:
    """Routes for one marketplace and appeal type: current Seller Central routes first, then legacy e-mail.

    >>> contacts_for("US", "account_metrics").iloc[0]["status"]
    'current'
    """
    table = contacts()
    market = (marketplace or "US").upper().replace("GB", "UK")
    in_market = table["marketplace"].isin(["ALL", market])
    serves = table["appeal_types"].str.split(";").apply(lambda types: appeal_type in types) if appeal_type else True
    picked = table[in_market & serves].copy()
    picked["_order"] = (picked["status"] != "current").astype(int)
    return picked.sort_values(["_order", "topic"], kind="stable").drop(columns="_order").reset_index(drop=True)


def format_contacts(rows: pd.DataFrame) -> str:
    """Plain-text block shown with a letter."""
    lines = ["Where to send it:", f"  {NOTICE}"]
    for row in rows.itertuples():
        tag = "" if row.status == "current" else " (legacy)"
        lines.append(f"  - {row.route}{tag}: {row.notes}")
    return "\n".join(lines)
