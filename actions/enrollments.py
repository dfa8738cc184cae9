"""Courses: cancelling an enrollment (退课) and lesson reminders."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import remind_active_form, said_before_latest_message
from actions.course_changes import REASON_SAID
from actions.forms import ZhikeFormValidationAction
from actions.identity import identify
from actions.parsing import normalize_text
from actions.services import backend
from actions.submit import FormSubmitAction, apologise
from actions.verify_first import customer_asking, request_message, verify_first
from zhike.lib.backend_client import BackendError, BackendUnavailable, Student

logger = logging.getLogger(__name__)
# Why a course is given up, said to 「确认要退掉这门课程吗？」: neither a yes nor a no.
WITHDRAWAL_REASON = re.compile(
    r"跟不上|学不会|学不进|太难|没时间|没空|时间冲突|太贵|学不起|不想学|不想上|不爱上|不喜欢"
    r"|转学|搬家|换了?(?:机构|地方)|效果不好|没效果|没什么效果"
)
SUMMARY = "utter_course_cancel_summary"


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


# Words of a course's name that name no subject ("初二数学（秋季班）": 数学 does)
_NOT_SUBJECT = re.compile(
    r"初[一二三]|高[一二三]|[一二三四五六]年级|秋季|春季|暑假|寒假|提高|基础|班|课|[（()）·\s]"
)


async def _course_in_words(tracker: Tracker, text: str) -> str | None:
    """The one active course whose subject the words name ("数学课我不想上了": 初二数学).

    The NLU's ``course`` entity missed it, and "请问要退哪门课程呢？" was asked.
    """
    try:
        _, students = await _students(tracker)
    except BackendError:
        return None
    hits = set()
    for student, course_id, name in _active(students):
        subject = _NOT_SUBJECT.sub(" ", name)
        pairs = {word[i : i + 2] for word in subject.split() for i in range(len(word) - 1)}
        if any(pair in text for pair in pairs):
            hits.add(f"{student.student_id}/{course_id}")  # as its button's payload
    return next(iter(hits)) if len(hits) == 1 else None


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

    def changed_at_confirmation(self, text: str, tracker: Tracker) -> dict[str, Any]:
        """Why the course is given up ("孩子跟不上了"): noted kindly, asked again."""
        return {"confirmed": REASON_SAID} if WITHDRAWAL_REASON.search(text) else {}

    async def validate_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """See the base class; a reason is noted kindly (the school stores none)."""
        if value != REASON_SAID:
            return await super().validate_confirmed(value, dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_leave_reason_noted", wish="", kind="退课")
        return {"confirmed": None}

    def name(self) -> str:
        """See the base class."""
        return "validate_course_cancel_form"

    async def extract_course_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A button payload (clicked, or typed as "1"), or a course named in the text.

        The opening message's course ("我想退掉英语阅读课", the NLU's ``course``: 英语阅读
        提高班) is taken at once, instead of asking which course.
        """
        answer = self.offered_option("course_id", tracker, domain) or self.text_answer(
            "course_id", tracker
        )
        if answer or tracker.get_slot("course_id"):
            return answer
        if tracker.get_slot("requested_slot") not in (None, "course_id"):
            return {}
        named = next(tracker.get_latest_entity_values("course"), None)
        if named is None and tracker.get_slot("requested_slot") is None:
            named = await _course_in_words(tracker, self.latest_text(tracker))
        return {"course_id": named} if named else {}

    async def validate_course_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One of the customer's active enrollments, by payload or by course name."""
        try:
            _, students = await _students(tracker)
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_unavailable")
            return {"course_id": None, "form_gave_up": True}
        active = _active(students)
        if not active:
            dispatcher.utter_message(response="utter_course_not_cancellable")
            return {"course_id": None, "form_gave_up": True}
        # what was typed, and the course the NLU named in it ("英语阅读课": 英语阅读提高班)
        said = [
            normalize_text(value),
            *map(normalize_text, tracker.get_latest_entity_values("course")),
        ]
        for text in said:
            for student, course_id, name in active:
                key = f"{student.student_id}/{course_id}"
                if text.upper() == key or (len(text) >= 2 and (text in name or name in text)):
                    return {"course_id": key}
        return self.reject("course_id", dispatcher, tracker)


class ActionAskCourseCancelConfirmed(Action):
    """Names the course and the refund rule before asking to confirm the withdrawal."""

    def name(self) -> str:
        """See the base class."""
        return "action_ask_course_cancel_form_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Says "为张小明退掉「英语阅读提高班」：…退费规则", then asks.

        A customer with two children or two courses sees which one is withdrawn; one who
        named the course at once never saw the rules the course buttons come with.
        """
        student_id, _, course_id = str(tracker.get_slot("course_id") or "").partition("/")
        try:
            _, students = await _students(tracker)
        except BackendError:
            students = []
        named = next(
            (
                (student.name, name)
                for student, active_id, name in _active(students)
                if student.student_id == student_id and active_id == course_id
            ),
            None,
        )
        if named is not None and not said_before_latest_message(tracker, SUMMARY):
            dispatcher.utter_message(response=SUMMARY, student=named[0], course=named[1])
        dispatcher.utter_message(response="utter_ask_course_cancel_form_confirmed")
        return []


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
        intent = (request_message(tracker).get("intent") or {}).get("name")
        enabled = intent != "unsubscribe_course_notifications"
        try:
            customer_id = await customer_asking(tracker)
            if customer_id is None:
                return verify_first(dispatcher, tracker)
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
