"""Withdrawing from a course: what the confirmation says and how a reason is taken."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.enrollments import ActionAskCourseCancelConfirmed, ValidateCourseCancelForm

from .conftest import Turn, earlier_turn

DOMAIN: dict = {}
SUMMARY = "utter_course_cancel_summary"


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def test_the_confirmation_names_the_child_the_course_and_the_refund_rule(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """Was only 「确认要退掉这门课程吗？」: which of two courses, and for what money?"""
    await ActionAskCourseCancelConfirmed().run(dispatcher, zhang(course_id="S001/CS002"), DOMAIN)
    summary, ask = dispatcher.messages
    assert summary["response"] == SUMMARY
    assert (summary["student"], summary["course"]) == ("张小明", "英语阅读提高班")
    assert ask["response"] == "utter_ask_course_cancel_form_confirmed"


async def test_asked_again_right_after_the_summary_it_is_not_repeated(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = earlier_turn(
        zhang("孩子跟不上了", course_id="S001/CS002"), "我要退英语阅读课", "x", SUMMARY
    )
    await ActionAskCourseCancelConfirmed().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_ask_course_cancel_form_confirmed"]


@pytest.mark.parametrize("said", ["孩子跟不上了", "太贵了 学不起", "搬家了 没时间上"])
async def test_why_the_course_is_given_up_is_noted_kindly_and_asked_again(
    zhang: Turn, dispatcher: CollectingDispatcher, said: str
) -> None:
    """Was the confirmation again, the reason unheard."""
    form = ValidateCourseCancelForm()
    tracker = zhang(said, requested_slot="confirmed", course_id="S001/CS002")
    slots = await form.extract_confirmed(dispatcher, tracker, DOMAIN)
    assert slots != {} and slots != {"confirmed": True}  # no yes, and not ignored
    assert await form.validate_confirmed(slots["confirmed"], dispatcher, tracker, DOMAIN) == {
        "confirmed": None
    }
    [noted] = dispatcher.messages
    assert noted["response"] == "utter_leave_reason_noted" and noted["kind"] == "退课"


async def test_a_plain_yes_or_no_is_still_the_answer(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateCourseCancelForm()
    yes = zhang("确认退课", "affirm", requested_slot="confirmed", course_id="S001/CS002")
    assert await form.extract_confirmed(dispatcher, yes, DOMAIN) == {"confirmed": True}
    no = zhang("不退了", "deny", requested_slot="confirmed", course_id="S001/CS002")
    assert await form.extract_confirmed(dispatcher, no, DOMAIN) == {"confirmed": False}


@pytest.mark.parametrize(
    ("said", "course"),
    [
        ("数学课我不想上了 退了吧", "S001/CS001"),
        ("英语那个不学了", "S001/CS002"),
        ("课不想上了", None),  # which one: asked
    ],
)
async def test_the_course_named_in_the_request_is_taken_without_asking(
    zhang: Turn, said: str, course: str | None
) -> None:
    """ "数学课我不想上了 退了吧": 「请问要退哪门课程呢？」 though 数学 was named."""
    form, dispatcher = ValidateCourseCancelForm(), CollectingDispatcher()
    tracker = zhang(said, "cancel_course")
    extracted = await form.extract_course_id(dispatcher, tracker, {})
    if course is None:
        assert extracted == {}
        return
    validated = await form.validate_course_id(extracted["course_id"], dispatcher, tracker, {})
    assert validated == {"course_id": course}
