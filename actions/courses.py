"""Courses: lesson schedule, leave/reschedule a lesson, cancel a course, reminders."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import remind_active_form, said_in_form
from actions.dates import CHINA_TZ
from actions.services import backend
from actions.submit import apologise
from actions.verify_first import customer_asking, verify_first
from zhike.lib.backend_client import BackendError, BackendUnavailable, Lesson
from zhike.lib.backend_client.domain import LEAVE, RESCHEDULE
from zhike.lib.chinese_time import ParsedTime, parse_chinese_time

logger = logging.getLogger(__name__)

WEEKDAYS = "一二三四五六日"
KIND_LABELS = {LEAVE: "请假", RESCHEDULE: "调课"}
# Why the child cannot come ("孩子发烧了", "那天要出差"), said while asked which lesson: noted
# kindly, no failed answer; the school takes no reason, so nothing is stored.
_SICK_WORDS = r"发烧|生病|病了|感冒|咳嗽|不舒服|住院|看病|医院|受伤|摔"
LEAVE_REASON = re.compile(
    _SICK_WORDS + r"|疫苗|有事|出差|出门|旅游|旅行|回老家|走亲戚|考试|比赛|活动|婚礼|葬礼|"
    r"去不了|来不了|上不了|赶不上|没时间|没空"
)
_SICK = re.compile(_SICK_WORDS)


def leave_reason_wish(text: str) -> str | None:
    """For a reason to miss a lesson, the wish said with it ("希望早日康复，" or ""), else None."""
    if not LEAVE_REASON.search(text):
        return None
    return "希望孩子早日康复，" if _SICK.search(text) else ""


def misses_lesson(text: str, now: datetime) -> bool:
    """A reason to miss a lesson, with no other time named ("发烧", "那天有事")."""
    return leave_reason_wish(text) is not None and parse_chinese_time(text, now) is None


_LESSON_ID_RE = re.compile(r"\b(CS\d{3}-\d{8})\b", re.IGNORECASE)
_SUBJECTS = ("数学", "英语", "语文", "物理", "化学", "生物", "历史", "地理", "政治", "口语", "阅读")
# "老师是谁", "哪个老师上" (and no time asked: "王老师的课几点" wants the timetable)
_TEACHER = re.compile(r"老[师師]|教[师師]|谁[上教讲带]|哪位")
_WHEN = re.compile(r"几点|幾點|哪天|什么时候|啥时候|周几|星期几|时间|几号")


def lesson_time(start: datetime, end: datetime | None = None) -> str:
    """``"11月28日（周五）19:00–20:30"`` in China time."""
    local = start.astimezone(CHINA_TZ)
    text = f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"
    if end is not None:
        text += f"–{end.astimezone(CHINA_TZ):%H:%M}"
    return text


# A lesson's leave or reschedule request the school still has (the backend refuses another).
LIVE_REQUESTS = ("pending", "approved")


def lesson_button(lesson: Lesson) -> dict[str, str]:
    """A button whose payload is the lesson id (the form extracts it)."""
    title = f"{lesson.student_name} {lesson.course_name} {lesson_time(lesson.start_at)}"
    return {"title": title, "payload": lesson.lesson_id}


# Days said as past on purpose ("上周三的课", "昨天"): no week is added to them.
_BACKWARDS = re.compile(r"上|昨|前天")
# A weekday with no week named ("周六", not "下周六"): the week of the lesson moved.
_BARE_WEEKDAY = re.compile(r"(?<![这本下上])(?:周|星期|礼拜)[一二三四五六日天]")


def lesson_day(text: str, now: datetime) -> ParsedTime | None:
    """The day a message names for a lesson, a week on when it is already past.

    "这周三的课请假" said on a Saturday can only mean the coming Wednesday: a lesson that
    is over cannot be changed. ``None`` when no day is named.
    """
    parsed = parse_chinese_time(text, now)
    if parsed is None or not parsed.has_date:
        return None
    past = parsed.start.astimezone(CHINA_TZ).date() < now.astimezone(CHINA_TZ).date()
    if past and not _BACKWARDS.search(parsed.text):  # "上周三", "昨天" stay in the past
        return replace(parsed, start=parsed.start + timedelta(days=7))
    return parsed


def named_subject(text: str) -> str | None:
    """The subject a message names ("数学课改到周六" -> "数学"), else ``None``."""
    return next((subject for subject in _SUBJECTS if subject in text), None)


def of_subject(lessons: list[Lesson], subject: str | None) -> list[Lesson]:
    """The lessons of ``subject`` (all of them when no subject is named)."""
    if subject is None:
        return lessons
    return [lesson for lesson in lessons if subject in lesson.course_name]


def match_lesson(text: str, lessons: list[Lesson], now: datetime) -> Lesson | None:
    """The lesson ``text`` names: its id, or a day ("周五的课") and/or a subject."""
    found = _LESSON_ID_RE.search(text)
    if found:
        wanted = found.group(1).upper()
        return next((lesson for lesson in lessons if lesson.lesson_id.upper() == wanted), None)
    subject = named_subject(text)
    candidates = of_subject(lessons, subject)
    named = lesson_day(text, now)
    if named is not None:
        day = named.start.astimezone(CHINA_TZ).date()
        candidates = [c for c in candidates if c.start_at.astimezone(CHINA_TZ).date() == day]
    if not subject and named is None:
        return None
    return candidates[0] if len(candidates) == 1 else None


def parse_change_kind(text: str) -> str | None:
    """``leave`` for 请假/不上, ``reschedule`` for 调课/改时间/换时间."""
    if re.search(r"请.{0,2}假|不上|不去|缺课|停一次", text):
        return LEAVE
    if re.search(r"调|改|换|挪|推迟|延后|提前", text):
        return RESCHEDULE
    return None


def parse_new_time(text: str, original: datetime | None, now: datetime) -> datetime | None:
    """The wished new lesson time: future, within 30 days; a bare day keeps the old clock."""
    parsed = parse_chinese_time(text, now)
    if parsed is None:
        return None
    start = parsed.start
    if not parsed.has_time and original is not None:
        clock = original.astimezone(CHINA_TZ)
        start = start.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
    if original is not None and _BARE_WEEKDAY.search(text):
        # "下周五的课改到周六": that Saturday, not this week's, the day before the lesson
        day = original.astimezone(CHINA_TZ).date()
        same_week = day + timedelta(days=start.weekday() - day.weekday())
        moved = start + timedelta(days=(same_week - start.date()).days)
        start = moved if moved > now else start
    if not now < start <= now + timedelta(days=30):
        return None
    return start


async def customer_lessons(tracker: Tracker) -> tuple[str | None, list[Lesson]]:
    """The identified customer and their upcoming lessons (up to 10)."""
    customer_id = await customer_asking(tracker)
    if customer_id is None:
        return None, []
    return customer_id, await backend().upcoming_lessons(customer_id, limit=10)


class ActionCourseSchedule(Action):
    """Lists the next lessons of the customer's students."""

    def name(self) -> str:
        """See the base class."""
        return "action_course_schedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """One line per lesson; an anonymous sender is verified first."""
        try:
            customer_id, lessons = await customer_lessons(tracker)
        except BackendUnavailable:
            return await apologise(dispatcher, tracker, "course", "查询课表失败", None)
        if customer_id is None:
            return verify_first(dispatcher, tracker)
        if not lessons:
            dispatcher.utter_message(response="utter_no_lessons")
            return []
        text = str((tracker.latest_message or {}).get("text") or "")
        lessons = of_subject(lessons, named_subject(text)) or lessons  # "那英语课几点上"
        if _TEACHER.search(text) and not _WHEN.search(text):
            # "老师是谁啊": each course's teacher, not the timetable again
            teachers = dict.fromkeys(
                f"{lesson.course_name} · {lesson.teacher}" for lesson in lessons
            )
            dispatcher.utter_message(response="utter_lesson_teachers", teachers="；".join(teachers))
            return []
        dispatcher.utter_message(response="utter_lessons_intro")
        for lesson in lessons[:5]:
            note = "（已申请请假/调课）" if lesson.request_status else ""
            dispatcher.utter_message(
                response="utter_lesson_line",
                student=lesson.student_name,
                course=lesson.course_name,
                teacher=lesson.teacher,
                when=lesson_time(lesson.start_at, lesson.end_at),
                note=note,
            )
        remind_active_form(dispatcher, tracker)
        return []


class ActionAskLessonId(Action):
    """Asks which lesson, with the upcoming lessons as buttons."""

    def name(self) -> str:
        """See the base class."""
        return "action_ask_lesson_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Buttons for the next lessons, those with a leave or change requested left out.

        A lesson already asked off is no choice ("请假" offered it again, then said it
        was requested); when every lesson has a request, all are listed as they are.
        """
        try:
            _, lessons = await customer_lessons(tracker)
        except BackendError:
            lessons = []
        if not lessons:
            dispatcher.utter_message(response="utter_no_lessons")
            return []
        free = [lesson for lesson in lessons if lesson.request_status not in LIVE_REQUESTS]
        offered = free or lessons
        form = (tracker.active_loop or {}).get("name")
        said = " ".join(said_in_form(tracker, form)) if form else ""
        # "我想把数学课调到周六上午10点": the maths lessons only, when there are some
        offered = of_subject(offered, named_subject(said)) or offered
        buttons = [lesson_button(lesson) for lesson in offered[:6]]
        dispatcher.utter_message(response="utter_choose_lesson", buttons=buttons)
        return []
