"""The regular expressions of the grammar, and the parts of day they name."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Pod:
    """A part of day: its name, default time, end and how it reads a clock hour."""

    part: str
    default: int  # minutes after midnight
    end: int  # minutes after midnight when the part is over
    rule: str  # see numerals.clock_minutes


_MORNING = Pod("morning", 8 * 60, 10 * 60, "am")
_FORENOON = Pod("forenoon", 10 * 60, 12 * 60, "am")
_NOON = Pod("noon", 12 * 60, 14 * 60, "noon")
_AFTERNOON = Pod("afternoon", 15 * 60, 18 * 60, "pm")
_DUSK = Pod("evening", 18 * 60, 19 * 60, "pm")
_EVENING = Pod("evening", 19 * 60, 24 * 60, "late5")
_NIGHT = Pod("night", 22 * 60, 24 * 60, "late6")
_MIDNIGHT = Pod("night", 24 * 60, 24 * 60, "late6")
_SMALL_HOURS = Pod("night", 0, 6 * 60, "early")

PODS: dict[str, Pod] = {
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

WEEKDAY_INDEX = {c: i for i, c in enumerate("一二三四五六日")}
WEEKDAY_INDEX.update({"天": 6, **{str(i + 1): i for i in range(7)}})

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

# The first expression in a message; ``lastgroup`` names its kind.
FIRST = re.compile(
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
# What may follow a date: a weekday note, a part of day, a clock time.
NOTE_AFTER = re.compile(_NOTE)
POD_AFTER = re.compile(rf"{_SEP}(?P<pod>{_POD})")
CLOCK_AFTER = re.compile(rf"{_SEP}(?:{_CLOCK})")

# "11.28" counts as a date after these (or at the start) and before these (or at the end).
MD_BEFORE = re.compile(r"(?:^|[,。!?:;、~]|(?:改|换|调|约|定|排|放|挪|推|延|迟)[到在成至]?)\s*$")
MD_AFTER = re.compile(r"\s*(?:$|[,。!?;、~吧呢啊呀吗嘛哦哈可行好])")
