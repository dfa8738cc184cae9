"""The weekend a message names (zhike/lib/chinese_time/weekend.py), on each day of a week."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from zhike.lib.chinese_time import weekend_days


def on(day: int) -> datetime:
    """December 2024: the 2nd is a Monday, the 7th a Saturday, the 8th a Sunday."""
    return datetime(2024, 12, day, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


THIS = (date(2024, 12, 7), date(2024, 12, 8))
NEXT = (date(2024, 12, 14), date(2024, 12, 15))


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("能改到周末送吗", 3, THIS),
        ("周末吧", 7, THIS),  # a Saturday: tomorrow is still this weekend
        ("周末吧", 8, NEXT),  # a Sunday: the coming one
        ("这周末", 8, THIS),  # this week's, even on its Sunday
        ("本周末上门", 5, THIS),
        ("下周末", 3, NEXT),
        ("下个周末再送", 8, NEXT),
        ("下个礼拜周末", 2, NEXT),
        ("下下周末", 3, (date(2024, 12, 21), date(2024, 12, 22))),
        ("双休日送", 4, THIS),
    ],
)
def test_a_weekend_is_its_saturday_and_sunday(
    text: str, today: int, expected: tuple[date, date]
) -> None:
    assert weekend_days(text, on(today)) == expected


@pytest.mark.parametrize("text", ["周六", "下周一上午", "好的", "", "这周能到吗"])
def test_no_weekend_named(text: str) -> None:
    assert weekend_days(text, on(3)) is None
