from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from zhike.lib.handoff import BusinessHours

SH = ZoneInfo("Asia/Shanghai")


def sh(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def test_default_span_every_day() -> None:
    hours = BusinessHours.parse("09:00-21:00")
    assert hours.is_open(sh(2024, 6, 8, 9, 0))  # Saturday, opening is inclusive
    assert hours.is_open(sh(2024, 6, 8, 20, 59))
    assert not hours.is_open(sh(2024, 6, 8, 21, 0))  # closing is exclusive
    assert not hours.is_open(sh(2024, 6, 8, 8, 59))


def test_is_open_converts_time_zones() -> None:
    hours = BusinessHours.parse("09:00-21:00")
    assert hours.is_open(datetime(2024, 6, 4, 1, 0, tzinfo=timezone.utc))  # 09:00 in Shanghai
    assert not hours.is_open(datetime(2024, 6, 4, 13, 0, tzinfo=timezone.utc))  # 21:00


def test_next_opening_same_day_next_day_and_while_open() -> None:
    hours = BusinessHours.parse("09:00-21:00")
    assert hours.next_opening(sh(2024, 6, 4, 7, 30)) == sh(2024, 6, 4, 9, 0)
    assert hours.next_opening(sh(2024, 6, 4, 22, 0)) == sh(2024, 6, 5, 9, 0)
    assert hours.next_opening(sh(2024, 6, 4, 12, 0)) == sh(2024, 6, 4, 12, 0)
    utc = hours.next_opening(datetime(2024, 6, 4, 14, 0, tzinfo=timezone.utc))
    assert utc == sh(2024, 6, 5, 9, 0) and utc.tzinfo == SH


def test_next_opening_skips_weekend_and_holidays() -> None:
    hours = BusinessHours.parse(
        "09:00-18:00",
        weekdays=range(5),
        holidays=[date(2024, 6, 10)],  # 端午节, a Monday
    )
    friday_evening = sh(2024, 6, 7, 18, 0)
    assert not hours.is_open(friday_evening)
    assert not hours.is_open(sh(2024, 6, 8, 10, 0))  # Saturday
    assert not hours.is_open(sh(2024, 6, 10, 10, 0))  # holiday
    assert hours.next_opening(friday_evening) == sh(2024, 6, 11, 9, 0)


def test_invalid_hours() -> None:
    with pytest.raises(ValueError):
        BusinessHours.parse("21:00-09:00")
    with pytest.raises(ValueError):
        BusinessHours.parse("9-21")
    with pytest.raises(ValueError):
        BusinessHours(time(9), time(21), SH, weekdays=frozenset({7}))
    with pytest.raises(ValueError):
        BusinessHours.parse("09:00-21:00").is_open(datetime(2024, 6, 4, 10, 0))
    never = BusinessHours(time(9), time(21), SH, weekdays=frozenset())
    with pytest.raises(ValueError):
        never.next_opening(sh(2024, 6, 4, 10, 0))
