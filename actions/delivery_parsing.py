"""What customers type about delivery windows: "周六上午", "明天来不了，改到后天", "周末".

Pure functions like :mod:`actions.parsing` (no I/O, no Rasa objects): the day and the
slot (上午 ``am``, 下午 ``pm``, 晚上 ``evening``) a message asks for, the 7-day window
the backend enforces, and how a window reads back to the customer.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from actions.parsing import normalize_text
from zhike.lib.chinese_time import ParsedTime, parse_chinese_time, weekend_days

WINDOW_DAYS = 7  # the backend's rule (services/delivery.py): tomorrow to 7 days ahead
SLOT_LABELS = {
    "am": "上午（9:00-12:00）",
    "pm": "下午（13:00-18:00）",
    "evening": "晚上（18:00-21:00）",
}
_SLOT_WORDS = (
    ("am", re.compile(r"上午|早上|早晨|一早|上半天|^早$|^am$", re.IGNORECASE)),
    ("pm", re.compile(r"下午|中午|午后|下半天|^pm$", re.IGNORECASE)),
    ("evening", re.compile(r"晚上|傍晚|晚间|夜里|下班后|^晚$", re.IGNORECASE)),
)
_PART_SLOTS = {
    "morning": "am",
    "forenoon": "am",
    "noon": "pm",
    "afternoon": "pm",
    "evening": "evening",
    "night": "evening",
}
# "改到后天", "换成周日": the new time follows such a verb.
_TARGET = re.compile(r"(?:改|换|调|挪|推|延|约|放|安排|定)(?:到|成|在|为|至)|再送|送到|到时候")
# "明天来不了", "周五不在家": the time before such words is the one that does not suit.
_UNSUITABLE = re.compile(
    r"^\s*(?:的话)?\s*(?:来不了|不行|不方便|没空|没时间|不在|不能|没人|有事|没法)"
)
WEEKDAYS = "一二三四五六日"
_QUESTION = re.compile(r"[吗么?？]|能不能|可不可以|行不行")


def slot_of(value: Any) -> str | None:
    """The slot code a reply names ("下午" -> ``pm``), or ``None``."""
    text = normalize_text(value).strip(" 。.,，!！")
    if text in SLOT_LABELS:
        return text
    for code, pattern in _SLOT_WORDS:
        if pattern.search(text):
            return code
    return None


def _slot_of_time(parsed: ParsedTime) -> str | None:
    if parsed.part_of_day is not None:
        return _PART_SLOTS.get(parsed.part_of_day)
    if not parsed.has_time:
        return None
    hour = parsed.start.hour
    return "am" if hour < 12 else "pm" if hour < 18 else "evening"


def _suitable_times(text: str, now: datetime) -> list[ParsedTime]:
    found: list[ParsedTime] = []
    position = 0
    while position < len(text):
        parsed = parse_chinese_time(text[position:], now)
        if parsed is None:
            break
        start = text.find(parsed.text, position)
        end = (start if start >= 0 else position) + max(len(parsed.text), 1)
        if not _UNSUITABLE.match(text[end:]):
            found.append(parsed)
        position = end
    return found


def parse_window(value: Any, now: datetime) -> tuple[date | None, str | None]:
    """The day and slot a message asks for, relative to ``now`` (aware, China time).

    "周六上午" gives Saturday and ``am``; "明天来不了，改到后天" the day after tomorrow
    (a time the customer cannot make is skipped, and a time after 改到/换成 wins);
    "晚上" only the slot; "好的" nothing.
    """
    text = normalize_text(value)
    if not text:
        return None, None
    markers = list(_TARGET.finditer(text))
    marker = markers[-1] if markers else None
    times = _suitable_times(text[marker.end() :], now) if marker else []
    times = times or _suitable_times(text, now)
    day: date | None = None
    slot: str | None = None
    for parsed in times:
        if day is None and parsed.has_date:
            day = parsed.start.date()
            slot = _slot_of_time(parsed) or slot
        elif slot is None:
            slot = _slot_of_time(parsed)
    if slot is None:
        slot = slot_of(text[marker.end() :] if marker else text) if day is not None else None
    return day, slot


def named_day(value: Any, now: datetime) -> date | tuple[date, date] | None:
    """The day a message asks for ("周六"), or both days of the weekend it names ("周末").

    A weekend with one day that may be booked gives that day ("周末" said on a Saturday:
    Sunday); with both, both (the form asks which); with neither, its Saturday (the
    form says why it cannot be booked).
    """
    day, _ = parse_window(value, now)
    if day is not None:
        return day
    weekend = weekend_days(normalize_text(value), now)
    if weekend is None:
        return None
    bookable = [d for d in weekend if window_problem(d, now.date()) is None]
    if len(bookable) == 2:
        return weekend
    return bookable[0] if bookable else weekend[0]


def proposed_window(
    value: Any, now: datetime
) -> tuple[date | tuple[date, date] | None, str | None]:
    """The day (:func:`named_day`) and slot a reply proposes: "改到周日吧", "还是下午吧".

    A question about a time proposes nothing ("明天能到吗"), unless it asks for a change
    ("能改到周日吗").
    """
    text = normalize_text(value)
    if _QUESTION.search(text) and not _TARGET.search(text):
        return None, None
    day = named_day(text, now)
    _, slot = parse_window(text, now)
    if slot is None:
        times = _suitable_times(text, now)
        slot = next((s for s in map(_slot_of_time, times) if s is not None), None)
    return day, slot


def window_problem(day: date, today: date) -> str | None:
    """Why ``day`` cannot be booked (tomorrow to 7 days ahead), or ``None`` when it can."""
    ahead = (day - today).days
    first, last = today + timedelta(days=1), today + timedelta(days=WINDOW_DAYS)
    span = f"明天起 {WINDOW_DAYS} 天内的日期（{day_label(first)}至{day_label(last)}）"
    if ahead == 0:
        return f"今天的安排已经定了，只能预约{span}"
    if ahead < 0:
        return f"{day_label(day)}已经过去了，只能预约{span}"
    if ahead > WINDOW_DAYS:
        return f"{day_label(day)}距今 {ahead} 天，只能预约{span}"
    return None


def day_label(day: date) -> str:
    """``12月7日（周六）``."""
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def window_label(day: date | str | None, slot: str | None) -> str:
    """``12月7日（周六）下午（13:00-18:00）``; empty without a day."""
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            return ""
    if day is None:
        return ""
    return day_label(day) + SLOT_LABELS.get(slot or "", "")
