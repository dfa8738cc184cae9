"""Pure validation of free-text fields (no I/O); identifier formats are in zhike.common.formats."""

from __future__ import annotations


def clean_text(value: str | None, low: int, high: int) -> str | None:
    """``value`` stripped when its length is within ``low..high`` characters, else ``None``."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if low <= len(text) <= high else None
