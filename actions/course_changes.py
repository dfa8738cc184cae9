"""Changing courses: leave or reschedule a lesson, cancel an enrollment, reminders."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.courses import (
    KIND_LABELS,
    customer_lessons,
    lesson_time,
    match_lesson,
    parse_change_kind,
    parse_new_time,
)
from actions.forms import ZhikeFormValidationAction, remind_active_form
from actions.identity import identify
from actions.orders import CHINA_TZ
from actions.parsing import normalize_text
from actions.services import backend
from actions.submit import FormSubmitAction, apologise
from zhike.lib.backend_client import BackendError, BackendUnavailable, Lesson, Student
from zhike.lib.backend_client.domain import RESCHEDULE

logger = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(CHINA_TZ)


async def _lesson(tracker: Tracker) -> Lesson | None:
    lesson_id = tracker.get_slot("lesson_id")
    if not lesson_id:
        return None
    _, lessons = await customer_lessons(tracker)
    return next((lesson for lesson in lessons if lesson.lesson_id == lesson_id), None)


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
        text = self.latest_text(tracker)
        try:
            _, lessons = await customer_lessons(tracker)
        except BackendError:
            return {}
        lesson = match_lesson(text, lessons, _now())
        if lesson is not None:
            return {"lesson_id": lesson.lesson_id}
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
        if any(lesson.lesson_id == value for lesson in lessons):
            return {"lesson_id": value}
        if not lessons:
            dispatcher.utter_message(response="utter_no_lessons")
            return {"lesson_id": None, "form_gave_up": True}
        return self.reject("lesson_id", dispatcher, tracker)

    async def extract_lesson_change_kind(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """请假 or 调课, also when said with the lesson ("周五的课请假")."""
        if tracker.get_slot("lesson_change_kind"):
            return {}
        option = self.offered_option("lesson_change_kind", tracker, domain)
        if option:
            return option
        kind = parse_change_kind(self.latest_text(tracker))
        if kind is not None:
            return {"lesson_change_kind": kind}
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
        """The user's text when the new time was asked."""
        return self.text_answer("lesson_change_time", tracker)

    async def validate_lesson_change_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A future time within 30 days ("下周三晚上7点"); stored as ISO 8601."""
        try:
            lesson = await _lesson(tracker)
        except BackendError:
            lesson = None
        moment = parse_new_time(normalize_text(value), lesson.start_at if lesson else None, _now())
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
                    if kind == RESCHEDULE and new_time
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


async def _students(tracker: Tracker) -> tuple[str | None, list[Student]]:
    identity = await identify(tracker)
    if identity.customer_id is None:
        return None, []
    return identity.customer_id, await backend().list_students(identity.customer_id)


def _active(students: list[Student]) -> list[tuple[Student, str, str]]:
    """(student, course id, course name) of every active enrollment."""
    return [
        (student, enrollment.course_id, enrollment.course_name)
        for student in students
        for enrollment in student.enrollments
        if enrollment.status == "active"
    ]


class ActionAskCourseId(Action):
    """Asks which course to cancel, with the active enrollments as buttons."""

    def name(self) -> str:
        """See the base class."""
        return "action_ask_course_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Buttons "张小明 初二数学（秋季班）" with payload ``S001/CS001``."""
        try:
            _, students = await _students(tracker)
        except BackendError:
            students = []
        buttons = [
            {"title": f"{student.name} {name}", "payload": f"{student.student_id}/{course_id}"}
            for student, course_id, name in _active(students)
        ]
        dispatcher.utter_message(response="utter_course_refund_rules")
        dispatcher.utter_message(response="utter_choose_course", buttons=buttons)
        return []


class ValidateCourseCancelForm(ZhikeFormValidationAction):
    """Which enrollment (``student/course``) and a confirmation."""

    needs_customer = True
    confirm_words = ("退", "退课", "退掉", "取消")

    def name(self) -> str:
        """See the base class."""
        return "validate_course_cancel_form"

    async def extract_course_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A button payload (clicked, or typed as "1"), or a course named in the text."""
        return self.offered_option("course_id", tracker, domain) or self.text_answer(
            "course_id", tracker
        )

    async def validate_course_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One of the customer's active enrollments, by payload or by course name."""
        try:
            _, students = await _students(tracker)
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"course_id": None, "form_gave_up": True}
        text = normalize_text(value)
        active = _active(students)
        if not active:
            dispatcher.utter_message(response="utter_course_not_cancellable")
            return {"course_id": None, "form_gave_up": True}
        for student, course_id, name in active:
            key = f"{student.student_id}/{course_id}"
            if text.upper() == key or (len(text) >= 2 and (text in name or name in text)):
                return {"course_id": key}
        return self.reject("course_id", dispatcher, tracker)


class ActionCancelEnrollment(FormSubmitAction):
    """Cancels the enrollment after a "yes"."""

    form_slots = ("course_id",)

    def name(self) -> str:
        """See the base class."""
        return "action_cancel_enrollment"

    async def submit(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Cancels and tells the refund rule."""
        if not tracker.get_slot("confirmed"):
            dispatcher.utter_message(response="utter_course_not_cancelled")
            return []
        student_id, _, course_id = str(tracker.get_slot("course_id") or "").partition("/")
        try:
            customer_id, students = await _students(tracker)
            if customer_id is None:
                dispatcher.utter_message(response="utter_need_customer")
                return []
            enrollment = await backend().cancel_enrollment(student_id, course_id, customer_id)
        except BackendUnavailable:
            summary = f"学员 {student_id} 退课 {course_id} 时系统故障"
            return await apologise(dispatcher, tracker, "course", summary, None)
        except BackendError:
            dispatcher.utter_message(response="utter_course_not_cancellable")
            return []
        student = next((s.name for s in students if s.student_id == student_id), "学员")
        dispatcher.utter_message(
            response="utter_course_cancelled", student=student, course=enrollment.course_name
        )
        return []


class ActionCourseNotifications(Action):
    """Turns lesson reminders on or off, following the user's intent."""

    def name(self) -> str:
        """See the base class."""
        return "action_course_notifications"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """subscribe_course_notifications -> on, unsubscribe_... -> off."""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        enabled = intent != "unsubscribe_course_notifications"
        try:
            customer_id = (await identify(tracker)).customer_id
            if customer_id is None:
                dispatcher.utter_message(response="utter_need_customer")
                return []
            await backend().set_course_notifications(customer_id, enabled)
        except BackendUnavailable:
            return await apologise(dispatcher, tracker, "course", "修改上课提醒失败", None)
        except BackendError:
            dispatcher.utter_message(response="utter_need_customer")
            return []
        dispatcher.utter_message(
            response="utter_notifications_on" if enabled else "utter_notifications_off"
        )
        remind_active_form(dispatcher, tracker)
        return []
