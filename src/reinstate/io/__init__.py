"""Reading exports from disk into the canonical order table (the only stage that reads files)."""
