"""Delivery-change forms and actions on the in-process backend (张伟 C001 on the web).

Each change eligible and refused with the backend's reason, another customer's order not
found, backend down -> apology + ticket, phones masked when said back.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.delivery import (
    ValidateDeliveryTimeForm,
    ValidateInterceptForm,
    ValidatePickupForm,
    ValidateReceiverPhoneForm,
    china_now,
)
from actions.delivery_submit import (
    ActionAskReceiverPhoneConfirmed,
    ActionChangeReceiverPhone,
    ActionInterceptParcel,
    ActionRescheduleReturnPickup,
    ActionScheduleDelivery,
)
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn

DOMAIN: dict = {}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


def ahead(days: int) -> str:
    return (china_now().date() + timedelta(days=days)).isoformat()


def intercept_request(turn: Turn, text: str, **slots: Any) -> Any:
    """A tracker whose customer asked for the interception with ``text``."""
    tracker = turn(text, "intercept_parcel", **slots)
    return tracker


# --- intercept ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order_id", "response", "words"),
    [
        ("HP20241204", "utter_delivery_change_refused", "直接取消订单"),
        ("HP20241203", "utter_delivery_change_refused", "申请退款"),
        ("HP20241208", "utter_interception_exists", "处理中"),
        ("HP20241209", "utter_interception_exists", "已拦截成功"),
    ],
)
async def test_an_ineligible_order_ends_the_intercept_form_at_once(
    zhang: Turn, dispatcher: CollectingDispatcher, order_id: str, response: str, words: str
) -> None:
    result = await ValidateInterceptForm().validate_order_id(order_id, dispatcher, zhang(), DOMAIN)
    assert result["form_gave_up"] is True and result["order_id"] == order_id
    [message] = dispatcher.messages
    assert message["response"] == response
    assert words in (message.get("reason") or message.get("status_label") or "")


async def test_another_customers_order_is_not_found_in_the_form(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    result = await ValidateInterceptForm().validate_order_id(
        "HP20240005", dispatcher, zhang(), DOMAIN
    )
    assert result["order_id"] is None
    assert responses(dispatcher) == ["utter_order_not_found"]
    ok = await ValidateInterceptForm().validate_order_id("hp20241201", dispatcher, zhang(), DOMAIN)
    assert ok["order_id"] == "HP20241201"


async def test_the_couriers_fee_is_known_before_the_customer_confirms(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    # 顺丰 charges 10 yuan: the question before "确认拦截" says so (it was said only after)
    sf = await ValidateInterceptForm().validate_order_id("HP20241201", dispatcher, zhang(), DOMAIN)
    assert "10.00 元" in sf["intercept_fee_note"] and "顺丰" in sf["intercept_fee_note"]
    free = await ValidateInterceptForm().validate_order_id(
        "HP20241207", dispatcher, zhang(), DOMAIN
    )
    assert free["intercept_fee_note"] == ""  # a courier that charges nothing: no word of it


async def test_an_interception_is_requested_with_the_couriers_fee(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    tracker = intercept_request(
        zhang, "快递别送了给我拦回去", order_id="HP20241201", confirmed=True
    )
    events = await ActionInterceptParcel().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_interception_requested"
    assert message["kind_label"] == "拦截" and "10.00 元" in message["fee_note"]
    assert SlotSet("order_id", None) in events
    [change] = await backend.list_delivery_changes("HP20241201", "C001")
    assert (change.kind, change.status) == ("intercept", "requested")


async def test_a_return_to_the_sender_is_asked_in_so_many_words(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    tracker = intercept_request(zhang, "让快递退回给商家", order_id="HP20241207", confirmed=True)
    await ActionInterceptParcel().run(dispatcher, tracker, DOMAIN)
    assert dispatcher.messages[0]["kind_label"] == "退回"
    [change] = await backend.list_delivery_changes("HP20241207", "C001")
    assert change.kind == "return" and change.fee_fen == 0


async def test_a_courier_that_cannot_intercept_out_for_delivery_is_explained(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = intercept_request(zhang, "拦截快递", order_id="HP20241202", confirmed=True)
    await ActionInterceptParcel().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_delivery_change_refused"
    assert "中通不支持派送途中拦截" in message["reason"] and "拒收" in message["reason"]


async def test_no_to_the_confirmation_intercepts_nothing(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    tracker = intercept_request(zhang, "拦截快递", order_id="HP20241201", confirmed=False)
    await ActionInterceptParcel().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_interception_not_requested"]
    assert await backend.list_delivery_changes("HP20241201", "C001") == []


async def test_backend_down_apologises_with_a_ticket(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    tracker = intercept_request(zhang, "拦截快递", order_id="HP20241201", confirmed=True)

    async def down(*args: Any, **kwargs: Any) -> Any:
        from zhike.lib.backend_client import BackendUnavailable

        raise BackendUnavailable("down", code="connection_error")

    backend.request_interception = down  # type: ignore[method-assign]
    events = await ActionInterceptParcel().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_backend_unavailable_ticket"]
    ticket_id = dispatcher.messages[0]["ticket_id"]
    ticket = await backend.get_ticket(ticket_id)
    assert ticket is not None and ticket.category == "logistics"
    assert any(event.get("name") == "action_request_handoff" for event in events)


async def test_changes_of_another_customers_order_are_not_found(
    li_app: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionInterceptParcel().run(
        dispatcher,
        li_app("拦截", "intercept_parcel", order_id="HP20241201", confirmed=True),
        DOMAIN,
    )
    await ActionScheduleDelivery().run(
        dispatcher,
        li_app(order_id="HP20241204", window_date=ahead(2), window_slot="am", confirmed=True),
        DOMAIN,
    )
    await ActionChangeReceiverPhone().run(
        dispatcher,
        li_app(order_id="HP20241201", receiver_phone="13912345678", confirmed=True),
        DOMAIN,
    )
    await ActionRescheduleReturnPickup().run(
        dispatcher,
        li_app(order_id="HP20241205", window_date=ahead(2), window_slot="pm", confirmed=True),
        DOMAIN,
    )
    assert responses(dispatcher) == ["utter_order_not_found"] * 4


# --- delivery time ------------------------------------------------------------------------


async def test_the_request_names_the_day_and_the_slot_is_asked(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    form = ValidateDeliveryTimeForm()
    tracker = zhang("能不能周六再送", "schedule_delivery")
    day = await form.extract_window_date(dispatcher, tracker, real_domain)
    assert set(day) == {"window_date"}
    assert await form.extract_window_slot(dispatcher, tracker, real_domain) == {}
    asked = zhang("下午吧", "inform", requested_slot="window_slot", **day)
    assert await form.extract_window_slot(dispatcher, asked, real_domain) == {"window_slot": "pm"}
    both = zhang("明天晚上送", "schedule_delivery")
    assert await form.extract_window_date(dispatcher, both, real_domain) == {
        "window_date": ahead(1)
    }
    assert await form.extract_window_slot(dispatcher, both, real_domain) == {
        "window_slot": "evening"
    }


@pytest.mark.parametrize(("days", "words"), [(0, "今天"), (12, "距今 12 天"), (-1, "已经过去")])
async def test_a_day_outside_the_week_is_asked_again_with_the_reason(
    zhang: Turn, dispatcher: CollectingDispatcher, days: int, words: str
) -> None:
    form = ValidateDeliveryTimeForm()
    result = await form.validate_window_date(ahead(days), dispatcher, zhang(), DOMAIN)
    assert result["window_date"] is None
    [message] = dispatcher.messages
    assert message["response"] == "utter_window_date_out_of_range"
    assert words in message["reason"] and "7 天内" in message["reason"]


async def test_a_delivery_window_is_booked_or_refused_with_the_reason(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    slots = {"window_date": ahead(3), "window_slot": "pm", "confirmed": True}
    await ActionScheduleDelivery().run(dispatcher, zhang(order_id="HP20241204", **slots), DOMAIN)
    [booked] = dispatcher.messages
    assert booked["response"] == "utter_delivery_time_scheduled"
    assert "下午" in booked["window_label"] and "周" in booked["window_label"]
    dispatcher.messages.clear()
    await ActionScheduleDelivery().run(dispatcher, zhang(order_id="HP20241207", **slots), DOMAIN)
    [refused] = dispatcher.messages
    assert refused["response"] == "utter_delivery_change_refused"
    assert "不支持预约配送" in refused["reason"]


async def test_delivered_and_out_for_delivery_orders_end_the_form(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateDeliveryTimeForm()
    for order_id, words in (("HP20241203", "签收"), ("HP20241202", "派送中")):
        result = await form.validate_order_id(order_id, dispatcher, zhang(), DOMAIN)
        assert result["form_gave_up"] is True
        assert words in dispatcher.messages[-1]["reason"]


# --- receiver phone -----------------------------------------------------------------------


async def test_the_new_phone_is_taken_from_the_request_and_said_back_masked(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    form = ValidateReceiverPhoneForm()
    tracker = zhang("收货电话写错了改成139 1234 5678", "change_receiver_phone")
    assert await form.extract_receiver_phone(dispatcher, tracker, DOMAIN) == {
        "receiver_phone": "13912345678"
    }
    slots = {"order_id": "HP20241201", "receiver_phone": "13912345678"}
    await ActionAskReceiverPhoneConfirmed().run(dispatcher, zhang(**slots), DOMAIN)
    assert dispatcher.messages[-1]["masked_phone"] == "139****5678"
    await ActionChangeReceiverPhone().run(dispatcher, zhang(confirmed=True, **slots), DOMAIN)
    changed = dispatcher.messages[-1]
    assert changed["response"] == "utter_receiver_phone_changed"
    assert changed["masked_phone"] == "139****5678"
    assert "13912345678" not in str(dispatcher.messages)
    order = await backend.get_order("HP20241201")
    assert order is not None and order.phone == "13912345678"


async def test_a_wrong_number_is_asked_again_and_a_delivered_order_refused(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateReceiverPhoneForm()
    result = await form.validate_receiver_phone("139123", dispatcher, zhang(), DOMAIN)
    assert result["receiver_phone"] is None
    assert responses(dispatcher) == ["utter_invalid_receiver_phone"]
    result = await form.validate_order_id("HP20241203", dispatcher, zhang(), DOMAIN)
    assert result["form_gave_up"] is True and "签收" in dispatcher.messages[-1]["reason"]
    same = {"order_id": "HP20241201", "receiver_phone": "13800138001", "confirmed": True}
    await ActionChangeReceiverPhone().run(dispatcher, zhang(**same), DOMAIN)
    assert "一样" in dispatcher.messages[-1]["reason"]


async def test_a_question_instead_of_the_number_is_told_the_robot_cannot_see_it(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "新号码是多少你们能看到吗" was told 「手机号好像不太对」."""
    form = ValidateReceiverPhoneForm()
    asked = zhang("新号码是多少你们能看到吗", requested_slot="receiver_phone")
    result = await form.validate_receiver_phone(
        asked.latest_message["text"], dispatcher, asked, DOMAIN
    )
    assert result["receiver_phone"] is None
    assert responses(dispatcher) == ["utter_receiver_phone_not_seen"]


# --- return pickup ------------------------------------------------------------------------


async def test_a_pickup_is_rescheduled_after_the_one_the_customer_cannot_make(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    form = ValidatePickupForm()
    checked = await form.validate_order_id("HP20241205", dispatcher, zhang(), DOMAIN)
    assert "京东物流" in checked["pickup_current"] and "上午" in checked["pickup_current"]
    tracker = zhang("取件的师傅明天来不了，改到后天", "reschedule_pickup")
    assert await form.extract_window_date(dispatcher, tracker, real_domain) == {
        "window_date": ahead(2)
    }
    refused = await form.validate_window_slot("晚上", dispatcher, zhang(), DOMAIN)
    assert refused["window_slot"] is None
    assert responses(dispatcher) == ["utter_invalid_pickup_slot"]
    slots = {"order_id": "HP20241205", "window_date": ahead(2), "window_slot": "pm"}
    await ActionRescheduleReturnPickup().run(dispatcher, zhang(confirmed=True, **slots), DOMAIN)
    done = dispatcher.messages[-1]
    assert done["response"] == "utter_pickup_rescheduled" and "下午" in done["window_label"]


async def test_an_order_without_a_pickup_says_so(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    result = await ValidatePickupForm().validate_order_id("HP20241203", dispatcher, zhang(), DOMAIN)
    assert result["form_gave_up"] is True
    assert responses(dispatcher) == ["utter_no_pickup"]


async def test_a_typed_slot_answers_whatever_the_nlu_made_of_it_but_a_question_does_not(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    form = ValidateDeliveryTimeForm()
    slots = {"order_id": "HP20241204", "window_date": ahead(2), "requested_slot": "window_slot"}
    typed = zhang("下午", "chitchat", **slots)
    # the button's value, validated to "pm"
    assert await form.extract_window_slot(dispatcher, typed, real_domain) == {"window_slot": "下午"}
    question = zhang("下单后多久发货？", "faq", **slots)
    assert await form.extract_window_slot(dispatcher, question, real_domain) == {}
    asked_day = {"order_id": "HP20241204", "requested_slot": "window_date"}
    unreadable = zhang("看情况吧", "inform", **asked_day)
    assert await form.extract_window_date(dispatcher, unreadable, real_domain) == {
        "window_date": "看情况吧"
    }
    result = await form.validate_window_date("看情况吧", dispatcher, zhang(), DOMAIN)
    assert result["window_date"] is None
    assert responses(dispatcher) == ["utter_invalid_window_date"]
