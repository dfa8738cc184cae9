"""The result type and the entry point: find the first expression in a message."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from zhike.lib.chinese_time.patterns import FIRST
from zhike.lib.chinese_time.resolve import SKIP, resolve


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


def parse_chinese_time(text: str, now: datetime) -> ParsedTime | None:
    """Finds the first Chinese date/time expression in ``text`` and resolves it.

    Full-width characters are folded first (NFKC), so "１１月２８日　１５：３０" works.
    The rules for ambiguous expressions are in the ``zhike.lib.chinese_time`` docstring.

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
        match = FIRST.search(folded, pos)
        if match is None:
            return None
        outcome = resolve(folded, match, now)
        if outcome is SKIP:
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
