"""What a customer says about a lesson change: which lesson, the new time, a new clock.

"周日的英语课改到下周二下午4点" names the lesson before the mark and the time after it;
"上午十点" to the confirmation moves the wished time to that clock on the same day.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from actions.courses import parse_new_time
from actions.dates import CHINA_TZ
from zhike.lib.chinese_time import parse_chinese_time

# The longest message taken as a lesson or time while the phone or code is asked.
NOTED_MAX = 30
# "周日的英语课改到下周二下午4点": the lesson before the mark, the new time after it.
_CHANGE_TO = re.compile(r"(?:改|调|换|挪|推|移|延)(?:到|成|至|去)|改为|调为|换成|延后到|推迟到")


def split_change(text: str) -> tuple[str, str | None]:
    """``(which lesson, new time)`` parts of a reschedule request; no mark: ``(text, None)``."""
    mark = _CHANGE_TO.search(text)
    if mark is None:
        return text, None
    return text[: mark.start()], text[mark.end() :] or None


def named_lesson_and_time(said: list[str], now: datetime) -> tuple[str, str | None]:
    """``(which lesson, new time)`` from what the customer said; a later saying wins.

    The opening message is read as :func:`split_change` reads it. A later message --
    said while the phone or code was asked -- names the lesson when it says 课 ("周六的
    课"), else a time in it is the new time ("下周三晚上7点").
    """
    source, target = split_change(said[0]) if said else ("", None)
    for text in said[1:]:
        before, after = split_change(text)
        if after is not None:
            source, target = before or source, after
        elif "课" in text:
            source = text
        elif parse_chinese_time(text, now) is not None:
            target = text
    return source, target


def pending_time(value: Any) -> bool:
    """A new time kept as the customer said it ("周日"): a day whose clock is the lesson's.

    A bare day said before the lesson is chosen waits for it; a resolved time is ISO 8601.
    """
    if not value:
        return False
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        return True
    return False


def changed_time(text: str, wished: Any, now: datetime) -> datetime | None:
    """The new time a reply to the confirmation names, or ``None`` (no time in it).

    A clock alone ("上午十点", "改成下午3点吧") keeps the day already wished; a day
    ("周日吧") or a day and clock is read as a new time (:func:`parse_new_time`).
    """
    said = parse_chinese_time(text, now)
    if said is None or pending_time(wished) or not wished:
        return None
    before = datetime.fromisoformat(str(wished)).astimezone(CHINA_TZ)
    if said.has_date:
        return parse_new_time(text, before, now)
    if not said.has_time:
        return None
    clock = said.start.astimezone(CHINA_TZ)
    moment = before.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
    return moment if moment > now else None
