"""Chinese date and time expressions for forms: "明天下午三点", "下周三晚上", "11月28号".

``parse_chinese_time`` finds the first date/time expression in a message and resolves it
against ``now``; ``describe`` renders a result for a confirmation ("11月28日（周六）19:00").
Both are pure functions: no I/O, no clock reads, no state.

Grammar, in order of appearance in the message: one *date* (relative day, weekday,
absolute date or offset), then optionally a *part of day*, then optionally a *clock time*.
A part of day or a clock time may also stand alone, and "半小时后"-style offsets name an
exact instant. The first expression found decides: if it is invalid ("2月30日", "25点")
the result is ``None``, the rest of the message is not searched.

Rules for ambiguous input (all relative to ``now``, in its time zone):

* A clock time without a part of day and with an hour of 1-6 written without a leading
  zero is in the afternoon: people say "3点" for 15:00 when booking lessons or visits.
  "03:00" and hours 0 and 7-12 are read as written ("7点" is 07:00, "12点" noon).
* With 下午/傍晚 hours 1-11 are PM; with 中午 hours 1-5 are PM; with 晚上/晚 hours 5-11 are
  PM and 12, 0 and 1-4 are the night after (晚上12点 = next day 00:00); with 夜里/深夜
  the same with 6 instead of 5. 凌晨12点 is 00:00. 上午/早上 with an hour above 12 is a
  contradiction and gives ``None``.
* A time without a date is its next occurrence: today, or tomorrow when it has passed.
  A part of day alone ("下午") counts as passed only once the part is over (18:00).
* A bare weekday ("周三") is the next such day, today included; if it is today and the
  time named has passed, it is the same day next week. 这/本周三 is the Wednesday of the
  current week (Monday-first) even if it has passed; 下/下个 adds a week, 下下 two, 上 one
  back.
* "28号" is this month, or next month if the 28th has passed; a month and day without a
  year ("11月28日") are this year, or next year if that day has passed. Days are compared,
  not times. An explicit year, 今年, 明年, 这个月 or 下个月 is never rolled over. A day the
  chosen month lacks ("31号" in November, "2月29日" in 2027) gives ``None``.
* "11.28" and "11/28" are dates only in a date context: followed by 号/日, a weekday, a
  part of day or a clock time, or standing alone (at the start of the message or after
  punctuation or a verb such as 改到, and followed by the end, punctuation or a particle
  such as 吧). "11.28元" and "价格11.28" are not dates.
* "一点" right after 早/晚/快/慢/好… or before 儿/点/都/也 means "a little", not 1 o'clock
  ("晚一点" is not a time); a Chinese-numeral hour after 有/第/这/那/几/每/哪/差 is not a
  clock time ("有三点要求"). 时 is an hour unit only after digits ("15时30分"), so
  "一时半会儿" is not a time.
* A result without a clock time starts at 00:00 of its day (``has_time`` is ``False``); a
  part of day without a clock time starts at its default time (早上 08:00, 上午 10:00, 中午 12:00,
  下午 15:00, 傍晚 18:00, 晚上 19:00, 夜里/深夜 22:00, 半夜 24:00, 凌晨 00:00).
* Offsets: "3天后"/"一周后"/"下个月" name a day (same day next month, clamped to the
  month's end; 这个月 alone names no day); "半小时后"/"两小时后"/"10分钟后" name an exact
  instant (``has_date`` and ``has_time`` both true), truncated to the minute.
"""

from __future__ import annotations

import calendar
import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING

__all__ = ["ParsedTime", "describe", "parse_chinese_time"]


@dataclass(frozen=True)
class ParsedTime:
    """A date/time expression found in a message, resolved against a reference time.

    Attributes:
        start: When it starts, timezone-aware, in the zone of the ``now`` it was
            resolved against. 00:00 of the day when ``has_time`` is false.
        has_date: The text named a day (or an offset such as "3天后", "半小时后").
        has_time: The text named a clock time or a part of day.
        part_of_day: "morning", "forenoon", "noon", "afternoon", "evening", "night" or
            ``None`` when the text named no part of day.
        text: The matched span of the input text.
    """

    start: datetime
    has_date: bool
    has_time: bool
    part_of_day: str | None
    text: str


@dataclass(frozen=True)
class _Pod:
    """A part of day: its name, default time, end and how it reads a clock hour."""

    part: str
    default: int  # minutes after midnight
    end: int  # minutes after midnight when the part is over
    rule: str  # see _clock_minutes


_MORNING = _Pod("morning", 8 * 60, 10 * 60, "am")
_FORENOON = _Pod("forenoon", 10 * 60, 12 * 60, "am")
_NOON = _Pod("noon", 12 * 60, 14 * 60, "noon")
_AFTERNOON = _Pod("afternoon", 15 * 60, 18 * 60, "pm")
_DUSK = _Pod("evening", 18 * 60, 19 * 60, "pm")
_EVENING = _Pod("evening", 19 * 60, 24 * 60, "late5")
_NIGHT = _Pod("night", 22 * 60, 24 * 60, "late6")
_MIDNIGHT = _Pod("night", 24 * 60, 24 * 60, "late6")
_SMALL_HOURS = _Pod("night", 0, 6 * 60, "early")

_PODS: dict[str, _Pod] = {
    **dict.fromkeys(["早上", "早晨", "清早", "清晨", "一早", "一大早", "早", "晨"], _MORNING),
    "上午": _FORENOON,
    **dict.fromkeys(["中午", "正午", "晌午"], _NOON),
    **dict.fromkeys(["下午", "午后"], _AFTERNOON),
    **dict.fromkeys(["傍晚", "黄昏"], _DUSK),
    **dict.fromkeys(["晚上", "晚间", "晚", "夜"], _EVENING),
    **dict.fromkeys(["夜里", "夜间", "深夜"], _NIGHT),
    "半夜": _MIDNIGHT,
    "凌晨": _SMALL_HOURS,
}

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_DIGITS.update({"〇": 0, "两": 2})
_WEEKDAY_INDEX = {c: i for i, c in enumerate("一二三四五六日")}
_WEEKDAY_INDEX.update({"天": 6, **{str(i + 1): i for i in range(7)}})
_WEEKDAY_NAMES = "一二三四五六日"

# Building blocks. Every repetition is bounded, so a search is linear in the text length.
_S = r"\s{0,2}"
_CN = "[零〇一二两三四五六七八九十]"
_NUM = rf"(?:[0-9]{{1,2}}|{_CN}{{1,3}})"
_WEEK = "(?:周|星期|礼拜)"
_WEEKDAY = "(?:[一二三四五六日天]|[1-7](?![0-9]))"
_CLOCK_AHEAD = rf"(?={_S}[0-9零〇一二两三四五六七八九十])"
_WEEK_PREFIX = "下下个?|下个?|这个?|本|上个?"

_ISO = (
    r"(?<![0-9])(?P<iso_y>[0-9]{4})(?P<iso_sep>[-/.])(?P<iso_m>[0-9]{1,2})"
    r"(?P=iso_sep)(?P<iso_d>[0-9]{1,2})(?![0-9])"
)
_YMD = (
    rf"(?:(?:(?<![0-9])(?P<ymd_y>[0-9]{{4}}){_S}年|(?P<ymd_rel>今年|明年)){_S})?"
    rf"(?<![0-9])(?P<ymd_m>{_NUM}){_S}月{_S}(?P<ymd_d>{_NUM})(?:{_S}[日号])?(?![0-9])"
)
_MD = (
    r"(?<![0-9.])(?P<md_m>[0-9]{1,2})[./](?P<md_d>[0-9]{1,2})(?P<md_suffix>[号日])?"
    r"(?![0-9%])(?!\.[0-9])"
)
_OFFSET_TIME = (
    rf"(?<![0-9.])(?P<ot_n>半|[0-9]{{1,3}}|{_CN}{{1,3}}){_S}个?{_S}(?P<ot_half>半)?{_S}"
    rf"(?P<ot_unit>小时|钟头|分钟){_S}(?:之后|以后|后)"
)
_OFFSET_DAYS = (
    rf"(?<![0-9.])(?P<od_n>[0-9]{{1,3}}|{_CN}{{1,3}}){_S}个?{_S}"
    rf"(?P<od_unit>天|日|周|星期|礼拜|月){_S}(?:之后|以后|后)"
)
_MONTH_REL = rf"(?P<mr_p>{_WEEK_PREFIX})月(?:{_S}(?P<mr_d>{_NUM}){_S}[号日])?"
_WEEKDAY_EXPR = (
    rf"(?:(?P<wk_p>{_WEEK_PREFIX})|(?<![0-9零〇一二两三四五六七八九十几])){_WEEK}"
    rf"(?P<wk_d>{_WEEKDAY})"
)
_FUSED = "(?P<fu_d>今|明)(?P<fu_p>晚上?|早上?|夜|晨)"
_REL_DAY = "(?P<rel>大后天|后天|今天|今儿|今日|明天|明儿|明日)"
_DAY_OF_MONTH = (
    rf"(?<![0-9零〇一二两三四五六七八九十月.])(?P<dom_d>{_NUM}){_S}[号日]"
    "(?![线楼床机位房室门厅院口子])"
)
_CLOCK = (
    rf"(?<![0-9.])(?P<c_hh>[0-9]{{1,2}}){_S}:{_S}(?P<c_mm>[0-9]{{2}})(?![0-9])"
    rf"|(?:(?<![0-9.])(?P<c_hd>[0-9]{{1,2}}){_S}(?:点钟|点|时)"
    rf"|(?<![0-9零〇一二两三四五六七八九十有第这那几每哪差])(?P<c_hc>{_CN}{{1,3}})"
    rf"{_S}(?P<c_unit>点钟|点))"
    rf"(?:{_S}过?{_S}(?:(?P<c_half>半)|(?P<c_q>[一三13])刻钟?"
    rf"|(?P<c_m1>[0-9]{{1,2}}|{_CN}{{1,3}}){_S}分钟?"
    rf"|(?P<c_m2>[0-9]{{2}}|[零〇][一二三四五六七八九]|[二三四五]?十[一二三四五六七八九]?)"
    r"(?![0-9])))?"
)
_POD = (
    "(?:一大早|一早|早上|早晨|清早|清晨|上午|中午|正午|晌午|下午|午后|傍晚|黄昏"
    "|晚上|晚间|夜里|夜间|深夜|半夜|凌晨)(?!好)"
    rf"|早{_CLOCK_AHEAD}|晚{_CLOCK_AHEAD}"
)
_NOTE = rf"{_S}(?:\({_S}{_WEEK}{_WEEKDAY}{_S}\)|{_WEEK}{_WEEKDAY})"
_SEP = r"[\s,、的]{0,3}"

_FIRST = re.compile(
    "|".join(
        f"(?P<{kind}>{pattern})"
        for kind, pattern in [
            ("iso", _ISO),
            ("ymd", _YMD),
            ("md", _MD),
            ("offset_time", _OFFSET_TIME),
            ("offset_days", _OFFSET_DAYS),
            ("month_rel", _MONTH_REL),
            ("weekday", _WEEKDAY_EXPR),
            ("fused", _FUSED),
            ("rel_day", _REL_DAY),
            ("dom", _DAY_OF_MONTH),
            ("clock", _CLOCK),
            ("pod", _POD),
        ]
    )
)
_NOTE_AFTER = re.compile(_NOTE)
_POD_AFTER = re.compile(rf"{_SEP}(?P<pod>{_POD})")
_CLOCK_AFTER = re.compile(rf"{_SEP}(?:{_CLOCK})")

# "11.28" counts as a date after these (or at the start) and before these (or at the end).
_MD_BEFORE = re.compile(r"(?:^|[,。!?:;、~]|(?:改|换|调|约|定|排|放|挪|推|延|迟)[到在成至]?)\s*$")
_MD_AFTER = re.compile(r"\s*(?:$|[,。!?;、~吧呢啊呀吗嘛哦哈可行好])")
# "一点" means "a little" after these or before these.
_LITTLE_BEFORE = "早晚快慢好多少近远高低大小稍再些"
_LITTLE_AFTER = "儿点都也"

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


class _Skip(enum.Enum):
    """The match was not a date/time expression after all: search on."""

    SKIP = 0


_SKIP = _Skip.SKIP


def parse_chinese_time(text: str, now: datetime) -> ParsedTime | None:
    """Finds the first Chinese date/time expression in ``text`` and resolves it.

    Full-width characters are folded first (NFKC), so "１１月２８日　１５：３０" works.
    The rules for ambiguous expressions are in this module's docstring.

    Args:
        text: A user message, e.g. "明天下午三点" or "改到下周三晚上7点吧".
        now: The reference time, timezone-aware (callers pass Asia/Shanghai time).

    Returns:
        The expression resolved in ``now``'s time zone, or ``None`` when the text names
        no date and no time, or names an impossible one ("2月30日", "25点").

    Raises:
        ValueError: If ``now`` is naive.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if not text:
        return None
    folded, origin = _fold(text)
    pos = 0
    while True:
        match = _FIRST.search(folded, pos)
        if match is None:
            return None
        outcome = _resolve(folded, match, now)
        if outcome is _SKIP:
            pos = match.start() + 1
            continue
        if outcome is None:
            return None
        start_dt, end, has_date, has_time, pod = outcome
        span = text[origin[match.start()] : origin[end - 1] + 1]
        return ParsedTime(
            start=start_dt,
            has_date=has_date,
            has_time=has_time,
            part_of_day=pod.part if pod else None,
            text=span,
        )


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


if TYPE_CHECKING:
    # start, end of the match in the folded text, has_date, has_time, part of day
    _Resolved = tuple[datetime, int, bool, bool, _Pod | None]


def _resolve(text: str, match: re.Match[str], now: datetime) -> _Resolved | _Skip | None:
    """Resolves the expression starting at ``match``; extends it with a part of day/clock."""
    kind = match.lastgroup
    groups = match.groupdict()
    today = now.date()
    end = match.end()
    day: date | None = None
    bare_weekday = False
    pod: _Pod | None = None
    tentative_pod = False

    if kind == "offset_time":
        return _offset_time(groups, now, end)
    if kind == "iso":
        day = _date(int(groups["iso_y"]), int(groups["iso_m"]), int(groups["iso_d"]))
        if day is None:
            return None
    elif kind == "ymd":
        month, dom = _number(groups["ymd_m"]), _number(groups["ymd_d"])
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
            return _SKIP  # "13.45", "2.30": a number, not a date
    elif kind == "offset_days":
        count = _number(groups["od_n"])
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
                return _SKIP  # 这个月 alone names no day
            day = _add_months(today, months)
        else:
            dom = _number(day_text)
            first = _add_months(today.replace(day=1), months)
            day = _date(first.year, first.month, dom) if dom is not None else None
            if day is None:
                return None
    elif kind == "weekday":
        weekday = _WEEKDAY_INDEX[groups["wk_d"]]
        if groups["wk_p"] is None:
            bare_weekday = True
            day = today + timedelta(days=(weekday - today.weekday()) % 7)
        else:
            monday = today - timedelta(days=today.weekday())
            day = monday + timedelta(days=7 * _prefix_offset(groups["wk_p"]) + weekday)
    elif kind == "fused":
        day = today + timedelta(days=groups["fu_d"] == "明")
        pod = _PODS[groups["fu_p"][0]]
    elif kind == "rel_day":
        day = today + timedelta(days=_REL_DAYS[groups["rel"]])
    elif kind == "dom":
        dom = _number(groups["dom_d"])
        if dom is None:
            return None
        first = today.replace(day=1)
        if dom < today.day:
            first = _add_months(first, 1)
        day = _date(first.year, first.month, dom)
        if day is None:
            return None
    elif kind == "pod":
        pod = _PODS[match.group("pod")]
        tentative_pod = len(match.group("pod")) == 1

    if day is not None and kind != "weekday":
        note = _NOTE_AFTER.match(text, end)
        if note:
            end = note.end()
    date_end = end

    if day is not None and pod is None:
        after_pod = _POD_AFTER.match(text, end)
        if after_pod:
            pod = _PODS[after_pod.group("pod")]
            tentative_pod = len(after_pod.group("pod")) == 1
            end = after_pod.end()

    clock_match: re.Match[str] | None
    if kind == "clock":
        clock_match = match
    else:
        clock_match = _CLOCK_AFTER.match(text, end)
    minutes: int | None = None
    clock_given = False
    if clock_match is not None and not _means_a_little(text, clock_match):
        minutes = _clock_minutes(clock_match.groupdict(), pod)
        if minutes is None:
            return None
        clock_given = True
        end = clock_match.end()
    elif kind == "clock":
        return _SKIP
    elif tentative_pod:  # a bare 早/晚 is a part of day only before a clock time
        if day is None:
            return _SKIP
        pod, end = None, date_end
    if kind == "md" and end == match.end() and not groups["md_suffix"]:
        if not (
            _MD_BEFORE.search(text, max(0, match.start() - 6), match.start())
            and _MD_AFTER.match(text, end)
        ):
            return _SKIP

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


def _offset_time(groups: dict[str, str | None], now: datetime, end: int) -> _Resolved | None:
    """Resolves "半小时后", "一个半小时后", "10分钟后" to an exact instant."""
    count_text = groups["ot_n"] or ""
    count = 0.5 if count_text == "半" else _number(count_text)
    if count is None or (count_text == "半" and groups["ot_half"]):
        return None
    if groups["ot_half"]:
        count += 0.5
    unit = 60 if groups["ot_unit"] in ("小时", "钟头") else 1
    delta = timedelta(minutes=count * unit)
    instant = (now.astimezone(timezone.utc) + delta).astimezone(now.tzinfo)
    return instant.replace(second=0, microsecond=0), end, True, True, None


def _clock_minutes(groups: dict[str, str | None], pod: _Pod | None) -> int | None:
    """Minutes after midnight of a clock time (above 1440 for the night after), or None."""
    padded = False
    if groups["c_hh"] is not None:
        hour: int | None = int(groups["c_hh"])
        minute: int | None = int(groups["c_mm"] or "0")
        padded = (groups["c_hh"] or "").startswith("0")
    else:
        hour_text = groups["c_hd"] or groups["c_hc"] or ""
        hour = _number(hour_text)
        padded = hour_text.startswith("0")
        if groups["c_half"]:
            minute = 30
        elif groups["c_q"]:
            minute = 15 if groups["c_q"] in "一1" else 45
        else:
            minute_text = groups["c_m1"] or groups["c_m2"]
            minute = 0 if minute_text is None else _number(minute_text)
    if hour is None or minute is None or not (0 <= hour <= 24 and 0 <= minute <= 59):
        return None
    if hour == 24 and minute:
        return None
    rule = pod.rule if pod else None
    if rule is None:
        if 1 <= hour <= 6 and not padded:
            hour += 12
    elif rule == "am":
        if hour > 12:
            return None
    elif rule == "early":
        if hour > 12:
            return None
        if hour == 12:
            hour = 0
    elif rule == "noon":
        if hour in (0, 24):
            return None
        if 1 <= hour <= 5:
            hour += 12
    elif rule == "pm":
        if hour in (0, 24):
            return None
        if hour <= 11:
            hour += 12
    else:  # late5 / late6: evening and night
        threshold = 5 if rule == "late5" else 6
        if hour in (0, 12, 24):
            hour = 24
        elif hour < threshold:
            hour += 24
        elif hour < 12:
            hour += 12
    return hour * 60 + minute


def _means_a_little(text: str, clock: re.Match[str]) -> bool:
    """Whether a bare "一点" means "a little" ("晚一点", "一点都不") rather than 1:00."""
    if clock.group("c_hc") != "一" or clock.group("c_unit") != "点":
        return False
    if any(clock.group(g) for g in ("c_half", "c_q", "c_m1", "c_m2")):
        return False
    hour_start = clock.start("c_hc")
    before = text[hour_start - 1] if hour_start else ""
    after = text[clock.end() : clock.end() + 1]
    return (before != "" and before in _LITTLE_BEFORE) or (after != "" and after in _LITTLE_AFTER)


def _passed(day: date, minutes: int, clock_given: bool, pod: _Pod | None, now: datetime) -> bool:
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


def _number(text: str | None) -> int | None:
    """The value of "28", "二十八", "两", "十", "零五"; None for anything else."""
    if not text:
        return None
    if text.isascii():
        return int(text) if text.isdigit() else None
    if "十" not in text:
        if len(text) == 1:
            return _DIGITS.get(text)
        if len(text) == 2 and text[0] in "零〇" and text[1] not in "零〇":
            return _DIGITS.get(text[1])
        return None
    tens_text, _, units_text = text.partition("十")
    if "十" in units_text or tens_text in ("零", "〇") or units_text in ("零", "〇"):
        return None
    tens = 1 if tens_text == "" else _DIGITS.get(tens_text) if len(tens_text) == 1 else None
    units = 0 if units_text == "" else _DIGITS.get(units_text) if len(units_text) == 1 else None
    if tens is None or units is None:
        return None
    return tens * 10 + units


def _fold(text: str) -> tuple[str, list[int]]:
    """NFKC-folds ``text`` character by character, with each output character's origin."""
    if text.isascii():
        return text, list(range(len(text)))
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char) if ord(char) >= 0x80 else char
        chars.append(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin
