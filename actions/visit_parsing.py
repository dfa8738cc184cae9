"""Pure helpers of the installation and repair visit forms: what the customer typed.

"明天上午", "周六下午", "12月10号上午" name a slot (a China-time day and ``am``/``pm``);
"电视坏了没画面" asks for a repair and describes the fault; "装空调" an installation.
No I/O: the forms call these with the text and the current time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from actions.parsing import normalize_text
from zhike.common.privacy import mask_address, mask_phone
from zhike.lib.backend_client.visits.domain import AM, INSTALL, PM, REPAIR, Slot, Visit
from zhike.lib.chinese_time import parse_chinese_time, weekend_days

WEEKDAYS = "一二三四五六日"
PERIOD_NAMES = {AM: "上午", PM: "下午"}
PERIOD_HOURS = {AM: "9:00–12:00", PM: "13:00–18:00"}
KIND_NAMES = {INSTALL: "上门安装", REPAIR: "上门维修"}
STATUS_NAMES = {
    "booked": "已预约，正在为您安排师傅",
    "assigned": "已派单",
    "done": "已完成",
    "cancelled": "已取消",
}
_VISIT_ID_RE = re.compile(r"SV\d{8}", re.IGNORECASE)
_REPAIR_RE = re.compile(
    r"修|坏|故障|不制冷|不制热|不出风|没画面|黑屏|花屏|没声音|漏水|滴水|异响|噪音|不亮|"
    r"打不开|开不了机|不开机|不工作|没反应|闪屏|不启动|有问题|出问题|报错|失灵|检测"
)
_SYMPTOM_RE = re.compile(
    r"坏|故障|不制冷|不制热|不出风|没画面|黑屏|花屏|没声音|漏水|滴水|异响|噪音|不亮|打不开|"
    r"开不了机|不开机|不工作|没反应|闪屏|不启动|报错|失灵"
)
_INSTALL_RE = re.compile(r"装|安装|挂|上墙|壁挂|移机")
_NOT_A_PROBLEM_RE = re.compile(
    r"^(?:我?要|帮我|麻烦|申请|预约)*(?:报修|维修|修一下|修理|上门维修)+[。！!]*$"
)


@dataclass(frozen=True)
class SlotAnswer:
    """A typed slot: ``day`` and ``period``, or what was missing (``problem``).

    ``problem`` is ``None`` for a complete slot, ``"no_date"`` (no day named),
    ``"no_period"`` (a day without 上午/下午), ``"off_hours"`` (evening or night).
    """

    day: date | None
    period: str | None
    problem: str | None


def parse_visit_kind(value: object) -> str | None:
    """``repair`` for 修/坏/没画面…, ``install`` for 装/安装, else ``None``."""
    text = normalize_text(value)
    if _REPAIR_RE.search(text):
        return REPAIR
    if _INSTALL_RE.search(text):
        return INSTALL
    return None


def fault_description(value: object) -> str | None:
    """The fault the customer described ("电视坏了没画面"), or ``None`` for a bare "报修"."""
    text = re.sub(r"\s+", " ", normalize_text(value)).strip()
    text = re.sub(r"HP\d{8}", "", text, flags=re.IGNORECASE).strip(" ，,。")
    if not text or _NOT_A_PROBLEM_RE.match(text) or not _SYMPTOM_RE.search(text):
        return None
    return text[:200]


def parse_problem(value: object) -> str | None:
    """A fault description of 2-200 characters."""
    text = re.sub(r"\s+", " ", normalize_text(value)).strip()
    return text if 2 <= len(text) <= 200 else None


def parse_visit_id(value: object) -> str | None:
    """``SV`` + 8 digits in ``value``, upper-cased."""
    found = _VISIT_ID_RE.search(normalize_text(value))
    return found.group(0).upper() if found else None


def parse_visit_slot(value: object, now: datetime) -> SlotAnswer:
    """The slot a message names, resolved against ``now`` (China time).

    The part of day decides the period (上午/早上 -> ``am``; 中午/下午 -> ``pm``), else
    the clock time (before 12:00 -> ``am``, 12:00-17:59 -> ``pm``). Evening and night are
    ``off_hours``. "12月10号" without a part of day is ``no_period``.
    """
    text = normalize_text(value)
    parsed = parse_chinese_time(text, now)
    period = _period_word(text)
    if period is None and parsed is not None and parsed.has_time:
        if parsed.part_of_day not in ("evening", "night"):
            period = _hour_period(parsed.start.hour)  # "2点以后都行": 14:00, the afternoon
    if parsed is None or not parsed.has_date:
        return SlotAnswer(None, period, "no_date")
    day = parsed.start.date()
    if period is None and (parsed.has_time or parsed.part_of_day in ("evening", "night")):
        return SlotAnswer(day, None, "off_hours")
    if period is None:
        return SlotAnswer(day, None, "no_period")
    return SlotAnswer(day, period, None)


def _hour_period(hour: int) -> str | None:
    """The half-day of a clock hour: 7-11 the morning, 12-17 the afternoon, else none."""
    if 7 <= hour < 12:
        return AM
    if 12 <= hour < 18:
        return PM
    return None


# "往后推一天", "晚两天", "提前一天": the booked visit moved by days, the same part of day.
_SHIFT_RE = re.compile(
    r"(?P<later>往后推?|向后推?|推迟|延后|延迟|顺延|推|晚|挪后|往后挪)个?(?P<n>[一二两三1-3])天"
    r"|(?P<earlier>提前|往前推?|早)个?(?P<m>[一二两三1-3])天"
)
_SHIFT_DAYS = {"一": 1, "二": 2, "两": 2, "三": 3, "1": 1, "2": 2, "3": 3}


def shift_days(value: object) -> int | None:
    """Days a message moves the booked visit by ("往后推一天": 1, "提前两天": -2), if any."""
    match = _SHIFT_RE.search(normalize_text(value))
    if match is None:
        return None
    if match.group("later"):
        return _SHIFT_DAYS[match.group("n")]
    return -_SHIFT_DAYS[match.group("m")]


def weekend_said(said: list[str], now: datetime) -> tuple[date, date] | None:
    """The weekend the customer's latest words about a day named ("周末能上门安装吗").

    ``None`` when a day was named after it ("周六下午吧") or no weekend at all.
    """
    for text in reversed(said):
        if parse_visit_slot(text, now).day is not None:
            return None
        days = weekend_days(normalize_text(text), now)
        if days is not None:
            return days
    return None


def day_said(said: list[str], now: datetime) -> date | None:
    """The day the customer's latest words about a time named without 上午/下午 ("约周六吧").

    ``None`` when the latest time named is a full slot, a weekend or none at all.
    """
    for text in reversed(said):
        answer = parse_visit_slot(text, now)
        if answer.day is not None:
            return answer.day if answer.problem == "no_period" else None
        if weekend_days(normalize_text(text), now) is not None:
            return None
    return None


def period_said(said: list[str], now: datetime) -> str | None:
    """The half-day the customer's latest words about a time named without a day.

    "能改到下午吗", "2点以后都行": the afternoon's free slots are offered. ``None`` when
    the latest time named has a day, is a weekend or none was named.
    """
    for text in reversed(said):
        answer = parse_visit_slot(text, now)
        if answer.day is not None or weekend_days(normalize_text(text), now) is not None:
            return None
        if answer.period is not None and parse_chinese_time(normalize_text(text), now):
            return answer.period  # a time named ("早点来" is sooner, not the morning)
    return None


_PERIOD_WORDS = (
    (re.compile(r"上午|早上|早晨|上半天|早点"), AM),
    (re.compile(r"下午|中午|午后|下半天"), PM),
)


def _period_word(text: str) -> str | None:
    """The half-day named last: "上午上班 能不能换到下午" wants the afternoon."""
    said = [
        (match.start(), period) for words, period in _PERIOD_WORDS for match in words.finditer(text)
    ]
    return max(said)[1] if said else None


def slot_value(day: date, period: str) -> str:
    """The slot as the form keeps it: ``"2024-12-05 am"``."""
    return f"{day.isoformat()} {period}"


def slot_of(value: object) -> tuple[date, str] | None:
    """The ``(day, period)`` of a kept slot value, else ``None``."""
    parts = str(value or "").split()
    if len(parts) != 2 or parts[1] not in PERIOD_NAMES:
        return None
    try:
        return date.fromisoformat(parts[0]), parts[1]
    except ValueError:
        return None


def day_label(day: date) -> str:
    """``"12月5日（周六）"``."""
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def slot_label(day: date, period: str) -> str:
    """``"12月5日（周六）上午 9:00–12:00"``."""
    return f"{day_label(day)}{PERIOD_NAMES[period]} {PERIOD_HOURS[period]}"


def slot_button(slot: Slot) -> dict[str, str]:
    """A free slot as a button; the payload is typed text ("12月5日上午")."""
    text = f"{slot.day.month}月{slot.day.day}日{PERIOD_NAMES[slot.period]}"
    return {"title": f"{day_label(slot.day)}{PERIOD_NAMES[slot.period]}", "payload": text}


def nearest(slots: tuple[Slot, ...] | list[Slot], day: date, count: int = 3) -> list[Slot]:
    """The ``count`` free slots nearest to ``day``, in time order."""
    ranked = sorted(slots, key=lambda slot: (abs((slot.day - day).days), slot.day, slot.period))
    return sorted(ranked[:count], key=lambda slot: (slot.day, slot.period))


def engineer_title(name: str | None) -> str:
    """An engineer as customers hear it: 王建国 -> 王师傅."""
    name = (name or "").strip()
    return f"{name[0]}师傅" if name else "师傅"


def contact_text(address: str, phone: str) -> str:
    """``上门地址：上海市浦东新区****；联系电话：138****8001`` (masked)."""
    return f"上门地址：{mask_address(address)}；联系电话：{mask_phone(phone)}"


def short_name(name: str) -> str:
    """A product's short name for replies: its brand and kind (海信电视, 格力空调)."""
    brand = name.split()[0] if name.split() else name
    for kind in ("空调", "电视", "洗衣机", "冰箱", "热水器", "油烟机", "料理机"):
        if kind in name:
            return f"{brand}{kind}"
    return name


def visit_line(visit: Visit) -> str:
    """One visit for the status answer (engineer masked, phone masked)."""
    status = STATUS_NAMES.get(visit.status, "处理中")
    if visit.status == "assigned":
        status = f"已派单，{engineer_title(visit.engineer)}将按约上门"
    what = f"{short_name(visit.product_name)}{KIND_NAMES.get(visit.kind, '上门服务')}"
    when = slot_label(visit.day, visit.period)
    return f"· 预约单 {visit.visit_id}（订单 {visit.order_id}）：{what}，{when}，{status}"
