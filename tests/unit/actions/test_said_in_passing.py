"""What customers say in passing inside a form, read as they meant it.

"发烧了" to a leave's confirmation is why, not a yes or a no; an order invoiced already is
told before the title is asked; "都一个星期了还没到账" asked which refund is an urge, not a
malformed order number; "明天下午可以吗" that picked the visit booking carries its time.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.course_changes import REASON_SAID, ValidateLessonChangeForm
from actions.invoices import ValidateInvoiceForm
from actions.refunds import ValidateRefundStatusForm
from actions.visit_times import extract_time
from actions.visits import ValidateVisitForm

from .conftest import Turn
from .test_typed_answers import asked, question

DOMAIN: dict = {}
LEAVE = {"lesson_id": "CS101-20241203", "lesson_change_kind": "leave"}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("发烧了", {"confirmed": REASON_SAID}),
        ("那天要跟爸爸回老家", {"confirmed": REASON_SAID}),
        ("好的", {"confirmed": True}),
        ("算了不请了", {"confirmed": False}),
    ],
)
async def test_why_the_child_cannot_come_said_to_the_confirmation_is_noted(
    zhang: Turn, dispatcher: CollectingDispatcher, said: str, expected: dict[str, Any]
) -> None:
    form = ValidateLessonChangeForm()
    tracker = zhang(said, "inform", requested_slot="confirmed", **LEAVE)
    assert await form.extract_confirmed(dispatcher, tracker, DOMAIN) == expected
    if expected != {"confirmed": REASON_SAID}:
        return
    validated = await form.validate_confirmed(REASON_SAID, dispatcher, tracker, DOMAIN)
    assert validated == {"confirmed": None}  # the question again, nothing submitted
    [noted] = dispatcher.messages
    assert noted["response"] == "utter_leave_reason_noted" and noted["kind"] == "请假"


async def test_an_order_invoiced_already_is_told_before_the_title_is_asked(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateInvoiceForm()
    told = await form.validate_order_id("HP20240002", dispatcher, zhang(), DOMAIN)
    assert told["form_gave_up"] is True and told["focus_order"] == "HP20240002"
    [exists] = dispatcher.messages
    assert exists["response"] == "utter_invoice_exists" and exists["invoice_id"] == "IV20240001"
    dispatcher.messages.clear()
    fresh = await form.validate_order_id("HP20240003", dispatcher, zhang(), DOMAIN)
    assert fresh.get("order_id") == "HP20240003" and not fresh.get("form_gave_up")
    other = await form.validate_order_id("HP20240005", dispatcher, zhang(), DOMAIN)
    assert other["order_id"] is None and responses(dispatcher) == ["utter_order_not_found"]


async def test_an_urge_about_the_refund_asked_which_one_is_asked_kindly(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    form = ValidateRefundStatusForm()
    for said in ("都一个星期了还没到账", "怎么还没退回来 太慢了"):
        tracker = asked(
            zhang,
            "refund_status_form",
            question(real_domain, "utter_choose_order"),
            said,
            "nlu_fallback",
            requested_slot="order_id",
        )
        slots = await form.validate_order_id(said, dispatcher, tracker, real_domain)
        assert slots == {"order_id": None}  # no failed answer counted
        assert responses(dispatcher)[-1] in ("utter_urged_answer", "utter_urged_pick_one")


async def test_the_time_said_with_a_typed_pick_books_the_visit_then(zhang: Turn) -> None:
    tracker = zhang('/book_visit{"order_id": "HP20241401"}', "book_visit")
    tracker.latest_message["typed_choice"] = {"typed": "明天下午可以吗"}
    assert await extract_time(ValidateVisitForm(), tracker, DOMAIN) == {
        "visit_time": "明天下午可以吗"
    }


async def test_the_time_survives_a_payload_with_the_order(zhang: Turn) -> None:
    # Rasa parses "/book_visit{...}" again and drops the record; the event keeps the words
    tracker = zhang('/book_visit{"order_id": "HP20241401"}', "book_visit")
    tracker.events[-1]["text"] = "明天下午可以吗"
    assert await extract_time(ValidateVisitForm(), tracker, DOMAIN) == {
        "visit_time": "明天下午可以吗"
    }
    clicked = zhang('/book_visit{"order_id": "HP20241401"}', "book_visit")
    assert await extract_time(ValidateVisitForm(), clicked, DOMAIN) == {}


async def test_a_company_said_with_its_label_is_the_title_without_the_label(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "公司是上海智客…有限公司" in the opening made the title 「公司是上海智客…」."""
    opening = "我要开发票 HP20240003 公司是上海智客信息科技有限公司 税号91350100M000100Y43"
    tracker = zhang("HP20240003", requested_slot="order_id")
    tracker.events[-1:-1] = [
        {"event": "user", "text": opening},
        {"event": "active_loop", "name": "invoice_form"},
    ]
    form = ValidateInvoiceForm()
    title = await form.extract_invoice_title(dispatcher, tracker, DOMAIN)
    assert title == {"invoice_title": "上海智客信息科技有限公司"}
    said = await form.extract_invoice_tax_number(dispatcher, tracker, DOMAIN)
    tax = await form.validate_invoice_tax_number(
        said["invoice_tax_number"], dispatcher, tracker, DOMAIN
    )
    assert tax == {"invoice_tax_number": "91350100M000100Y43"}


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("发烧", {"lesson_change_kind": "leave"}),  # was: 「请回复「请假」或「调课」哦」
        ("那天家里有事", {"lesson_change_kind": "leave"}),
        ("调到周六", {"lesson_change_kind": "reschedule"}),
        ("发烧了 改到下周六吧", {"lesson_change_kind": "reschedule"}),  # a time named
    ],
)
async def test_why_the_child_misses_the_lesson_asked_leave_or_move_is_a_leave(
    zhang: Turn, dispatcher: CollectingDispatcher, said: str, expected: dict[str, Any]
) -> None:
    form = ValidateLessonChangeForm()
    tracker = zhang(said, "inform", requested_slot="lesson_change_kind", lesson_id="CS101-20241203")
    assert await form.extract_lesson_change_kind(dispatcher, tracker, DOMAIN) == expected
