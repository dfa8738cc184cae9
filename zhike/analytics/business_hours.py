"""Durations counted in business hours only (e.g. 09:00-21:00 Asia/Shanghai, every day)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 3660  # a duration longer than ten years is counted up to there


def business_seconds(
    start: datetime, end: datetime, zone: ZoneInfo, open_at: time, close_at: time
) -> float:
    """Seconds of ``[start, end)`` that fall within the business hours of each local day.

    Args:
        start: Aware start.
        end: Aware end (before ``start``: 0).
        zone: The time zone of the business hours.
        open_at: Local start of each business day.
        close_at: Local end of each business day (after ``open_at``).

    Returns:
        The seconds, 0.0 when ``end`` is not after ``start``.
    """
    if end <= start:
        return 0.0
    first: date = start.astimezone(zone).date()
    last: date = end.astimezone(zone).date()
    total = 0.0
    day = first
    for _ in range(MAX_DAYS):
        if day > last:
            break
        opens = datetime.combine(day, open_at, tzinfo=zone)
        closes = datetime.combine(day, close_at, tzinfo=zone)
        overlap = (min(end, closes) - max(start, opens)).total_seconds()
        total += max(0.0, overlap)
        day += timedelta(days=1)
    return total
