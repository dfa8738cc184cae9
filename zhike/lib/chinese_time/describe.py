"""Rendering a parsed time in Chinese for a confirmation."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zhike.lib.chinese_time.parse import ParsedTime

_WEEKDAY_NAMES = "一二三四五六日"


def describe(parsed: ParsedTime, now: datetime | None = None) -> str:
    """Renders a parsed time in natural Chinese for a confirmation.

    Args:
        parsed: A result of ``parse_chinese_time``.
        now: If given, the year is shown when it differs from ``now``'s.

    Returns:
        E.g. "11月28日（周六）19:00", "11月28日（周六）" without a time, or
        "2027年1月5日（周二）15:00" across a year end. A time without a date is shown
        with the day it was resolved to, so the user can check it. The output parses
        back to the same ``start`` (for days from ``now`` on).
    """
    start = parsed.start
    year = ""
    if now is not None and now.astimezone(start.tzinfo).year != start.year:
        year = f"{start.year}年"
    text = f"{year}{start.month}月{start.day}日（周{_WEEKDAY_NAMES[start.weekday()]}）"
    if parsed.has_time:
        text += f"{start:%H:%M}"
    return text
