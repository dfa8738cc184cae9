"""Chinese and Arabic numerals, and clock times read with a part of day."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zhike.lib.chinese_time.patterns import Pod

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_DIGITS.update({"〇": 0, "两": 2})
# "一点" means "a little" after these or before these.
_LITTLE_BEFORE = "早晚快慢好多少近远高低大小稍再些"
_LITTLE_AFTER = "儿点都也"


def number(text: str | None) -> int | None:
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


def clock_minutes(groups: dict[str, str | None], pod: Pod | None) -> int | None:
    """Minutes after midnight of a clock time (above 1440 for the night after), or None."""
    padded = False
    if groups["c_hh"] is not None:
        hour: int | None = int(groups["c_hh"])
        minute: int | None = int(groups["c_mm"] or "0")
        padded = (groups["c_hh"] or "").startswith("0")
    else:
        hour_text = groups["c_hd"] or groups["c_hc"] or ""
        hour = number(hour_text)
        padded = hour_text.startswith("0")
        if groups["c_half"]:
            minute = 30
        elif groups["c_q"]:
            minute = 15 if groups["c_q"] in "一1" else 45
        else:
            minute_text = groups["c_m1"] or groups["c_m2"]
            minute = 0 if minute_text is None else number(minute_text)
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


def means_a_little(text: str, clock: re.Match[str]) -> bool:
    """Whether a bare "一点" means "a little" ("晚一点", "一点都不") rather than 1:00."""
    if clock.group("c_hc") != "一" or clock.group("c_unit") != "点":
        return False
    if any(clock.group(g) for g in ("c_half", "c_q", "c_m1", "c_m2")):
        return False
    hour_start = clock.start("c_hc")
    before = text[hour_start - 1] if hour_start else ""
    after = text[clock.end() : clock.end() + 1]
    return (before != "" and before in _LITTLE_BEFORE) or (after != "" and after in _LITTLE_AFTER)
