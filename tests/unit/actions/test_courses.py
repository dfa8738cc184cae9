from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.course_changes import ActionRequestLessonChange, ValidateLessonChangeForm
from actions.courses import (
    ActionAskLessonId,
    ActionCourseSchedule,
    match_lesson,
    parse_change_kind,
    parse_new_time,
)
from actions.enrollments import (
    ActionCancelEnrollment,
    ActionCourseNotifications,
    ValidateCourseCancelForm,
)
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn

DOMAIN: dict = {}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def test_the_schedule_lists_my_childs_next_lessons(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionCourseSchedule().run(dispatcher, zhang("下节课什么时候", "query_course"), DOMAIN)
    lines = [m for m in dispatcher.messages if m["response"] == "utter_lesson_line"]
    assert lines and all(line["student"] == "张小明" for line in lines)
    assert {line["course"] for line in lines} == {"初二数学（秋季班）", "英语阅读提高班"}
    assert any(line["teacher"] == "王老师" for line in lines)


async def test_a_subject_named_narrows_the_schedule_and_a_teacher_question_gets_the_teachers(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionCourseSchedule().run(dispatcher, zhang("那英语课几点上", "query_course"), DOMAIN)
    lines = [m for m in dispatcher.messages if m["response"] == "utter_lesson_line"]
    assert lines and {line["course"] for line in lines} == {"英语阅读提高班"}
    dispatcher.messages.clear()
    await ActionCourseSchedule().run(dispatcher, zhang("老师是谁啊", "query_course"), DOMAIN)
    assert responses(dispatcher) == ["utter_lesson_teachers"]
    teachers = dispatcher.messages[0]["teachers"]
    assert "初二数学（秋季班） · 王老师" in teachers and "英语阅读提高班 · 陈老师" in teachers
    assert teachers.count("王老师") == 1  # once per course, not per lesson
    dispatcher.messages.clear()
    await ActionCourseSchedule().run(dispatcher, zhang("王老师的课几点上", "query_course"), DOMAIN)
    assert "utter_lesson_line" in responses(dispatcher)  # a time asked: the timetable


async def test_another_family_sees_only_its_own_lessons(
    li_app: Turn, anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionCourseSchedule().run(dispatcher, li_app("下节课什么时候", "query_course"), DOMAIN)
    assert "张小明" not in str(dispatcher.messages)
    dispatcher.messages.clear()
    events = await ActionCourseSchedule().run(dispatcher, anonymous(), DOMAIN)
    assert [(e["event"], e.get("name")) for e in events] == [
        ("followup", "account_binding_form")
    ]  # verify first
    assert responses(dispatcher) == []


def test_change_kinds_and_new_times_in_chinese() -> None:
    assert parse_change_kind("周五的课请个假") == "leave"
    assert parse_change_kind("能调到下周吗") == "reschedule"
    assert parse_change_kind("好的") is None
    now = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)  # a Thursday
    original = datetime(2026, 11, 28, 19, 0, tzinfo=SHANGHAI)
    assert parse_new_time("下周三晚上7点", original, now) == datetime(
        2026, 12, 2, 19, 0, tzinfo=SHANGHAI
    )
    # a bare day keeps the lesson's own clock time
    assert parse_new_time("下周三", original, now) == datetime(2026, 12, 2, 19, 0, tzinfo=SHANGHAI)
    assert parse_new_time("昨天", original, now) is None  # past
    assert parse_new_time("明年3月1日", original, now) is None  # beyond 30 days
    assert parse_new_time("随便", original, now) is None


def test_a_weekday_alone_is_in_the_week_of_the_lesson_moved() -> None:
    """「下周五的英语课改到周六上午」 became this week's Saturday, a week before the lesson."""
    now = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)  # a Monday
    lesson = datetime(2026, 12, 18, 10, 0, tzinfo=SHANGHAI)  # next week's Friday
    assert parse_new_time("周六", lesson, now) == datetime(2026, 12, 19, 10, 0, tzinfo=SHANGHAI)
    moved = parse_new_time("周六上午", lesson, now)
    assert moved is not None and moved.date().isoformat() == "2026-12-19"
    # a week named is that week; a lesson this week keeps this week's days
    assert parse_new_time("这周六", lesson, now).date().isoformat() == "2026-12-12"
    this_week = datetime(2026, 12, 9, 19, 0, tzinfo=SHANGHAI)  # Wednesday
    assert parse_new_time("周五", this_week, now).date().isoformat() == "2026-12-11"


async def test_a_lesson_is_found_by_subject_and_day(
    zhang: Turn, backend: InMemoryBackendClient
) -> None:
    lessons = await backend.upcoming_lessons("C001", limit=10)
    first_math = next(lesson for lesson in lessons if lesson.course_id == "CS001")
    day = first_math.start_at.astimezone(SHANGHAI)
    now = datetime.now(SHANGHAI)
    assert match_lesson(first_math.lesson_id, lessons, now) == first_math
    assert match_lesson(f"{day.month}月{day.day}日的数学课", lessons, now) == first_math
    assert match_lesson("数学课", lessons, now) is None  # several: ask with buttons
    assert match_lesson("好的", lessons, now) is None


async def test_leave_is_requested_and_a_second_time_refused(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    lessons = await backend.upcoming_lessons("C001", limit=10)
    lesson = lessons[0]
    tracker = zhang(lesson_id=lesson.lesson_id, lesson_change_kind="leave", confirmed=True)
    await ActionRequestLessonChange().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[-1]["response"] == "utter_lesson_change_requested"
    assert dispatcher.messages[-1]["request_id"].startswith("LR")
    await ActionRequestLessonChange().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher)[-1] == "utter_lesson_change_exists"


async def test_a_reschedule_carries_the_new_time(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    lesson = (await backend.upcoming_lessons("C001", limit=10))[0]
    new_time = (lesson.start_at + timedelta(days=2)).isoformat()
    tracker = zhang(
        lesson_id=lesson.lesson_id,
        lesson_change_kind="reschedule",
        lesson_change_time=new_time,
        confirmed=True,
    )
    await ActionRequestLessonChange().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[-1]["kind_label"] == "调课"


async def test_another_familys_lesson_cannot_be_chosen(
    li_app: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    zhang_lesson = next(
        lesson
        for lesson in await backend.upcoming_lessons("C001", limit=10)
        if lesson.course_id == "CS001"
    )
    tracker = li_app(zhang_lesson.lesson_id, requested_slot="lesson_id")
    result = await ValidateLessonChangeForm().validate_lesson_id(
        zhang_lesson.lesson_id, dispatcher, tracker, DOMAIN
    )
    assert result["lesson_id"] is None


async def test_leave_needs_no_new_time(zhang: Turn, dispatcher: CollectingDispatcher) -> None:
    slots = ["lesson_id", "lesson_change_kind", "lesson_change_time", "confirmed"]
    form = ValidateLessonChangeForm()
    leave = zhang(lesson_change_kind="leave")
    assert "lesson_change_time" not in await form.required_slots(slots, dispatcher, leave, DOMAIN)


async def test_a_course_is_cancelled_by_button_or_name(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    form = ValidateCourseCancelForm()
    assert await form.validate_course_id("S001/CS002", dispatcher, zhang(), DOMAIN) == {
        "course_id": "S001/CS002"
    }
    assert await form.validate_course_id("英语阅读", dispatcher, zhang(), DOMAIN) == {
        "course_id": "S001/CS002"
    }
    await ActionCancelEnrollment().run(
        dispatcher, zhang(course_id="S001/CS002", confirmed=True), DOMAIN
    )
    assert dispatcher.messages[-1]["response"] == "utter_course_cancelled"
    students = await backend.list_students("C001")
    statuses = {e.course_id: e.status for s in students for e in s.enrollments}
    assert statuses["CS002"] == "cancelled" and statuses["CS001"] == "active"


async def test_the_course_named_in_the_opening_message_is_not_asked_for(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "我想退掉英语阅读课 孩子没时间上": was 「请问要退哪门课程呢？」."""
    form = ValidateCourseCancelForm()
    course = [{"entity": "course", "value": "英语阅读提高班"}]
    opening = zhang("我想退掉英语阅读课 孩子没时间上", "cancel_course", entities=course)
    named = await form.extract_course_id(dispatcher, opening, DOMAIN)
    assert await form.validate_course_id(named["course_id"], dispatcher, opening, DOMAIN) == {
        "course_id": "S001/CS002"
    }
    typed = zhang("英语阅读课", requested_slot="course_id", entities=course)
    value = (await form.extract_course_id(dispatcher, typed, DOMAIN))["course_id"]
    assert await form.validate_course_id(value, dispatcher, typed, DOMAIN) == {
        "course_id": "S001/CS002"
    }
    plain = zhang("我要退课", "cancel_course")
    assert await form.extract_course_id(dispatcher, plain, DOMAIN) == {}


async def test_reminders_follow_the_intent(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    await ActionCourseNotifications().run(
        dispatcher, zhang("关闭上课提醒", "unsubscribe_course_notifications"), DOMAIN
    )
    customer = await backend.get_customer("C001")
    assert customer is not None and customer.course_notifications is False
    await ActionCourseNotifications().run(
        dispatcher, zhang("开启上课提醒", "subscribe_course_notifications"), DOMAIN
    )
    customer = await backend.get_customer("C001")
    assert customer is not None and customer.course_notifications is True
    assert responses(dispatcher) == ["utter_notifications_off", "utter_notifications_on"]


def test_a_time_said_while_the_code_is_asked_is_noted(zhang: Turn) -> None:
    form = ValidateLessonChangeForm()
    tracker = zhang("下周三晚上7点", requested_slot="bind_code")
    assert form.noted_detail("下周三晚上7点", tracker) == "「下周三晚上7点」"
    assert form.noted_detail("123456", tracker) is None  # a wrong code stays a wrong code


async def test_a_bare_day_said_before_the_lesson_is_chosen_takes_the_lessons_clock(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    form = ValidateLessonChangeForm()
    # "孩子周六的课能改到下周三吗" with no lesson on Saturday: the day is kept as said,
    # never as midnight
    early = zhang("孩子周六的课能改到下周三吗", "reschedule_course")
    assert await form.validate_lesson_change_time("下周三", dispatcher, early, DOMAIN) == {
        "lesson_change_time": "下周三"
    }
    lesson = (await backend.upcoming_lessons("C001", limit=10))[0]
    picked = zhang(lesson.lesson_id, requested_slot="lesson_id", lesson_change_time="下周三")
    result = await form.validate_lesson_id(lesson.lesson_id, dispatcher, picked, DOMAIN)
    moment = datetime.fromisoformat(result["lesson_change_time"])
    clock = lesson.start_at.astimezone(SHANGHAI)
    assert (moment.hour, moment.minute) == (clock.hour, clock.minute)
    assert moment.weekday() == 2  # a Wednesday


async def test_a_new_time_said_while_the_lesson_is_asked_is_kept(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateLessonChangeForm()
    tracker = zhang("下周日下午3点", requested_slot="lesson_id")
    assert await form.extract_lesson_id(dispatcher, tracker, DOMAIN) == {
        "lesson_change_time": "下周日下午3点"
    }
    assert responses(dispatcher) == ["utter_lesson_change_time_noted"]


async def test_a_day_without_a_lesson_is_said_before_the_lessons_are_listed(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    lessons = await backend.upcoming_lessons("C001", limit=10)
    days = {lesson.start_at.astimezone(SHANGHAI).weekday() for lesson in lessons}
    free = next(day for day in range(7) if day not in days)
    name = "一二三四五六日"[free]
    tracker = zhang(f"孩子周{name}的课能改到别的时间吗", "reschedule_course")
    assert await ValidateLessonChangeForm().extract_lesson_id(dispatcher, tracker, DOMAIN) == {}
    assert responses(dispatcher) == ["utter_no_lesson_that_day"]
    assert f"周{name}" in dispatcher.messages[0]["day"]


async def test_a_weekday_already_past_this_week_is_the_coming_one(
    backend: InMemoryBackendClient,
) -> None:
    lessons = await backend.upcoming_lessons("C001", limit=10)
    english = next(lesson for lesson in lessons if "英语" in lesson.course_name)
    day = english.start_at.astimezone(SHANGHAI)
    # the day after that lesson's weekday a week before: "这周X" is already past
    now = day - timedelta(days=6)
    weekday = "一二三四五六日"[day.weekday()]
    assert match_lesson(f"英语课这周{weekday}能请假吗", lessons, now) == english


async def test_a_day_said_as_past_stays_past_and_a_lesson_day_is_no_new_time(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    lessons = await backend.upcoming_lessons("C001", limit=10)
    english = next(lesson for lesson in lessons if "英语" in lesson.course_name)
    day = english.start_at.astimezone(SHANGHAI)
    weekday = "一二三四五六日"[day.weekday()]
    # "上周X" is last week's on purpose: no lesson of the coming week is taken for it
    assert match_lesson(f"上周{weekday}的英语课", lessons, day + timedelta(days=1)) is None
    # asked which lesson, a day with a lesson is a lesson named (here none matches), no time
    tracker = zhang(f"{day.month}月{day.day}日数学那节", requested_slot="lesson_id")
    result = await ValidateLessonChangeForm().extract_lesson_id(dispatcher, tracker, DOMAIN)
    assert "lesson_change_time" not in result
    assert "utter_lesson_change_time_noted" not in responses(dispatcher)


async def test_a_day_without_a_lesson_to_take_leave_from_is_said_and_asked_again(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    """ "我想请个假", then "这周X的": no lesson that day; it was "没能理解", 转人工."""
    lessons = await backend.upcoming_lessons("C001", limit=10)
    days = {lesson.start_at.astimezone(SHANGHAI).weekday() for lesson in lessons}
    name = "一二三四五六日"[next(day for day in range(7) if day not in days)]
    form = ValidateLessonChangeForm()
    said = f"这周{name}的"
    tracker = zhang(said, requested_slot="lesson_id", lesson_change_kind="leave")
    assert await form.extract_lesson_id(dispatcher, tracker, DOMAIN) == {"lesson_id": said}
    assert await form.validate_lesson_id(said, dispatcher, tracker, DOMAIN) == {"lesson_id": None}
    assert responses(dispatcher) == ["utter_no_lesson_that_day"]  # no failed answer counted
    assert f"周{name}" in dispatcher.messages[0]["day"]


async def test_a_lesson_with_a_request_already_is_told_before_the_confirmation(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    """ "对" to 「确认提交吗？」 got 「已经提交过」: the rule is now checked first."""
    lesson = (await backend.upcoming_lessons("C001", limit=10))[0]
    await backend.request_lesson_change(lesson.lesson_id, lesson.student_id, "C001", "leave")
    tracker = zhang(lesson.lesson_id, requested_slot="lesson_id", lesson_change_kind="leave")
    slots = await ValidateLessonChangeForm().validate_lesson_id(
        lesson.lesson_id, dispatcher, tracker, DOMAIN
    )
    assert slots == {"lesson_id": lesson.lesson_id, "form_gave_up": True}
    assert responses(dispatcher) == ["utter_lesson_change_exists"]


async def test_a_lesson_already_asked_off_is_not_offered_again(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    lessons = await backend.upcoming_lessons("C001", limit=10)
    asked_off = lessons[0]
    await backend.request_lesson_change(asked_off.lesson_id, asked_off.student_id, "C001", "leave")
    tracker = zhang("我想请个假", requested_slot="lesson_id")
    await ActionAskLessonId().run(dispatcher, tracker, DOMAIN)
    offered = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert asked_off.lesson_id not in offered
    assert offered == [lesson.lesson_id for lesson in lessons[1:7]]


async def test_only_the_lessons_of_the_subject_named_are_offered(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    """ "我想把数学课调到周六上午10点" listed the English lessons too."""
    tracker = zhang("我想把数学课调到周六上午10点", requested_slot="lesson_id")
    tracker.active_loop = {"name": "lesson_change_form"}
    tracker.events.append({"event": "active_loop", "name": "lesson_change_form"})
    await ActionAskLessonId().run(dispatcher, tracker, DOMAIN)
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert len(titles) > 1 and all("数学" in title for title in titles)
    # no subject named: every lesson, as before
    dispatcher = CollectingDispatcher()
    tracker = zhang("我想请个假", requested_slot="lesson_id")
    tracker.active_loop = {"name": "lesson_change_form"}
    tracker.events.append({"event": "active_loop", "name": "lesson_change_form"})
    await ActionAskLessonId().run(dispatcher, tracker, DOMAIN)
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert any("数学" in title for title in titles) and any("英语" in title for title in titles)


@pytest.mark.parametrize(
    ("said", "wish"),
    [("孩子发烧了", "希望孩子早日康复，"), ("那天我们要回老家", "")],
)
async def test_why_the_child_cannot_come_is_noted_kindly_while_the_lesson_is_asked(
    zhang: Turn, dispatcher: CollectingDispatcher, said: str, wish: str
) -> None:
    """Was 「没有找到这节课哦」 with a failed answer counted."""
    tracker = zhang(said, requested_slot="lesson_id", lesson_change_kind="leave")
    form = ValidateLessonChangeForm()
    slots = await form.validate_lesson_id(said, dispatcher, tracker, DOMAIN)
    assert slots == {"lesson_id": None}  # asked again, no failure counted
    [message] = dispatcher.messages
    assert message["response"] == "utter_leave_reason_noted"
    assert message["wish"] == wish and message["kind"] == "请假"
