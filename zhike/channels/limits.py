"""Limits on what a customer's single message may be, the same on every channel.

A message longer than :data:`MAX_USER_TEXT` characters is cut before NLU (a 30 KB message
would otherwise cost seconds of CPU and gigabytes in the NLU pipeline) and the customer is
told, politely, that only the beginning was read.
"""

from __future__ import annotations

from typing import NamedTuple

MAX_USER_TEXT = 2000
TRUNCATED_NOTICE = (
    f"您的消息比较长，我先看了前 {MAX_USER_TEXT} 个字。"
    "如果后面还有重要内容，麻烦您分几条发给我，谢谢！"
)


class CappedText(NamedTuple):
    """A customer's text after the cap, and whether anything was cut."""

    text: str
    truncated: bool


def cap_user_text(text: str, limit: int = MAX_USER_TEXT) -> CappedText:
    """Cuts ``text`` to at most ``limit`` characters (surrounding white space removed)."""
    text = (text or "").strip()
    if len(text) <= limit:
        return CappedText(text, False)
    return CappedText(text[:limit], True)
