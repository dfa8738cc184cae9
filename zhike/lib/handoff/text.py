"""What the handoff library stores of a customer's words: clean, masked and bounded.

Text from the bot's side (relayed customer messages, the bot's summary, rating comments)
is stored for the desk with phone and ID-card numbers masked (:mod:`zhike.common.privacy`), NUL
characters removed and lone surrogates replaced (no database can store them), and cut to
a length the desk takes, with :data:`TRUNCATION_MARK` at the end. So a customer's message
can always be stored: an odd or very long one never blocks the messages after it.
"""

from __future__ import annotations

import math
from typing import Any

from zhike.common.privacy import mask_text

TRUNCATION_MARK = "…（已截断）"
MAX_DEPTH = 16


def clean_text(text: str) -> str:
    """``text`` without NUL characters and with lone surrogates replaced by U+FFFD."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # a valid surrogate pair becomes its character, a lone half becomes U+FFFD
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with :data:`TRUNCATION_MARK`."""
    if len(text) <= limit:
        return text
    keep = max(0, limit - len(TRUNCATION_MARK))
    return (text[:keep] + TRUNCATION_MARK)[:limit]


def stored_text(text: str, limit: int) -> str:
    """A customer's (or the bot's) text as the desk stores and shows it."""
    return truncate(mask_text(clean_text(text)), limit)


def stored_data(value: Any, limit: int, depth: int = MAX_DEPTH) -> Any:
    """A JSON-like value with every string (keys too) as :func:`stored_text` makes it.

    Nesting deeper than ``depth`` is dropped (``None``).
    """
    if isinstance(value, str):
        return stored_text(value, limit)
    if depth <= 0:
        return None
    if isinstance(value, dict):
        return {
            stored_text(str(key), limit): stored_data(item, limit, depth - 1)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [stored_data(item, limit, depth - 1) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON (and PostgreSQL) has no NaN or infinity
    return value
