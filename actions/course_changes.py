"""Changing a lesson: leave (请假) or reschedule (调课), with the lesson and time in one message."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import said_in_form
from actions.courses import (
    KIND_LABELS,
    LIVE_REQUESTS,
    customer_lessons,
    leave_reason_wish,
    lesson_day,
    lesson_time,
    match_lesson,
    misses_lesson,
    parse_change_kind,
    parse_new_time,
)
from actions.dates import CHINA_TZ
from actions.forms import ZhikeFormValidationAction
from actions.identity import identify
from actions.lesson_change_times import (
    NOTED_MAX,
    changed_time,
    named_lesson_and_time,
    pending_time,
    split_change,
)
from actions.parsing import normalize_text
from actions.services import backend
from actions.submit import FormSubmitAction, apologise
from zhike.lib.backend_client import BackendError, BackendUnavailable, Lesson
from zhike.lib.backend_client.domain import LEAVE, RESCHEDULE
from zhike.lib.chinese_time import ParsedTime, describe, parse_chinese_time

logger = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(CHINA_TZ)


async def _lesson(tracker: Tracker) -> Lesson | None:
    lesson_id = tracker.get_slot("lesson_id")
    if not lesson_id:
        return None
    _, lessons = await customer_lessons(tracker)
    return next((lesson for lesson in lessons if lesson.lesson_id == lesson_id), None)


# "发烧了" to 「确认提交吗？」: why, not a yes or a no (noted, and the question asked again).
REASON_SAID = "reason_said"


class ValidateLessonChangeForm(ZhikeFormValidationAction):
    """Which lesson, leave or reschedule, and (for a reschedule) the wished time."""

    needs_customer = True
    confirm_words = ("请假", "调课", "调", "改")

    def name(self) -> str:
        """See the base class."""
        return "validate_lesson_change_form"

    async def form_slots(self, domain_slots: list[str], tracker: Tracker) -> list[str]:
        """Leave needs no new time."""
        if tracker.get_slot("lesson_change_kind") == "leave":
            return [slot for slot in domain_slots if slot != "lesson_change_time"]
        return domain_slots

    async def extract_lesson_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The lesson from a button (clicked, or "2"), or named in the text ("周五的数学课")."""
        if tracker.get_slot("lesson_id"):
            return {}
        option = self.offered_option("lesson_id", tracker, domain)
        if option:
            return option
        text, _ = split_change(self.latest_text(tracker))
        try:
            _, lessons = await customer_lessons(tracker)
        except BackendError:
            return {}
        now = _now()
        lesson = match_lesson(text, lessons, now)
        if lesson is not None:
            return {"lesson_id": lesson.lesson_id}
        asked = tracker.get_slot("requested_slot")
        named = lesson_day(text, now) if text and "课" not in text else None
        leave = tracker.get_slot("lesson_change_kind") == "leave"  # no new time to say
        if asked == "lesson_id" and named and not leave and not self.interrupted(tracker):
            if not on_day(lessons, named):
                # "下周日下午3点" while the lesson is asked, a day without lessons: the new
                # time, said first ("周三那节" with two lessons that Wednesday is no time)
                dispatcher.utter_message(response="utter_lesson_change_time_noted", time=text)
                return {"lesson_change_time": text}
        named = lesson_day(text, now) if asked is None and lessons else None
        if named is not None:
            # "周六的课改到周日" with no lesson on Saturday: say so before listing them
            dispatcher.utter_message(response="utter_no_lesson_that_day", day=describe(named))
        return self.text_answer("lesson_id", tracker)

    async def validate_lesson_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One of the customer's upcoming lessons."""
        try:
            _, lessons = await customer_lessons(tracker)
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"lesson_id": None, "form_gave_up": True}
        lesson = next((lesson for lesson in lessons if lesson.lesson_id == value), None)
        if lesson is not None and lesson.request_status in LIVE_REQUESTS:
            # checked before the confirmation, not after it ("确认提交吗？" then "已经提交过")
            dispatcher.utter_message(response="utter_lesson_change_exists")
            return {"lesson_id": value, "form_gave_up": True}
        if lesson is not None:
            slots: dict[str, Any] = {"lesson_id": value}
            wished = tracker.get_slot("lesson_change_time")
            if pending_time(wished):  # "改到周日" said before: at this lesson's clock
                moment = parse_new_time(normalize_text(wished), lesson.start_at, _now())
                slots["lesson_change_time"] = moment.isoformat() if moment else None
            return slots
        if not lessons:
            dispatcher.utter_message(response="utter_no_lessons")
            return {"lesson_id": None, "form_gave_up": True}
        named = lesson_day(normalize_text(value), _now())
        if named is not None and not on_day(lessons, named):
            # "这周六的", a day without lessons: said so, no failed answer
            dispatcher.utter_message(response="utter_no_lesson_that_day", day=describe(named))
            return {"lesson_id": None}
        wish = leave_reason_wish(str(value))
        if wish is not None and named is None:
            # "孩子发烧了": why, not which lesson (was 「没有找到这节课」)
            kind = KIND_LABELS.get(tracker.get_slot("lesson_change_kind") or "", "请假")
            dispatcher.utter_message(response="utter_leave_reason_noted", wish=wish, kind=kind)
            return {"lesson_id": None}
        return self.reject("lesson_id", dispatcher, tracker)

    async def extract_lesson_change_kind(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """请假 or 调课, also when said with the lesson ("周五的课请假") or before it.

        "英语课想换个时间上", asked about (「您是想咨询…」) and picked as 「课程请假/调课」,
        said 调课 already: the messages since the form started count, the latest first.
        """
        if tracker.get_slot("lesson_change_kind"):
            return {}
        option = self.offered_option("lesson_change_kind", tracker, domain)
        if option:
            return option
        said = [self.latest_text(tracker)]
        if tracker.get_slot("requested_slot") != "lesson_change_kind":
            earlier = reversed(said_in_form(tracker, self.form_name()))
            said += [normalize_text(text) for text in earlier]
        kind = next(filter(None, map(parse_change_kind, said)), None)
        if kind is not None:
            return {"lesson_change_kind": kind}
        text, asked = self.latest_text(tracker), tracker.get_slot("requested_slot")
        if asked == "lesson_change_kind" and misses_lesson(text, _now()):
            return {"lesson_change_kind": LEAVE}  # "发烧" to 请假还是调课: the child misses it
        return self.text_answer("lesson_change_kind", tracker)

    async def validate_lesson_change_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """``leave`` or ``reschedule``."""
        kind = value if value in KIND_LABELS else parse_change_kind(normalize_text(value))
        return self.accept("lesson_change_kind", kind, dispatcher, tracker)

    async def extract_lesson_change_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The user's text when the new time was asked, or the new time in the request.

        "周日的英语课改到下周二下午4点" gives "下周二下午4点" as soon as the form starts.
        """
        if tracker.get_slot("requested_slot") is None and not tracker.get_slot(
            "lesson_change_time"
        ):
            _, target = split_change(self.latest_text(tracker))
            if target and parse_new_time(target, None, _now()) is not None:
                return {"lesson_change_time": target}
        return self.text_answer("lesson_change_time", tracker)

    async def after_binding(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Once the customer is known, the lesson and time named before.

        In the opening message ("周日的英语课改到下周二下午4点"), or while the phone or
        code was asked ("下周三晚上7点", :meth:`noted_detail`). Before the identity check
        their lessons were unknown, so "周日的英语课" could not be matched; it is not
        asked again.
        """
        source, target = named_lesson_and_time(said_in_form(tracker, self.form_name()), _now())
        try:
            _, lessons = await customer_lessons(tracker)
        except BackendError:
            return {}
        now, slots = _now(), {}
        lesson = match_lesson(source, lessons, now) if source else None
        if lesson is not None and not tracker.get_slot("lesson_id"):
            slots["lesson_id"] = lesson.lesson_id
        if not target or tracker.get_slot("lesson_change_time"):
            return slots
        said = parse_chinese_time(target, now)
        if lesson is None and said is not None and not said.has_time:
            slots["lesson_change_time"] = target  # its clock comes with the lesson
            return slots
        moment = parse_new_time(target, lesson.start_at if lesson else None, now)
        if moment is not None:
            slots["lesson_change_time"] = moment.isoformat()
        return slots

    def changed_at_confirmation(self, text: str, tracker: Tracker) -> dict[str, Any]:
        """Why the child cannot come ("发烧了"): noted, asked again; or another new time.

        "上午十点" to 「…申请调课到 12月12日（周六）19:00。确认提交吗？」 moves the wished
        time to that clock on the same day; "改到周日吧" to that day.
        """
        if misses_lesson(text, _now()):
            return {"confirmed": REASON_SAID}
        if tracker.get_slot("lesson_change_kind") != RESCHEDULE:
            return {}
        moment = changed_time(text, tracker.get_slot("lesson_change_time"), _now())
        return {"lesson_change_time": moment.isoformat()} if moment is not None else {}

    async def validate_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """See the base class; a reason is noted kindly (the school stores none)."""
        if value != REASON_SAID:
            return await super().validate_confirmed(value, dispatcher, tracker, domain)
        kind = KIND_LABELS.get(tracker.get_slot("lesson_change_kind") or "", "请假")
        wish = leave_reason_wish(self.latest_text(tracker)) or ""
        dispatcher.utter_message(response="utter_leave_reason_noted", wish=wish, kind=kind)
        return {"confirmed": None}

    def noted_detail(self, text: str, tracker: Tracker) -> str | None:
        """A lesson or a time said while the phone or code is asked ("下周三晚上7点")."""
        if len(text) > NOTED_MAX or parse_chinese_time(text, _now()) is None:
            return None
        _, target = split_change(text)  # "改到下周三晚上7点" notes "下周三晚上7点"
        return f"「{target or text}」"

    async def validate_lesson_change_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A future time within 30 days ("下周三晚上7点"); stored as ISO 8601."""
        if value and not pending_time(value):
            return {"lesson_change_time": str(value)}  # resolved: a new clock at the confirmation
        try:
            lesson = await _lesson(tracker)
        except BackendError:
            lesson = None
        text = normalize_text(value)
        said = parse_chinese_time(text, _now()) if lesson is None else None
        if said is not None and not said.has_time:
            return {"lesson_change_time": text}  # a bare day waits for its lesson's clock
        moment = parse_new_time(text, lesson.start_at if lesson else None, _now())
        if moment is None:
            return self.reject("lesson_change_time", dispatcher, tracker)
        return {"lesson_change_time": moment.isoformat()}


class ActionAskLessonChangeConfirmed(Action):
    """Sums the request up before asking to confirm it."""

    def name(self) -> str:
        """See the base class."""
        return "action_ask_lesson_change_form_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Says "张小明的「初二数学」11月28日（周五）19:00，申请调课到 …", then asks."""
        try:
            lesson = await _lesson(tracker)
        except BackendError:
            lesson = None
        kind = tracker.get_slot("lesson_change_kind")
        new_time = tracker.get_slot("lesson_change_time")
        if lesson is not None:
            dispatcher.utter_message(
                response="utter_lesson_change_summary",
                student=lesson.student_name,
                course=lesson.course_name,
                when=lesson_time(lesson.start_at),
                kind_label=KIND_LABELS.get(kind or "", "调整"),
                new_time=(
                    f"到 {lesson_time(datetime.fromisoformat(new_time))}"
                    if kind == RESCHEDULE and new_time and not pending_time(new_time)
                    else ""
                ),
            )
        dispatcher.utter_message(response="utter_ask_lesson_change_form_confirmed")
        return []


class ActionRequestLessonChange(FormSubmitAction):
    """Submits the leave or reschedule request (2-hour cut-off, checked by the backend)."""

    form_slots = ("lesson_id", "lesson_change_kind", "lesson_change_time")

    def name(self) -> str:
        """See the base class."""
        return "action_request_lesson_change"

    async def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Requests it after a "yes"."""
        if not tracker.get_slot("confirmed"):
            dispatcher.utter_message(response="utter_lesson_change_not_requested")
            return []
        kind = tracker.get_slot("lesson_change_kind") or ""
        new_time = tracker.get_slot("lesson_change_time")
        try:
            customer_id = (await identify(tracker)).customer_id
            lesson = await _lesson(tracker)
            if customer_id is None or lesson is None:
                dispatcher.utter_message(response="utter_need_customer")
                return []
            request = await backend().request_lesson_change(
                lesson.lesson_id,
                lesson.student_id,
                customer_id,
                kind,
                datetime.fromisoformat(new_time) if kind == RESCHEDULE and new_time else None,
            )
        except BackendUnavailable:
            summary = (
                f"课程 {tracker.get_slot('lesson_id')} {KIND_LABELS.get(kind, '')}申请提交失败"
            )
            return await apologise(dispatcher, tracker, "course", summary, None)
        except BackendError as error:
            responses = {
                "past_cutoff": "utter_lesson_change_past_cutoff",
                "request_exists": "utter_lesson_change_exists",
            }
            response = responses.get(error.code or "", "utter_lesson_change_refused")
            dispatcher.utter_message(response=response, reason=error.message)
            return []
        dispatcher.utter_message(
            response="utter_lesson_change_requested",
            kind_label=KIND_LABELS.get(kind, "调整"),
            request_id=request.request_id,
        )
        return []


def on_day(lessons: list[Lesson], named: ParsedTime) -> list[Lesson]:
    """The lessons on the day ``named`` names."""
    day = named.start.astimezone(CHINA_TZ).date()
    return [lesson for lesson in lessons if lesson.start_at.astimezone(CHINA_TZ).date() == day]
