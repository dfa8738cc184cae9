"""The weekend a message names: "周末", "这周末", "下周末", "下个礼拜周末".

A weekend is two days, so it is no date of its own (``parse_chinese_time`` does not read
it): a form asks which of the two is meant, or takes the one it may book. Pure, like the
parser: no I/O, no clock reads.

* "周末" alone is the first weekend with a day after today: on a Sunday, next week's (its
  Saturday is in the past and its Sunday is today); on a Saturday, this one.
* 这/本周末 is the weekend of the current week (Monday-first), even on its Sunday.
* 下/下个 adds a week to the current week's weekend, 下下 two.

Callers ask this only of a message about a day (a form's date question, a change of
one), so a weekend named in passing ("周末价") is never booked.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_WEEKEND = re.compile(
    r"(?P<prefix>下下个?|下个?|这个?|本)?\s{0,2}(?:周|星期|礼拜)?\s{0,2}(?:周末|双休日?)"
)


def weekend_days(text: str, now: datetime) -> tuple[date, date] | None:
    """The Saturday and Sunday of the weekend ``text`` names first, else ``None``.

    Args:
        text: A user message, e.g. "能改到周末送吗" or "下周末上门吧".
        now: The reference time (callers pass China time); only its date is used.

    Returns:
        ``(saturday, sunday)``, or ``None`` when no weekend is named.
    """
    found = _WEEKEND.search(str(text or ""))
    if found is None:
        return None
    today = now.date()
    saturday = today + timedelta(days=5 - today.weekday())  # this week's (Monday-first)
    prefix = found.group("prefix") or ""
    if prefix.startswith("下下"):
        saturday += timedelta(weeks=2)
    elif prefix.startswith("下"):
        saturday += timedelta(weeks=1)
    elif not prefix and today.weekday() == 6:
        saturday += timedelta(weeks=1)  # "周末" said on a Sunday: the coming one
    return saturday, saturday + timedelta(days=1)
