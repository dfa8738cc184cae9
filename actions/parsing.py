"""Pure parsing of what users type: no I/O, no Rasa objects, easy to test."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_ORDER_ID_RE = re.compile(r"(?<![A-Za-z0-9])HP\s*(\d{8})(?!\d)", re.IGNORECASE)


def normalize_text(value: Any) -> str:
    """Returns ``value`` as text with full-width letters/digits folded (ＨＰ２０２４ -> HP2024)."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_order_id(value: Any) -> str | None:
    """Finds an order number (HP + 8 digits) in ``value`` and returns it upper-cased.

    Args:
        value: a slot value or a whole message, e.g. ``"订单号是hp20240001哦"``.

    Returns:
        ``"HP20240001"``, or ``None`` when ``value`` holds no well-formed order number.
    """
    match = _ORDER_ID_RE.search(normalize_text(value))
    return f"HP{match.group(1)}" if match else None
