"""A new request or question in the middle of a form: answered, or offered as a switch."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ZhikeFormValidationAction
from actions.order_changes import ValidateCancelOrderForm
from actions.orders import ValidateOrderIdForm
from actions.topic_switch import ActionAnswerInterruption
from tests.unit.actions.conftest import Turn
from tests.unit.actions.switching import events_of, in_form, responses

ORDER = {"entity": "order_id", "value": "HP20240001"}


async def test_a_question_about_an_own_order_is_answered_and_the_form_goes_on(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    tracker = in_form(
        zhang(
            "稍等，先帮我看看HP20240001发货没",
            "query_logistics",
            requested_slot="confirmed",
            entities=[ORDER],
            order_id="HP20240003",
        ),
        "cancel_order_form",
    )
    events = await ActionAnswerInterruption().run(dispatcher, tracker, real_domain)
    assert responses(dispatcher)[0] == "utter_order_status"
    assert dispatcher.messages[0]["order_id"] == "HP20240001"
    assert "utter_form_resume" in responses(dispatcher)
    # The cancellation of HP20240003 goes on: the policy runs the form next.
    assert not events_of(events, "followup") and not events_of(events, "active_loop")


async def test_that_order_in_the_middle_of_a_form_is_the_one_just_answered_about(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    # cancelling HP20240003, HP20240001's parcel was shown in passing: "那个订单明天能到吗"
    tracker = in_form(
        zhang(
            "那个订单明天能到吗",
            "query_logistics",
            requested_slot="confirmed",
            order_id="HP20240003",
        ),
        "cancel_order_form",
    )
    tracker.events[-1:-1] = [
        {"event": "slot", "name": "focus_order", "value": "HP20240001"},
        {
            "event": "bot",
            "text": "由顺丰配送…",
            "metadata": {"utter_action": "utter_order_logistics"},
        },
    ]
    tracker.slots["focus_order"] = "HP20240001"
    await ActionAnswerInterruption().run(dispatcher, tracker, real_domain)
    # the arrival of the parcel just shown, in one line, then the cancellation goes on
    assert responses(dispatcher)[0] == "utter_order_eta"
    assert dispatcher.messages[0]["order_id"] == "HP20240001"
    assert "utter_form_resume" in responses(dispatcher)


async def test_a_request_to_act_is_offered_before_switching(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    tracker = in_form(
        zhang(
            "算了，先帮我把HP20240001退款",
            "request_refund",
            requested_slot="confirmed",
            entities=[ORDER],
            order_id="HP20240003",
        ),
        "cancel_order_form",
    )
    events = await ActionAnswerInterruption().run(dispatcher, tracker, real_domain)
    (offer,) = dispatcher.messages
    assert offer["response"] == "utter_offer_switch"
    assert (offer["current"], offer["new"]) == ("取消订单", "申请退款/退货")
    assert [button["payload"] for button in offer["buttons"]] == ["/affirm", "/deny"]
    slots = {event["name"]: event["value"] for event in events_of(events, "slot")}
    assert slots["switch_state"] == "asked"
    assert slots["switch_offer"] == {
        "intent": "request_refund",
        "slots": {"order_id": "HP20240001"},
    }
    assert not events_of(events, "followup")  # nothing changes before the customer says so


async def test_an_order_the_visitor_has_not_proved_is_offered_not_reported_missing(
    anonymous: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    tracker = in_form(
        anonymous(
            "HP20240001到哪了", "query_logistics", requested_slot="bind_phone", entities=[ORDER]
        ),
        "refund_form",
    )
    await ActionAnswerInterruption().run(dispatcher, tracker, real_domain)
    assert responses(dispatcher) == ["utter_offer_switch"]


async def test_a_form_keeps_its_order_when_the_message_names_another(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    tracker = zhang(
        "等下，HP20240001发货了吗",
        "query_logistics",
        requested_slot="confirmed",
        entities=[ORDER],
        order_id="HP20240001",
    )
    tracker.events.insert(-1, {"event": "slot", "name": "order_id", "value": "HP20240003"})
    tracker.active_loop = {"name": "cancel_order_form"}

    class CancelForm(ZhikeFormValidationAction):
        def name(self) -> str:
            return "validate_cancel_order_form"

    events = await CancelForm().run(dispatcher, tracker, real_domain)
    assert {"event": "slot", "timestamp": None, "name": "order_id", "value": "HP20240003"} in events
    assert events_of(events, "action_execution_rejected")


async def test_a_follow_up_without_an_order_number_means_the_order_just_shown(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    tracker = zhang("明天能到吗", "query_logistics")
    tracker.events.insert(-1, {"event": "slot", "name": "focus_order", "value": "HP20240001"})
    extracted = await ValidateOrderIdForm().extract_order_id(dispatcher, tracker, real_domain)
    assert extracted == {"order_id": "HP20240001"}
    # ... but not when the message names an order, nor long after.
    named = zhang(
        "HP20240002呢", "query_order", entities=[{"entity": "order_id", "value": "HP20240002"}]
    )
    named.events.insert(-1, {"event": "slot", "name": "focus_order", "value": "HP20240001"})
    assert await ValidateOrderIdForm().extract_order_id(dispatcher, named, real_domain) != {
        "order_id": "HP20240001"
    }
    stale = zhang("明天能到吗", "query_logistics")
    stale.events[-1:-1] = [{"event": "slot", "name": "focus_order", "value": "HP20240001"}] + [
        {"event": "user", "text": "嗯"} for _ in range(5)
    ]
    assert await ValidateOrderIdForm().extract_order_id(dispatcher, stale, real_domain) == {}


def test_a_form_resumed_after_another_action_does_not_take_the_message_again(
    zhang: Turn,
) -> None:
    from actions.context import form_resumed as resumed

    def with_events(*events: dict[str, Any]) -> Tracker:
        tracker = zhang("继续", "affirm")
        tracker.events.extend(events)
        return tracker

    form = {"event": "action", "name": "refund_form"}
    assert not resumed(with_events(form), "refund_form")
    assert resumed(
        with_events({"event": "action", "name": "action_resolve_switch"}, form), "refund_form"
    )
    # A handoff that was declined and undone did not handle the message.
    undone = ({"event": "action", "name": "action_request_handoff"}, {"event": "undo"})
    assert not resumed(with_events(*undone, form), "refund_form")


async def test_asking_how_an_earlier_refund_is_going_is_offered_not_taken_as_the_reason(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    # Read as the form's own request by the model: still a question about progress.
    tracker = in_form(
        zhang("我之前那个退款处理得怎么样了", "request_refund", requested_slot="refund_reason"),
        "refund_form",
    )
    await ActionAnswerInterruption().run(dispatcher, tracker, real_domain)
    (offer,) = dispatcher.messages
    assert offer["response"] == "utter_offer_switch" and offer["new"] == "查询退款进度"


async def test_an_out_of_scope_question_is_declined_and_the_form_goes_on(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    asked = zhang("今天天气咋样", "out_of_scope", requested_slot="order_id")
    # no order number: the order form gives the message up instead of calling it malformed
    assert await ValidateOrderIdForm().extract_order_id(dispatcher, asked, real_domain) == {}
    events = await ActionAnswerInterruption().run(
        dispatcher, in_form(asked, "address_form"), real_domain
    )
    assert responses(dispatcher) == ["utter_out_of_scope_in_form", "utter_form_resume"]
    assert events == []  # the policy runs the form next: it asks for the order again


async def test_a_free_text_answer_is_taken_whatever_the_model_made_of_it(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    from actions.refunds import ValidateRefundForm

    reason = zhang("孩子说不喜欢这个颜色", "out_of_scope", requested_slot="refund_reason")
    extracted = await ValidateRefundForm().extract_refund_reason(dispatcher, reason, real_domain)
    assert extracted == {"refund_reason": "孩子说不喜欢这个颜色"}


async def test_a_request_whose_words_contradict_the_model_is_no_free_text_answer(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    from actions.refunds import ValidateRefundForm

    said = "你好，我买的这个显示器，发票怎么是个人?我明明设定的公司抬头"
    asked = zhang(said, "nlu_fallback", requested_slot="refund_reason")
    asked.latest_message["intent"]["confidence"] = 0.84  # DIET's, for a new invoice
    asked.latest_message["contradicted"] = {"intent": "request_invoice", "framed": "change_invoice"}
    extracted = await ValidateRefundForm().extract_refund_reason(dispatcher, asked, real_domain)
    assert extracted == {}  # a request, not the refund's reason


async def test_a_question_the_second_opinion_doubted_is_no_invoice_title(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    from actions.invoice_changes import ValidateInvoiceChangeForm

    said = "等下 我先问下专票能开吗"
    asked = zhang(said, "nlu_fallback", requested_slot="invoice_title")
    asked.latest_message["intent"]["confidence"] = 0.93  # DIET's, for the invoice's status
    asked.latest_message["second_opinion"] = {"name": "faq", "overruled": "query_invoice"}
    form = ValidateInvoiceChangeForm()
    assert await form.extract_invoice_title(dispatcher, asked, real_domain) == {}
    # a company's name DIET doubted the same way is still the title
    named = zhang("杭州智客科技有限公司", "nlu_fallback", requested_slot="invoice_title")
    named.latest_message["second_opinion"] = {"name": "inform", "overruled": "change_invoice"}
    taken = await form.extract_invoice_title(dispatcher, named, real_domain)
    assert taken == {"invoice_title": "杭州智客科技有限公司"}


async def test_a_vague_answer_stays_an_answer_whatever_the_model_made_of_it(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    from actions.course_changes import ValidateLessonChangeForm

    vague = zhang("随便吧", "out_of_scope", requested_slot="lesson_change_time")
    extracted = await ValidateLessonChangeForm().extract_lesson_change_time(
        dispatcher, vague, real_domain
    )
    assert extracted == {"lesson_change_time": "随便吧"}  # then "没能识别这个时间"


async def test_another_lookup_while_a_lookup_asks_which_order_replaces_it_at_once(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    """ "我上周买的坚果到哪了", then "快递员电话多少": no 「需要先帮您处理…吗？」."""
    asked = zhang("快递员电话多少", "query_courier_contact", requested_slot="order_id")
    events = await ActionAnswerInterruption().run(
        dispatcher, in_form(asked, "order_id_form"), real_domain
    )
    assert dispatcher.messages == []  # the courier form asks which order itself
    assert events_of(events, "active_loop")[0]["name"] is None
    assert events_of(events, "followup")[0]["name"] == "courier_contact_form"
    # a request to act, or a question an action answers (not a lookup form), is offered
    for said, intent in (("算了我要退款", "request_refund"), ("这款手机支持快充吗", "ask_product")):
        told = CollectingDispatcher()
        other = zhang(said, intent, requested_slot="order_id")
        await ActionAnswerInterruption().run(told, in_form(other, "order_id_form"), real_domain)
        assert responses(told) == ["utter_offer_switch"], said


async def test_the_form_a_switch_starts_takes_no_cleared_slot_for_an_answer(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    """ "好的谢谢" to 「先取消订单？」: the cancel form started, and validated the refund
    form's cleared order as 「不用输入订单号哦」 (and a cleared confirmation as a no)."""
    tracker = zhang("好的谢谢", "affirm")
    cleared = [{"event": "slot", "name": name, "value": None} for name in ("order_id", "confirmed")]
    tracker.events.extend(cleared)
    events = await ValidateCancelOrderForm().run(dispatcher, tracker, real_domain)
    assert dispatcher.messages == []
    assert not [e for e in events_of(events, "slot") if e["name"] in ("order_id", "confirmed")]


async def test_a_switch_pointing_at_the_forms_order_carries_it(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    """ "等一下 先别取消 这个能改地址吗", then yes: the address form asked which order."""
    tracker = zhang(
        "等一下 先别取消 这个能改地址吗",
        "modify_address",
        requested_slot="confirmed",
        order_id="HP20241204",
    )
    events = await ActionAnswerInterruption().run(
        dispatcher, in_form(tracker, "cancel_order_form"), real_domain
    )
    offer = {e["name"]: e["value"] for e in events_of(events, "slot")}["switch_offer"]
    assert offer == {"intent": "modify_address", "slots": {"order_id": "HP20241204"}}
    # another request naming nothing of the order does not take it
    told = CollectingDispatcher()
    other = zhang(
        "我要开发票", "request_invoice", requested_slot="confirmed", order_id="HP20241204"
    )
    events = await ActionAnswerInterruption().run(
        told, in_form(other, "cancel_order_form"), real_domain
    )
    offer = {e["name"]: e["value"] for e in events_of(events, "slot")}["switch_offer"]
    assert offer["slots"] == {}


async def test_also_changing_the_receivers_phone_carries_the_order(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    """ "收件电话也改下 13912345678" while the delivery day is booked, then yes.

    The number is asked again: the conversation keeps phone numbers masked.
    """
    tracker = zhang(
        "收件电话也改下 13912345678",
        "change_receiver_phone",
        entities=[{"entity": "phone", "value": "13912345678"}],
        requested_slot="window_slot",
        order_id="HP20241201",
    )
    events = await ActionAnswerInterruption().run(
        dispatcher, in_form(tracker, "delivery_time_form"), real_domain
    )
    offer = {e["name"]: e["value"] for e in events_of(events, "slot")}["switch_offer"]
    assert offer == {
        "intent": "change_receiver_phone",
        "slots": {"order_id": "HP20241201"},
    }


@pytest.mark.parametrize(
    ("said", "form", "carried"),
    [
        ("收件人电话改我老婆的吧 13800138000", "delivery_time_form", {"order_id": "HP20240001"}),
        ("另一个订单的收件电话要改", "delivery_time_form", {}),  # another order
        ("收件人电话改我老婆的吧", "intercept_form", {}),  # being undone: which order?
    ],
)
async def test_a_request_naming_no_order_carries_the_forms_order_where_it_applies(
    zhang: Turn, real_domain: dict[str, Any], said: str, form: str, carried: dict[str, str]
) -> None:
    """While HP20240001's delivery is scheduled, "收件人电话改我老婆的吧", then "对 就这单":
    「请问是哪一笔订单呢？」."""
    tracker = zhang(said, "change_receiver_phone", requested_slot="window_date")
    tracker.slots["order_id"] = "HP20240001"
    events = await ActionAnswerInterruption().run(
        CollectingDispatcher(), in_form(tracker, form), real_domain
    )
    offer = {e["name"]: e["value"] for e in events_of(events, "slot")}["switch_offer"]
    assert offer == {"intent": "change_receiver_phone", "slots": carried}
