"""Turning a match of ``patterns.FIRST`` into a datetime, following the package rules."""

from __future__ import annotations

import calendar
import enum
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING

from zhike.lib.chinese_time.numerals import clock_minutes, means_a_little, number
from zhike.lib.chinese_time.patterns import (
    CLOCK_AFTER,
    MD_AFTER,
    MD_BEFORE,
    NOTE_AFTER,
    POD_AFTER,
    PODS,
    WEEKDAY_INDEX,
    Pod,
)

_REL_DAYS = {
    "今天": 0,
    "今儿": 0,
    "今日": 0,
    "明天": 1,
    "明儿": 1,
    "明日": 1,
    "后天": 2,
    "大后天": 3,
}


class Skip(enum.Enum):
    """The match was not a date/time expression after all: search on."""

    SKIP = 0


SKIP = Skip.SKIP

if TYPE_CHECKING:
    # start, end of the match in the folded text, has_date, has_time, part of day
    Resolved = tuple[datetime, int, bool, bool, Pod | None]


def resolve(text: str, match: re.Match[str], now: datetime) -> Resolved | Skip | None:
    """Resolves the expression starting at ``match``; extends it with a part of day/clock."""
    kind = match.lastgroup
    groups = match.groupdict()
    today = now.date()
    end = match.end()
    day: date | None = None
    bare_weekday = False
    pod: Pod | None = None
    tentative_pod = False

    if kind == "offset_time":
        return _offset_time(groups, now, end)
    if kind == "iso":
        day = _date(int(groups["iso_y"]), int(groups["iso_m"]), int(groups["iso_d"]))
        if day is None:
            return None
    elif kind == "ymd":
        month, dom = number(groups["ymd_m"]), number(groups["ymd_d"])
        if month is None or dom is None:
            return None
        if groups["ymd_y"]:
            year = int(groups["ymd_y"])
        elif groups["ymd_rel"]:
            year = today.year + (groups["ymd_rel"] == "明年")
        else:
            year = today.year + ((month, dom) < (today.month, today.day))
        day = _date(year, month, dom)
        if day is None:
            return None
    elif kind == "md":
        month, dom = int(groups["md_m"]), int(groups["md_d"])
        year = today.year + ((month, dom) < (today.month, today.day))
        day = _date(year, month, dom)
        if day is None:
            return SKIP  # "13.45", "2.30": a number, not a date
    elif kind == "offset_days":
        count = number(groups["od_n"])
        if count is None:
            return None
        unit = groups["od_unit"]
        if unit == "月":
            day = _add_months(today, count)
        else:
            day = today + timedelta(days=count * (1 if unit in "天日" else 7))
    elif kind == "month_rel":
        months = _prefix_offset(groups["mr_p"])
        day_text = groups["mr_d"]
        if day_text is None:
            if months <= 0:
                return SKIP  # 这个月 alone names no day
            day = _add_months(today, months)
        else:
            dom = number(day_text)
            first = _add_months(today.replace(day=1), months)
            day = _date(first.year, first.month, dom) if dom is not None else None
            if day is None:
                return None
    elif kind == "weekday":
        weekday = WEEKDAY_INDEX[groups["wk_d"]]
        if groups["wk_p"] is None:
            bare_weekday = True
            day = today + timedelta(days=(weekday - today.weekday()) % 7)
        else:
            monday = today - timedelta(days=today.weekday())
            day = monday + timedelta(days=7 * _prefix_offset(groups["wk_p"]) + weekday)
    elif kind == "fused":
        day = today + timedelta(days=groups["fu_d"] == "明")
        pod = PODS[groups["fu_p"][0]]
    elif kind == "rel_day":
        day = today + timedelta(days=_REL_DAYS[groups["rel"]])
    elif kind == "dom":
        dom = number(groups["dom_d"])
        if dom is None:
            return None
        first = today.replace(day=1)
        if dom < today.day:
            first = _add_months(first, 1)
        day = _date(first.year, first.month, dom)
        if day is None:
            return None
    elif kind == "pod":
        pod = PODS[match.group("pod")]
        tentative_pod = len(match.group("pod")) == 1

    if day is not None and kind != "weekday":
        note = NOTE_AFTER.match(text, end)
        if note:
            end = note.end()
    date_end = end

    if day is not None and pod is None:
        after_pod = POD_AFTER.match(text, end)
        if after_pod:
            pod = PODS[after_pod.group("pod")]
            tentative_pod = len(after_pod.group("pod")) == 1
            end = after_pod.end()

    clock_match: re.Match[str] | None
    if kind == "clock":
        clock_match = match
    else:
        clock_match = CLOCK_AFTER.match(text, end)
    minutes: int | None = None
    clock_given = False
    if clock_match is not None and not means_a_little(text, clock_match):
        minutes = clock_minutes(clock_match.groupdict(), pod)
        if minutes is None:
            return None
        clock_given = True
        end = clock_match.end()
    elif kind == "clock":
        return SKIP
    elif tentative_pod:  # a bare 早/晚 is a part of day only before a clock time
        if day is None:
            return SKIP
        pod, end = None, date_end
    if kind == "md" and end == match.end() and not groups["md_suffix"]:
        if not (
            MD_BEFORE.search(text, max(0, match.start() - 6), match.start())
            and MD_AFTER.match(text, end)
        ):
            return SKIP

    if minutes is None and pod is not None:
        minutes = pod.default
    tz = now.tzinfo
    if day is None:  # a time alone: its next occurrence
        assert minutes is not None
        for base in (today - timedelta(days=1), today, today + timedelta(days=1)):
            if not _passed(base, minutes, clock_given, pod, now):
                break
        return _at(base, minutes, tz), end, False, True, pod
    if minutes is None:
        return _at(day, 0, tz), end, True, False, None
    if bare_weekday and day == today and _passed(day, minutes, clock_given, pod, now):
        day += timedelta(days=7)
    return _at(day, minutes, tz), end, True, True, pod


def _offset_time(groups: dict[str, str | None], now: datetime, end: int) -> Resolved | None:
    """Resolves "半小时后", "一个半小时后", "10分钟后" to an exact instant."""
    count_text = groups["ot_n"] or ""
    count = 0.5 if count_text == "半" else number(count_text)
    if count is None or (count_text == "半" and groups["ot_half"]):
        return None
    if groups["ot_half"]:
        count += 0.5
    unit = 60 if groups["ot_unit"] in ("小时", "钟头") else 1
    delta = timedelta(minutes=count * unit)
    instant = (now.astimezone(timezone.utc) + delta).astimezone(now.tzinfo)
    return instant.replace(second=0, microsecond=0), end, True, True, None


def _passed(day: date, minutes: int, clock_given: bool, pod: Pod | None, now: datetime) -> bool:
    """Whether a time on ``day`` is over: a clock time once reached, a part of day at its end."""
    if clock_given or pod is None:
        return _at(day, minutes, now.tzinfo) < now
    return now >= _at(day, pod.end, now.tzinfo)


def _at(day: date, minutes: int, tz: tzinfo | None) -> datetime:
    """``day`` at ``minutes`` after midnight (wall clock) in ``tz``."""
    midnight = datetime.combine(day, time(), tzinfo=tz)
    return midnight + timedelta(minutes=minutes)


def _date(year: int, month: int, day: int) -> date | None:
    """The date, or None if it does not exist."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later (earlier if negative), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _prefix_offset(prefix: str | None) -> int:
    """Weeks or months named by 这/本 (0), 下/下个 (1), 下下 (2), 上/上个 (-1)."""
    return {"下": 1, "下下": 2, "上": -1}.get((prefix or "").rstrip("个"), 0)
