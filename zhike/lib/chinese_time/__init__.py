"""Chinese date and time expressions for forms: "明天下午三点", "下周三晚上", "11月28号".

``parse_chinese_time`` finds the first date/time expression in a message and resolves it
against ``now``; ``describe`` renders a result for a confirmation ("11月28日（周六）19:00");
``weekend_days`` gives the two days of a weekend named ("下周末").
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

from zhike.lib.chinese_time.describe import describe
from zhike.lib.chinese_time.parse import ParsedTime, parse_chinese_time
from zhike.lib.chinese_time.weekend import weekend_days

__all__ = ["ParsedTime", "describe", "parse_chinese_time", "weekend_days"]
