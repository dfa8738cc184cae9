"""Days and slots of delivery windows as customers type them (actions/delivery_parsing.py)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from actions.delivery_parsing import (
    named_day,
    parse_window,
    proposed_window,
    slot_of,
    window_label,
    window_problem,
)

NOW = datetime(2024, 12, 3, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("能不能周六再送", (date(2024, 12, 7), None)),
        ("周六上午", (date(2024, 12, 7), "am")),
        ("明天下午", (date(2024, 12, 4), "pm")),
        ("12月8号", (date(2024, 12, 8), None)),
        ("12月8号晚上送", (date(2024, 12, 8), "evening")),
        ("取件的师傅明天来不了，改到后天", (date(2024, 12, 5), None)),
        ("明天上午不方便，改成明天晚上送", (date(2024, 12, 4), "evening")),
        ("改到下周一上午吧", (date(2024, 12, 9), "am")),
        ("明天晚上7点", (date(2024, 12, 4), "evening")),
        ("晚上", (None, "evening")),
        ("明天来不了", (None, None)),
        ("好的", (None, None)),
        ("HP20241201", (None, None)),
    ],
)
def test_the_day_and_slot_a_message_asks_for(
    text: str, expected: tuple[date | None, str | None]
) -> None:
    assert parse_window(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "slot"),
    [("上午", "am"), ("下午吧", "pm"), ("晚上（18:00-21:00）", "evening"), ("随便", None)],
)
def test_slot_words(text: str, slot: str | None) -> None:
    assert slot_of(text) == slot


def test_the_window_is_tomorrow_to_7_days_ahead() -> None:
    today = NOW.date()
    assert window_problem(date(2024, 12, 4), today) is None
    assert window_problem(date(2024, 12, 10), today) is None
    assert "距今 8 天" in (window_problem(date(2024, 12, 11), today) or "")
    assert "今天" in (window_problem(today, today) or "")
    assert "12月4日（周三）至12月10日（周二）" in (window_problem(date(2024, 12, 1), today) or "")


def test_a_window_reads_back_in_chinese() -> None:
    assert window_label("2024-12-07", "pm") == "12月7日（周六）下午（13:00-18:00）"
    assert window_label(None, "pm") == "" and window_label("周六", "pm") == ""


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("能改到周末送吗", NOW, (date(2024, 12, 7), date(2024, 12, 8))),
        # on a Saturday only Sunday may be booked: that day, nothing to ask
        ("周末吧", NOW.replace(day=7), date(2024, 12, 8)),
        # 下下周末 is past the 7-day window: its Saturday, refused with the reason
        ("下下周末", NOW, date(2024, 12, 21)),
        ("周六下午", NOW, date(2024, 12, 7)),
        ("好的", NOW, None),
    ],
)
def test_a_weekend_is_both_its_days_when_both_may_be_booked(
    text: str, now: datetime, expected: object
) -> None:
    assert named_day(text, now) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("改到后天吧", (date(2024, 12, 5), None)),
        ("还是下午吧", (None, "pm")),
        ("不行 改到周四晚上", (date(2024, 12, 5), "evening")),
        ("能改到周五吗", (date(2024, 12, 6), None)),
        ("明天能到吗", (None, None)),  # a question about the parcel proposes nothing
        ("好的", (None, None)),
    ],
)
def test_a_reply_to_the_confirmation_proposes_a_day_or_a_slot(
    text: str, expected: tuple[object, object]
) -> None:
    assert proposed_window(text, NOW) == expected
