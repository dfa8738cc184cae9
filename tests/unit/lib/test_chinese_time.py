from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from zhike.lib.chinese_time import ParsedTime, describe, parse_chinese_time

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # a Thursday morning
LATE = datetime(2026, 11, 26, 22, 30, tzinfo=TZ)  # the same Thursday, late evening
YEAR_END = datetime(2026, 12, 30, 10, 0, tzinfo=TZ)  # a Wednesday, two days before 2027

# Flags: "D" names a day only, "T" a time only, "DT" both.
CASES: list[tuple[str, datetime, str, str, str | None]] = [
    # relative days
    ("今天", NOW, "2026-11-26 00:00", "D", None),
    ("今儿", NOW, "2026-11-26 00:00", "D", None),
    ("今日", NOW, "2026-11-26 00:00", "D", None),
    ("明天", NOW, "2026-11-27 00:00", "D", None),
    ("明儿", NOW, "2026-11-27 00:00", "D", None),
    ("明日", NOW, "2026-11-27 00:00", "D", None),
    ("后天", NOW, "2026-11-28 00:00", "D", None),
    ("大后天", NOW, "2026-11-29 00:00", "D", None),
    ("今晚", NOW, "2026-11-26 19:00", "DT", "evening"),
    ("明早", NOW, "2026-11-27 08:00", "DT", "morning"),
    ("明晚", NOW, "2026-11-27 19:00", "DT", "evening"),
    ("明天一早", NOW, "2026-11-27 08:00", "DT", "morning"),
    ("今晚8点", NOW, "2026-11-26 20:00", "DT", "evening"),
    ("明晚七点半", NOW, "2026-11-27 19:30", "DT", "evening"),
    ("明儿早上8点", NOW, "2026-11-27 08:00", "DT", "morning"),
    ("后天晚上", NOW, "2026-11-28 19:00", "DT", "evening"),
    # weekdays: now is Thursday 2026-11-26; this week runs Mon 11-23 .. Sun 11-29
    ("周一", NOW, "2026-11-30 00:00", "D", None),
    ("周三", NOW, "2026-12-02 00:00", "D", None),
    ("周四", NOW, "2026-11-26 00:00", "D", None),
    ("周五", NOW, "2026-11-27 00:00", "D", None),
    ("周日", NOW, "2026-11-29 00:00", "D", None),
    ("周天", NOW, "2026-11-29 00:00", "D", None),
    ("星期六", NOW, "2026-11-28 00:00", "D", None),
    ("星期天", NOW, "2026-11-29 00:00", "D", None),
    ("星期日", NOW, "2026-11-29 00:00", "D", None),
    ("礼拜二", NOW, "2026-12-01 00:00", "D", None),
    ("礼拜天", NOW, "2026-11-29 00:00", "D", None),
    ("这周三", NOW, "2026-11-25 00:00", "D", None),
    ("本周五", NOW, "2026-11-27 00:00", "D", None),
    ("这个星期六", NOW, "2026-11-28 00:00", "D", None),
    ("下周三", NOW, "2026-12-02 00:00", "D", None),
    ("下周一", NOW, "2026-11-30 00:00", "D", None),
    ("下个礼拜一", NOW, "2026-11-30 00:00", "D", None),
    ("下星期五", NOW, "2026-12-04 00:00", "D", None),
    ("下下周三", NOW, "2026-12-09 00:00", "D", None),
    ("下下个星期天", NOW, "2026-12-13 00:00", "D", None),
    ("上周三", NOW, "2026-11-18 00:00", "D", None),
    ("周四下午3点", NOW, "2026-11-26 15:00", "DT", "afternoon"),
    ("周四9点", NOW, "2026-12-03 09:00", "DT", None),  # today, but 9:00 has passed
    ("周四早上", NOW, "2026-12-03 08:00", "DT", "morning"),  # the morning is over at 10:00
    ("周四上午", NOW, "2026-11-26 10:00", "DT", "forenoon"),
    ("下周三晚上7点", NOW, "2026-12-02 19:00", "DT", "evening"),
    ("周3下午", NOW, "2026-12-02 15:00", "DT", "afternoon"),
    # absolute dates
    ("11月28日", NOW, "2026-11-28 00:00", "D", None),
    ("11月28号", NOW, "2026-11-28 00:00", "D", None),
    ("十一月二十八号", NOW, "2026-11-28 00:00", "D", None),
    ("11月26日", NOW, "2026-11-26 00:00", "D", None),  # today is not past
    ("11月25日", NOW, "2027-11-25 00:00", "D", None),  # past: next year
    ("1月5日", NOW, "2027-01-05 00:00", "D", None),
    ("今年1月5日", NOW, "2026-01-05 00:00", "D", None),
    ("明年3月5日", NOW, "2027-03-05 00:00", "D", None),
    ("11.28", NOW, "2026-11-28 00:00", "D", None),
    ("改到11.28吧", NOW, "2026-11-28 00:00", "D", None),
    ("11.28晚上8点", NOW, "2026-11-28 20:00", "DT", "evening"),
    ("11/28 15:00", NOW, "2026-11-28 15:00", "DT", None),
    ("2024-11-28", NOW, "2024-11-28 00:00", "D", None),
    ("2024/11/28", NOW, "2024-11-28 00:00", "D", None),
    ("2024.11.28", NOW, "2024-11-28 00:00", "D", None),
    ("2024年11月28日", NOW, "2024-11-28 00:00", "D", None),
    ("2028年2月29日", NOW, "2028-02-29 00:00", "D", None),
    ("2024-11-28 15:30", NOW, "2024-11-28 15:30", "DT", None),
    ("28号", NOW, "2026-11-28 00:00", "D", None),
    ("二十八号", NOW, "2026-11-28 00:00", "D", None),
    ("26号", NOW, "2026-11-26 00:00", "D", None),
    ("5号", NOW, "2026-12-05 00:00", "D", None),  # the 5th has passed: next month
    ("30号", NOW, "2026-11-30 00:00", "D", None),
    ("28号下午3点", NOW, "2026-11-28 15:00", "DT", "afternoon"),
    ("11月28日（周六）19:00", NOW, "2026-11-28 19:00", "DT", None),
    ("明天（周五）下午", NOW, "2026-11-27 15:00", "DT", "afternoon"),
    # full width
    ("１１月２８日", NOW, "2026-11-28 00:00", "D", None),
    ("明天１５：３０", NOW, "2026-11-27 15:30", "DT", None),
    ("２０２４－１１－２８", NOW, "2024-11-28 00:00", "D", None),
    # parts of day alone: today, or tomorrow once the part is over
    ("早上", NOW, "2026-11-27 08:00", "T", "morning"),
    ("早晨", NOW, "2026-11-27 08:00", "T", "morning"),
    ("清早", NOW, "2026-11-27 08:00", "T", "morning"),
    ("上午", NOW, "2026-11-26 10:00", "T", "forenoon"),
    ("中午", NOW, "2026-11-26 12:00", "T", "noon"),
    ("下午", NOW, "2026-11-26 15:00", "T", "afternoon"),
    ("傍晚", NOW, "2026-11-26 18:00", "T", "evening"),
    ("晚上", NOW, "2026-11-26 19:00", "T", "evening"),
    ("夜里", NOW, "2026-11-26 22:00", "T", "night"),
    ("深夜", NOW, "2026-11-26 22:00", "T", "night"),
    ("明天下午", NOW, "2026-11-27 15:00", "DT", "afternoon"),
    ("明天的上午", NOW, "2026-11-27 10:00", "DT", "forenoon"),
    # clock times
    ("3点", NOW, "2026-11-26 15:00", "T", None),  # 1-6 without a part of day: PM
    ("三点", NOW, "2026-11-26 15:00", "T", None),
    ("6点", NOW, "2026-11-26 18:00", "T", None),
    ("两点", NOW, "2026-11-26 14:00", "T", None),
    ("十点半", NOW, "2026-11-26 10:30", "T", None),
    ("3点15", NOW, "2026-11-26 15:15", "T", None),
    ("3点15分", NOW, "2026-11-26 15:15", "T", None),
    ("三点一刻", NOW, "2026-11-26 15:15", "T", None),
    ("3点三刻", NOW, "2026-11-26 15:45", "T", None),
    ("三点过五分", NOW, "2026-11-26 15:05", "T", None),
    ("15时30分", NOW, "2026-11-26 15:30", "T", None),
    ("15:30", NOW, "2026-11-26 15:30", "T", None),
    ("15：30", NOW, "2026-11-26 15:30", "T", None),
    ("3:30", NOW, "2026-11-26 15:30", "T", None),
    ("03:30", NOW, "2026-11-27 03:30", "T", None),  # zero-padded: as written, passed
    ("7点钟", NOW, "2026-11-27 07:00", "T", None),  # 7-12 as written; 07:00 has passed
    ("11点", NOW, "2026-11-26 11:00", "T", None),
    ("12点", NOW, "2026-11-26 12:00", "T", None),
    ("二十三点", NOW, "2026-11-26 23:00", "T", None),
    ("十点零五", NOW, "2026-11-26 10:05", "T", None),
    ("十点十分", NOW, "2026-11-26 10:10", "T", None),
    ("二十四点", NOW, "2026-11-27 00:00", "T", None),
    ("24:00", NOW, "2026-11-27 00:00", "T", None),
    ("零点", NOW, "2026-11-27 00:00", "T", None),
    ("下午3点", NOW, "2026-11-26 15:00", "T", "afternoon"),
    ("下午一点", NOW, "2026-11-26 13:00", "T", "afternoon"),
    ("下午15点", NOW, "2026-11-26 15:00", "T", "afternoon"),
    ("下午3:30", NOW, "2026-11-26 15:30", "T", "afternoon"),
    ("上午十一点", NOW, "2026-11-26 11:00", "T", "forenoon"),
    ("早上8点", NOW, "2026-11-27 08:00", "T", "morning"),
    ("早8点", NOW, "2026-11-27 08:00", "T", "morning"),
    ("晚8点", NOW, "2026-11-26 20:00", "T", "evening"),
    ("晚上7点", NOW, "2026-11-26 19:00", "T", "evening"),
    ("晚上12点", NOW, "2026-11-27 00:00", "T", "evening"),
    ("晚上1点", NOW, "2026-11-27 01:00", "T", "evening"),
    ("傍晚6点", NOW, "2026-11-26 18:00", "T", "evening"),
    ("中午12点", NOW, "2026-11-26 12:00", "T", "noon"),
    ("中午1点", NOW, "2026-11-26 13:00", "T", "noon"),
    ("夜里10点", NOW, "2026-11-26 22:00", "T", "night"),
    ("夜里2点", NOW, "2026-11-27 02:00", "T", "night"),
    ("凌晨3点", NOW, "2026-11-27 03:00", "T", "night"),
    # day + part of day + clock
    ("明天下午三点", NOW, "2026-11-27 15:00", "DT", "afternoon"),
    ("明天 下午 3 点", NOW, "2026-11-27 15:00", "DT", "afternoon"),
    ("明天3点", NOW, "2026-11-27 15:00", "DT", None),
    ("明天一点", NOW, "2026-11-27 13:00", "DT", None),
    ("明天上午十点", NOW, "2026-11-27 10:00", "DT", "forenoon"),
    ("今天晚上12点", NOW, "2026-11-27 00:00", "DT", "evening"),
    ("这个周五下午4点", NOW, "2026-11-27 16:00", "DT", "afternoon"),
    ("我想改到明天下午三点，可以吗", NOW, "2026-11-27 15:00", "DT", "afternoon"),
    # relative offsets
    ("半小时后", NOW, "2026-11-26 10:30", "DT", None),
    ("半个小时以后", NOW, "2026-11-26 10:30", "DT", None),
    ("两小时后", NOW, "2026-11-26 12:00", "DT", None),
    ("一个半小时后", NOW, "2026-11-26 11:30", "DT", None),
    ("10分钟后", NOW, "2026-11-26 10:10", "DT", None),
    ("3天后", NOW, "2026-11-29 00:00", "D", None),
    ("三天以后", NOW, "2026-11-29 00:00", "D", None),
    ("三天后下午", NOW, "2026-11-29 15:00", "DT", "afternoon"),
    ("一周后", NOW, "2026-12-03 00:00", "D", None),
    ("一个星期后", NOW, "2026-12-03 00:00", "D", None),
    ("两个礼拜后", NOW, "2026-12-10 00:00", "D", None),
    ("下个月", NOW, "2026-12-26 00:00", "D", None),
    ("下月", NOW, "2026-12-26 00:00", "D", None),
    ("下个月5号", NOW, "2026-12-05 00:00", "D", None),
    ("本月28号", NOW, "2026-11-28 00:00", "D", None),
    ("3个月后", NOW, "2027-02-26 00:00", "D", None),
    # late evening: times that have passed move to tomorrow, explicit days do not
    ("3点", LATE, "2026-11-27 15:00", "T", None),
    ("22:00", LATE, "2026-11-27 22:00", "T", None),
    ("23:45", LATE, "2026-11-26 23:45", "T", None),
    ("晚上11点", LATE, "2026-11-26 23:00", "T", "evening"),
    ("晚上10点", LATE, "2026-11-27 22:00", "T", "evening"),
    ("晚上12点", LATE, "2026-11-27 00:00", "T", "evening"),
    ("夜里2点", LATE, "2026-11-27 02:00", "T", "night"),
    ("下午", LATE, "2026-11-27 15:00", "T", "afternoon"),
    ("晚上", LATE, "2026-11-26 19:00", "T", "evening"),  # the evening is not over yet
    ("今晚", LATE, "2026-11-26 19:00", "DT", "evening"),
    ("周四", LATE, "2026-11-26 00:00", "D", None),
    ("周四下午3点", LATE, "2026-12-03 15:00", "DT", "afternoon"),
    ("半小时后", LATE, "2026-11-26 23:00", "DT", None),
    ("两小时后", LATE, "2026-11-27 00:30", "DT", None),
    # year end: now is Wednesday 2026-12-30
    ("明天", YEAR_END, "2026-12-31 00:00", "D", None),
    ("后天", YEAR_END, "2027-01-01 00:00", "D", None),
    ("大后天", YEAR_END, "2027-01-02 00:00", "D", None),
    ("周五", YEAR_END, "2027-01-01 00:00", "D", None),
    ("这周日", YEAR_END, "2027-01-03 00:00", "D", None),
    ("下周一", YEAR_END, "2027-01-04 00:00", "D", None),
    ("5号", YEAR_END, "2027-01-05 00:00", "D", None),
    ("31号", YEAR_END, "2026-12-31 00:00", "D", None),
    ("1月5日", YEAR_END, "2027-01-05 00:00", "D", None),
    ("1.5", YEAR_END, "2027-01-05 00:00", "D", None),
    ("12月31日晚上8点", YEAR_END, "2026-12-31 20:00", "DT", "evening"),
    ("11月28日", YEAR_END, "2027-11-28 00:00", "D", None),
    ("下个月", YEAR_END, "2027-01-30 00:00", "D", None),
    ("下下个月", YEAR_END, "2027-02-28 00:00", "D", None),  # clamped to February's end
    ("下个月31号", YEAR_END, "2027-01-31 00:00", "D", None),
    ("3天后", YEAR_END, "2027-01-02 00:00", "D", None),
    ("一周后", YEAR_END, "2027-01-06 00:00", "D", None),
    ("明天晚上12点", YEAR_END, "2027-01-01 00:00", "DT", "evening"),
]

NONE_CASES = [
    "",
    "   ",
    "好的",
    "谢谢，没问题",
    "hello",
    "see you tomorrow at 3pm",
    "😀🎉",
    "2月30日",  # no such day
    "2027年2月29日",
    "2月29日",  # next 29 February would be 2027: no such day
    "13月1日",
    "25点",
    "24:30",
    "下午0点",
    "早上13点",  # contradiction
    "31号",  # November has 30 days
    "0号",
    "这个月31号",  # November has no 31st
    "11.28元",
    "价格11.28",
    "13.45",
    "1.5小时后",
    "1.5 小时后",
    "价格 11.28",
    "我十分后悔",  # 十分 = "very", not ten minutes
    "一时半会儿",
    "这个月",
    "晚一点",
    "早一点",
    "我晚一点到",
    "一点都不方便",
    "我有三点要求",
    "3号线",
    "下周",
    "周末",
    "晚上好",
    "周12",
    "一二三点",
]


def _expected(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "now", "expected", "flags", "part"),
    CASES,
    ids=[f"{c[0]}@{c[1]:%m%d-%H%M}" for c in CASES],
)
def test_parses(text: str, now: datetime, expected: str, flags: str, part: str | None) -> None:
    parsed = parse_chinese_time(text, now)
    assert parsed is not None
    assert parsed.start == _expected(expected)
    assert parsed.start.tzinfo is TZ
    assert (parsed.has_date, parsed.has_time) == ("D" in flags, "T" in flags)
    assert parsed.part_of_day == part


@pytest.mark.parametrize("text", NONE_CASES)
def test_no_date_or_time(text: str) -> None:
    assert parse_chinese_time(text, NOW) is None


@pytest.mark.parametrize(
    "text",
    [
        "a" * 5000,
        "1" * 5000,
        "十" * 5000,
        "点" * 5000,
        "1:" * 2500,
        "1." * 2500,
        "周" * 5000,
        "晚一点" * 1700,
        "2024-11-" * 625,
        "x1.2" * 1250,
        "😀" * 5000,
        " " * 5000,
    ],
    ids=lambda t: repr(t[:6]),
)
def test_long_garbage_is_none(text: str) -> None:
    assert parse_chinese_time(text, NOW) is None


def test_long_text_finds_the_first_expression() -> None:
    parsed = parse_chinese_time("嗯" * 4990 + "明天下午三点", NOW)
    assert parsed is not None
    assert parsed.start == _expected("2026-11-27 15:00")


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("我想改到明天下午三点，可以吗", "明天下午三点"),
        ("那就１１月２８日　下午３点吧", "１１月２８日　下午３点"),
        ("改到11.28吧", "11.28"),
        ("明天晚一点来", "明天"),
        ("三点半以后都行", "三点半"),
        ("好的，下周三晚上7点见", "下周三晚上7点"),
    ],
)
def test_text_is_the_matched_span_of_the_input(text: str, span: str) -> None:
    parsed = parse_chinese_time(text, NOW)
    assert parsed is not None
    assert parsed.text == span


def test_the_first_expression_decides() -> None:
    parsed = parse_chinese_time("周三不行，改到周五吧", NOW)
    assert parsed is not None and parsed.start == _expected("2026-12-02 00:00")
    assert parse_chinese_time("2月30日或者3月1日", NOW) is None


def test_results_are_in_the_zone_of_now() -> None:
    utc_now = NOW.astimezone(timezone.utc)
    parsed = parse_chinese_time("明天下午三点", utc_now)
    assert parsed is not None
    assert parsed.start.tzinfo is timezone.utc
    assert parsed.start == datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)
    later = parse_chinese_time("半小时后", utc_now)
    assert later is not None and later.start == utc_now + timedelta(minutes=30)


def test_offsets_are_truncated_to_the_minute() -> None:
    parsed = parse_chinese_time("半小时后", NOW.replace(second=42, microsecond=7))
    assert parsed is not None and parsed.start == _expected("2026-11-26 10:30")


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_chinese_time("明天", datetime(2026, 11, 26, 10, 0))


@pytest.mark.parametrize(
    ("text", "now", "rendered"),
    [
        ("11月28日晚上7点", NOW, "11月28日（周六）19:00"),
        ("11月28日", NOW, "11月28日（周六）"),
        ("明天下午三点", NOW, "11月27日（周五）15:00"),
        ("3点", NOW, "11月26日（周四）15:00"),
        ("晚上12点", NOW, "11月27日（周五）00:00"),
        ("5号下午3点", YEAR_END, "2027年1月5日（周二）15:00"),
        ("后天", YEAR_END, "2027年1月1日（周五）"),
    ],
)
def test_describe(text: str, now: datetime, rendered: str) -> None:
    parsed = parse_chinese_time(text, now)
    assert parsed is not None
    assert describe(parsed, now) == rendered


def test_describe_without_now_omits_the_year() -> None:
    parsed = ParsedTime(
        start=datetime(2027, 1, 5, 9, 5, tzinfo=TZ),
        has_date=True,
        has_time=True,
        part_of_day="morning",
        text="1月5日早上9点05分",
    )
    assert describe(parsed) == "1月5日（周二）09:05"


@pytest.mark.parametrize(
    "text",
    ["明天下午三点", "下周三晚上7点", "28号", "凌晨3点", "晚上12点", "5号上午十点", "1月5日"],
)
@pytest.mark.parametrize("now", [NOW, LATE, YEAR_END], ids=["now", "late", "year_end"])
def test_describe_round_trips(text: str, now: datetime) -> None:
    parsed = parse_chinese_time(text, now)
    assert parsed is not None
    again = parse_chinese_time(describe(parsed, now), now)
    assert again is not None
    assert again.start == parsed.start
    assert again.has_time == parsed.has_time
