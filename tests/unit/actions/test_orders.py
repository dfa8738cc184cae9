from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import ORDER_PROOF, proven
from actions.orders import ActionOrderStatus, ValidateOrderIdForm
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn
from .proofs import order_proofs

DOMAIN: dict = {"forms": {"order_id_form": {"required_slots": ["order_id"]}}}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def test_shipped_order_reports_status_and_logistics(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("查订单", "query_order", order_id="HP20240001")
    events = await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)

    status, logistics = dispatcher.messages
    assert status["response"] == "utter_order_status"
    assert status["order_id"] == "HP20240001"
    assert status["status_label"] == "已发货，正在运输中"
    assert logistics["response"] == "utter_order_logistics"
    assert logistics["courier"] == "顺丰"
    assert logistics["tracking_number"] == "SF1234567890"
    assert "月" in logistics["latest_event"]
    assert SlotSet("order_id", None) in events  # the next lookup asks afresh


async def test_a_logistics_question_also_gets_the_latest_scans(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("快递到哪了", "query_logistics", order_id="HP20240001")
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)

    assert responses(dispatcher) == [
        "utter_order_status",
        "utter_order_logistics",
        "utter_order_tracking_events",
    ]
    assert len(dispatcher.messages[2]["events"].splitlines()) == 3


async def test_a_customer_waiting_for_an_unshipped_order_hears_when_it_ships(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    waiting = zhang("我这单咋还没到 都好几天了", "query_logistics", order_id="HP20240003")
    await ActionOrderStatus().run(dispatcher, waiting, DOMAIN)
    assert responses(dispatcher)[:2] == ["utter_order_status", "utter_order_urged_paid"]
    assert dispatcher.messages[1]["buttons"][0]["title"] == "转人工客服"
    plain = CollectingDispatcher()  # asked plainly: the status alone
    await ActionOrderStatus().run(
        plain, zhang("HP20240003现在什么状态", "query_order", order_id="HP20240003"), DOMAIN
    )
    assert responses(plain) == ["utter_order_status"]
    cancel = CollectingDispatcher()  # a service named: offered, no reassurance about shipping
    said = "HP20240003还没发货 能取消吗"
    await ActionOrderStatus().run(cancel, zhang(said, "query_order", order_id="HP20240003"), DOMAIN)
    assert "utter_order_urged_paid" not in responses(cancel)


async def test_a_delivered_parcel_the_customer_never_got_is_offered_a_person(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    said = "物流显示签收了 可我根本没收到啊"
    await ActionOrderStatus().run(
        dispatcher, zhang(said, "query_logistics", order_id="HP20240002"), DOMAIN
    )

    assert responses(dispatcher)[-1] == "utter_order_delivered_not_received"
    plain = CollectingDispatcher()  # the same parcel, asked about plainly
    await ActionOrderStatus().run(
        plain, zhang("到哪了", "query_logistics", order_id="HP20240002"), DOMAIN
    )
    assert "utter_order_delivered_not_received" not in responses(plain)
    unsure = CollectingDispatcher()  # NLU unsure, the order number started the lookup
    tracker = zhang("HP20240002 显示签收了 我没收到", "nlu_fallback", order_id="HP20240002")
    await ActionOrderStatus().run(unsure, tracker, DOMAIN)
    assert responses(unsure)[-1] == "utter_order_delivered_not_received"
    on_the_way = CollectingDispatcher()  # not delivered yet: the tracking answers it
    await ActionOrderStatus().run(
        on_the_way, zhang(said, "query_logistics", order_id="HP20240001"), DOMAIN
    )
    assert "utter_order_delivered_not_received" not in responses(on_the_way)
    waiting = CollectingDispatcher()  # "怎么还没到啊" of a parcel shown as delivered
    tracker = zhang("怎么还没到啊", "query_logistics", order_id="HP20240002")
    await ActionOrderStatus().run(waiting, tracker, DOMAIN)
    assert responses(waiting)[-1] == "utter_order_delivered_not_received"


async def test_unshipped_order_reports_status_only(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionOrderStatus().run(dispatcher, zhang(order_id="hp20240003"), DOMAIN)

    [status] = dispatcher.messages
    assert status["status_label"] == "已付款，等待发货"


async def test_status_message_carries_no_personal_data(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    await ActionOrderStatus().run(dispatcher, zhang(order_id="HP20240001"), DOMAIN)
    order = await backend.get_order("HP20240001")
    assert order is not None
    rendered = str(dispatcher.messages)
    for personal in (order.phone, order.recipient, order.shipping_address, order.phone[-4:]):
        assert personal and personal not in rendered


async def test_another_customers_order_is_answered_like_an_unknown_one(
    li_app: Turn, dispatcher: CollectingDispatcher
) -> None:
    # 李娜 (C002, app channel) asks for 张伟's order, then for a number that does not exist
    events = await ActionOrderStatus().run(dispatcher, li_app(order_id="HP20240001"), DOMAIN)
    await ActionOrderStatus().run(dispatcher, li_app(order_id="HP29999999"), DOMAIN)
    # and it is not the order in focus: "那我自己的订单呢" next does not mean it again
    assert {"event": "slot", "timestamp": None, "name": "focus_order", "value": None} in events

    foreign, unknown = dispatcher.messages
    assert foreign["response"] == unknown["response"] == "utter_order_not_found"
    assert "SF1234567890" not in str(dispatcher.messages)


async def test_the_app_channel_identity_sees_its_own_order(
    li_app: Turn, dispatcher: CollectingDispatcher
) -> None:
    await ActionOrderStatus().run(dispatcher, li_app(order_id="HP20240005"), DOMAIN)
    assert dispatcher.messages[1]["tracking_number"] == "ZT9876543210"


async def test_an_anonymous_user_sees_only_orders_proved_in_this_chat(
    anonymous: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    await ActionOrderStatus().run(dispatcher, anonymous(order_id="HP20240001"), DOMAIN)
    assert responses(dispatcher) == ["utter_order_not_found"]

    dispatcher.messages.clear()
    proofs = order_proofs("web-session-anon", "HP20240001")
    tracker = anonymous(order_id="HP20240001", verified_orders=proofs)
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher)[0] == "utter_order_status"


async def test_a_forged_customer_id_in_metadata_is_ignored(
    dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    from .conftest import make_turn

    forged = make_turn("web-x", "socketio", {"customer_id": "C001", "zhike_identity": {}})
    await ActionOrderStatus().run(dispatcher, forged(order_id="HP20240001"), DOMAIN)
    assert responses(dispatcher) == ["utter_order_not_found"]


async def test_backend_down_gets_an_apology(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    tracker = zhang(order_id="HP20240001")
    backend.unavailable = True
    events = await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)

    assert responses(dispatcher) == ["utter_backend_unavailable"]
    assert SlotSet("order_id", None) in events


async def test_missing_order_number_is_asked_for(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    calls = len(backend.calls)
    await ActionOrderStatus().run(dispatcher, zhang(order_id=None), DOMAIN)

    assert responses(dispatcher) == ["utter_ask_order_id"]
    assert backend.calls[calls:] == []


async def test_validation_normalises_a_valid_order_number(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    result = await ValidateOrderIdForm().validate_order_id(
        "ｈｐ20240002", dispatcher, anonymous(), DOMAIN
    )
    # ... and the order is the conversation's focus for follow-ups ("明天能到吗").
    assert result == {"order_id": "HP20240002", "focus_order": "HP20240002"}
    assert dispatcher.messages == []


async def test_not_knowing_the_order_number_is_helped_not_told_the_format_is_wrong(
    anonymous: Turn, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    said, form = "我不知道订单号", ValidateOrderIdForm()
    known = zhang(said, "nlu_fallback", requested_slot="order_id")
    result = await form.validate_order_id(said, dispatcher, known, DOMAIN)
    assert result["order_id"] is None  # a known customer: click one of the orders shown
    unknown = anonymous(said, "nlu_fallback", requested_slot="order_id")
    result = await form.validate_order_id(said, dispatcher, unknown, DOMAIN)
    # an anonymous one: where to find it, and the phone check that lists their orders
    assert result == {"order_id": None, "verify_by_phone": True}
    assert responses(dispatcher) == ["utter_order_id_help_known", "utter_order_id_help"]
    verifying = anonymous("", "nlu_fallback", requested_slot="order_id", verify_by_phone=True)
    slots = await form.required_slots(["order_id", "phone_last4"], dispatcher, verifying, DOMAIN)
    assert slots[:3] == ["bind_phone", "bind_code", "order_id"]


async def test_an_anonymous_customer_who_forgot_the_phone_is_offered_a_person(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateOrderIdForm()
    tracker = anonymous(
        "我忘了是哪个手机号", "nlu_fallback", order_id="HP20240001", requested_slot="phone_last4"
    )
    extracted = await form.extract_phone_last4(dispatcher, tracker, DOMAIN)
    result = await form.validate_phone_last4(extracted["phone_last4"], dispatcher, tracker, DOMAIN)
    assert result == {"phone_last4": None, "form_gave_up": True}
    assert responses(dispatcher) == ["utter_bind_phone_unknown"]


async def test_validation_rejects_a_malformed_order_number_and_counts_it(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateOrderIdForm()
    result = await form.validate_order_id("HP123", dispatcher, anonymous("HP123"), DOMAIN)
    assert result == {"order_id": None, "form_failures": 1.0}
    assert responses(dispatcher) == ["utter_invalid_order_id"]

    # the third invalid answer gives up without asking again
    dispatcher.messages.clear()
    tracker = anonymous("HP123", form_failures=2.0)
    result = await form.validate_order_id("HP123", dispatcher, tracker, DOMAIN)
    assert result == {"order_id": None, "form_failures": 3.0, "form_gave_up": True}
    assert dispatcher.messages == []


async def test_anonymous_users_must_prove_the_phone_digits(
    anonymous: Turn, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateOrderIdForm()
    slots = ["order_id"]
    assert await form.required_slots(
        slots, dispatcher, anonymous(order_id="HP20240001"), DOMAIN
    ) == [
        "order_id",
        "phone_last4",
    ]
    proofs = order_proofs("web-session-anon", "HP20240001")
    proved = anonymous(order_id="HP20240001", verified_orders=proofs)
    assert await form.required_slots(slots, dispatcher, proved, DOMAIN) == ["order_id"]
    assert await form.required_slots(slots, dispatcher, zhang(order_id="HP20240001"), DOMAIN) == [
        "order_id"
    ]


async def test_right_digits_unlock_the_order(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = anonymous("8001", order_id="HP20240001", requested_slot="phone_last4")
    result = await ValidateOrderIdForm().validate_phone_last4(
        "尾号8001", dispatcher, tracker, DOMAIN
    )
    assert result["phone_last4"] == "verified"
    assert proven(ORDER_PROOF, result["verified_orders"], tracker.sender_id) == ["HP20240001"]


async def test_five_wrong_tries_lock_the_order_for_this_sender(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    form = ValidateOrderIdForm()
    for attempt in range(1, 5):
        tracker = anonymous("0000", order_id="HP20240001", requested_slot="phone_last4")
        result = await form.validate_phone_last4("0000", dispatcher, tracker, DOMAIN)
        assert result == {"phone_last4": None}
        assert dispatcher.messages[-1]["attempts_left"] == 5 - attempt
    tracker = anonymous("0000", order_id="HP20240001", requested_slot="phone_last4")
    result = await form.validate_phone_last4("0000", dispatcher, tracker, DOMAIN)
    assert result == {"phone_last4": None, "form_gave_up": True}
    assert dispatcher.messages[-1]["response"] == "utter_order_locked"

    # while locked, even the right digits are refused
    tracker = anonymous("8001", order_id="HP20240001", requested_slot="phone_last4")
    result = await form.validate_phone_last4("8001", dispatcher, tracker, DOMAIN)
    assert (
        result["phone_last4"] is None
        and dispatcher.messages[-1]["response"] == "utter_order_locked"
    )


def _after_parcel(tracker: Any, asked: str, *said: str) -> Any:
    """``tracker`` after ``asked`` put HP20240001 in focus and the robot said ``said``."""
    tracker.events[-1:-1] = [
        {"event": "user", "text": asked},
        {"event": "slot", "name": "focus_order", "value": "HP20240001"},
        *({"event": "bot", "text": "…", "metadata": {"utter_action": r}} for r in said),
    ]
    return tracker


async def test_a_follow_up_right_after_the_parcel_was_shown_gets_the_arrival_only(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = _after_parcel(
        zhang("明天能到吗", "query_logistics", order_id="HP20240001"),
        "HP20240001到哪了",
        "utter_order_status",
        "utter_order_logistics",
    )
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    # not the status, the courier and the scans all over again
    [eta] = dispatcher.messages
    assert eta["response"] == "utter_order_eta"
    assert eta["order_id"] == "HP20240001" and "月" in eta["eta"]

    # asking for the status again, or about the same order later, gets the whole picture
    again = zhang("HP20240001现在什么状态", "query_order", order_id="HP20240001")
    again.events[-1:-1] = tracker.events[-5:-1]
    status = CollectingDispatcher()
    await ActionOrderStatus().run(status, again, DOMAIN)
    assert responses(status)[:2] == ["utter_order_status", "utter_order_logistics"]
    other = CollectingDispatcher()
    await ActionOrderStatus().run(
        other, zhang("明天能到吗", "query_logistics", order_id="HP20240001"), DOMAIN
    )
    assert responses(other)[:2] == ["utter_order_status", "utter_order_logistics"]


async def test_asking_when_an_unshipped_order_just_urged_comes_is_told_it_has_not_shipped(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """「明天能到吗」 got the status and the same reassurance all over again."""
    tracker = _after_parcel(
        zhang("明天能到吗", "query_logistics", order_id="HP20240003"),
        "东西还没到 急用",
        "utter_order_status",
        "utter_order_urged_paid",
    )
    [focus] = [e for e in tracker.events if e.get("name") == "focus_order"]
    focus["value"] = "HP20240003"  # the order shown
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    [said] = dispatcher.messages
    assert said["response"] == "utter_order_eta_unshipped" and said["order_id"] == "HP20240003"
    assert [b["title"] for b in said["buttons"]] == ["转人工客服"]


@pytest.mark.parametrize("kept", [False, True])
async def test_urging_the_parcel_just_shown_hears_when_it_comes_not_the_status_again(
    zhang: Turn, dispatcher: CollectingDispatcher, kept: bool
) -> None:
    tracker = _after_parcel(
        zhang("能不能快点啊", "query_logistics", order_id="HP20240001"),
        "HP20240001到哪了",
        "utter_order_logistics",
    )
    if kept:  # unsure, then put back as the logistics question it continues
        tracker.events[-1:-1] = [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": "能不能快点啊"},
            {"event": "action", "name": "action_keep_topic"},
            {"event": "rewind"},
            {"event": "action", "name": "action_listen"},
        ]
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_order_urged_shipped"]


async def test_asking_when_it_arrives_right_after_urging_it_gets_the_arrival_only(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = _after_parcel(
        zhang("那明天能到吗", "query_logistics", order_id="HP20240001"),
        "能不能快点啊",
        "utter_order_urged_shipped",
    )
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == ["utter_order_eta"]
