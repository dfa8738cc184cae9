"""An unclear message about an order offers the services its words name, after the status."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.order_offers import offer_order_services
from actions.order_questions import named_services
from actions.orders import ActionOrderStatus
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn, earlier_turn

DOMAIN: dict = {"forms": {"order_id_form": {"required_slots": ["order_id"]}}}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages]


async def test_an_unsure_exchange_question_gets_the_status_and_the_exchange_offered(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("HP20240002能换货吗", "nlu_fallback", order_id="HP20240002")
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher) == [
        "utter_order_status",
        "utter_order_logistics",
        "utter_order_services_offer",
    ]
    [button] = dispatcher.messages[-1]["buttons"]
    assert button["title"].startswith("申请换货")
    assert button["payload"] == '/request_exchange{"order_id": "HP20240002"}'


async def test_an_unsure_visit_question_gets_the_visit_requests_offered_for_its_order(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    """ "空调安装的师傅啥时候来 HP20241401" showed the parcel, not a word of the visit."""
    tracker = zhang("空调安装的师傅啥时候来 HP20241401", "nlu_fallback", order_id="HP20241401")
    tracker.events[-1]["parse_data"]["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.58},
        {"name": "query_visit", "confidence": 0.58},
        {"name": "book_visit", "confidence": 0.38},
        {"name": "query_logistics", "confidence": 0.02},
    ]
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher)[-1] == "utter_order_services_offer"
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == [
        '/query_visit{"order_id": "HP20241401"}',
        '/book_visit{"order_id": "HP20241401"}',
    ]


async def test_an_unsure_status_question_is_offered_nothing_more(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("HP20240001 咋回事啊", "nlu_fallback", order_id="HP20240001")
    tracker.events[-1]["parse_data"]["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "query_logistics", "confidence": 0.5},
        {"name": "query_order", "confidence": 0.3},
    ]
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert "utter_order_services_offer" not in responses(dispatcher)


@pytest.mark.parametrize(
    ("order_id", "offered"),
    [("HP20240002", []), ("HP20240003", ['/cancel_order{"order_id": "HP20240003"}'])],
)
async def test_a_guessed_request_is_offered_only_where_the_order_allows_it(
    zhang: Turn, dispatcher: CollectingDispatcher, order_id: str, offered: list[str]
) -> None:
    """ "这单是已经签收了吧" about a delivered order was offered 「取消订单」."""
    tracker = zhang(f"对了这单{order_id}是已经签收了吧", "nlu_fallback", order_id=order_id)
    tracker.events[-1]["parse_data"]["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "cancel_order", "confidence": 0.27},
        {"name": "modify_address", "confidence": 0.12},
    ]
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher)[0] == "utter_order_status"
    buttons = [m["buttons"] for m in dispatcher.messages if m["response"].endswith("_offer")]
    assert [b["payload"] for b in (buttons[0] if buttons else [])][:1] == offered


async def test_a_sure_lookup_offers_only_what_it_asks_whether_can_be_had(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    past = zhang("查一下HP20240002退货的那个订单", "query_order", order_id="HP20240002")
    await ActionOrderStatus().run(dispatcher, past, DOMAIN)
    bare = zhang("HP20240002", "nlu_fallback", order_id="HP20240002")
    await ActionOrderStatus().run(dispatcher, bare, DOMAIN)
    assert "utter_order_services_offer" not in responses(dispatcher)
    # a status question that asks whether a service can be had: offered
    both = zhang("我的订单HP20240002还没发货 能取消吗", "query_order", order_id="HP20240002")
    await ActionOrderStatus().run(dispatcher, both, DOMAIN)
    assert dispatcher.messages[-1]["buttons"][0]["payload"].startswith("/cancel_order")


async def test_an_order_number_typed_instead_of_a_button_offers_what_was_asked_about(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("HP20240002", "inform", order_id="HP20240002")
    earlier_turn(tracker, "买的手机降价了", "action_two_stage_fallback")
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher)[-1] == "utter_order_services_offer"
    [button] = dispatcher.messages[-1]["buttons"]
    assert button["payload"] == '/request_price_protection{"order_id": "HP20240002"}'


async def test_an_order_number_typed_instead_of_a_pick_offers_the_requests_asked_between(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    # "空调什么时候上门安装", "您是想咨询…" (two visit requests), then "HP20241401"
    tracker = zhang("HP20241401", "inform", order_id="HP20241401")
    earlier_turn(tracker, "空调什么时候上门安装", "action_two_stage_fallback")
    tracker.events[-3]["metadata"] = {"utter_action": "utter_ask_affirmation_intro"}
    tracker.events[-3]["data"] = {
        "buttons": [
            {"title": "查询师傅上门时间", "payload": "/query_visit"},
            {"title": "预约上门安装/维修", "payload": "/book_visit"},
            {"title": "都不是", "payload": "/out_of_scope"},
        ]
    }
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher)[-1] == "utter_order_services_offer"
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == [
        '/query_visit{"order_id": "HP20241401"}',
        '/book_visit{"order_id": "HP20241401"}',
    ]


async def test_an_order_number_after_an_understood_request_offers_nothing_more(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("HP20240002", "inform", order_id="HP20240002")
    earlier_turn(tracker, "帮我查下降价的那个订单", "order_id_form")
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert "utter_order_services_offer" not in responses(dispatcher)


@pytest.mark.parametrize(
    ("text", "services"),
    [
        ("这个能不能换个颜色", ["request_exchange"]),
        ("我想换个地址", ["modify_address"]),  # the address, not the goods
        ("不想要了能退吗", ["request_refund"]),
        ("HP20240003不要了", ["cancel_order"]),
        ("签收了 但是少了一包纸", ["request_refund"]),
        ("降价了给补差价吗 顺便开个发票", ["request_invoice", "request_price_protection"]),
        ("我前天买的手机今天降了一百 能补吗", ["request_price_protection"]),
        ("到哪了", []),
        ("怎么还没发货", []),
    ],
)
def test_the_services_a_message_names(text: str, services: list[str]) -> None:
    assert named_services(text) == services


def _after_an_answer(turn: Turn, question: str, text: str) -> Tracker:
    """``text`` right after the knowledge base answered ``question``."""
    tracker = turn(text, "inform", order_id="HP20240002")
    answered = [
        {"event": "user", "text": question, "parse_data": {"intent": {"name": "faq"}}},
        {"event": "action", "name": "action_answer_faq"},
        {"event": "bot", "text": "亲，商品降价后 7 天内可申请价保…"},
        {"event": "slot", "name": "kb_answered", "value": question},
        {"event": "action", "name": "action_listen"},
    ]
    tracker.events[-1:-1] = answered
    return tracker


async def test_an_order_number_after_a_rules_answer_offers_that_service(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = _after_an_answer(zhang, "降价了能补差价吗", "HP20240002")
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher)[-1] == "utter_order_services_offer"
    [button] = dispatcher.messages[-1]["buttons"]
    assert button["payload"] == '/request_price_protection{"order_id": "HP20240002"}'


async def test_an_older_answer_offers_nothing(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = _after_an_answer(zhang, "降价了能补差价吗", "HP20240002")
    tracker.events[-1:-1] = [
        {"event": "user", "text": "好的", "parse_data": {"intent": {"name": "affirm"}}},
        {"event": "bot", "text": "还有什么可以帮您？"},
        {"event": "action", "name": "action_listen"},
    ]
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert "utter_order_services_offer" not in responses(dispatcher)


async def test_the_asked_about_message_is_found_behind_the_lookup_and_a_taken_back_turn(
    anonymous: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    # anonymous: "买的手机降价了" (asked about), "HP20240002" (the two-stage fallback
    # takes it back and reads it again as a clarification), "8001" for the lookup
    tracker = anonymous("8001", "inform", order_id="HP20240002")
    earlier_turn(tracker, "买的手机降价了", "action_two_stage_fallback")
    tracker.events[-1:-1] = [
        {"event": "user", "text": "HP20240002", "parse_data": {}},
        {"event": "action", "name": "action_two_stage_fallback"},  # a clarification:
        {"event": "active_loop", "name": None},
        {"event": "rewind"},  # taken back and read again
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "HP20240002", "parse_data": {}},
        {"event": "action", "name": "order_id_form"},
        {"event": "bot", "text": "请提供下单手机号的后 4 位"},
        {"event": "action", "name": "action_listen"},
    ]
    order = await backend.get_order("HP20240002")
    assert order is not None
    offered = offer_order_services(dispatcher, tracker, order)
    assert offered and dispatcher.messages[-1]["buttons"][0]["payload"].startswith(
        "/request_price_protection"
    )


async def test_an_unclear_opening_asked_for_the_phone_digits_is_offered_what_it_named(
    anonymous: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    tracker = anonymous("8001", "inform", order_id="HP20240003")
    tracker.events[-1:-1] = [
        {
            "event": "user",
            "text": "你好 我的订单HP20240003还没发货 能取消吗",
            "parse_data": {"intent": {"name": "nlu_fallback"}},
        },
        {"event": "action", "name": "order_id_form"},
        {"event": "bot", "text": "请提供下单手机号的后 4 位"},
        {"event": "action", "name": "action_listen"},
    ]
    order = await backend.get_order("HP20240003")
    assert order is not None
    assert offer_order_services(dispatcher, tracker, order)
    [button] = dispatcher.messages[-1]["buttons"]
    assert button["payload"] == '/cancel_order{"order_id": "HP20240003"}'


async def test_not_wanting_an_order_not_shipped_yet_is_offered_as_cancelling_it(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    unshipped = zhang("HP20240003还没发货吧 我不想要了", "nlu_fallback", order_id="HP20240003")
    await ActionOrderStatus().run(dispatcher, unshipped, DOMAIN)
    [button] = dispatcher.messages[-1]["buttons"]
    assert button["payload"] == '/cancel_order{"order_id": "HP20240003"}'
    # on its way, it is a refund (the refund's own flow explains rejecting the parcel)
    shipped = zhang("HP20240001到哪了 我不想要了", "nlu_fallback", order_id="HP20240001")
    await ActionOrderStatus().run(dispatcher, shipped, DOMAIN)
    [button] = dispatcher.messages[-1]["buttons"]
    assert button["payload"].startswith("/request_refund")


async def test_an_order_being_refunded_is_offered_its_refunds_progress_not_a_refund(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    # "退款多久到账" (answered), then "我那个HP20240004的呢": the blender's refund is open
    tracker = zhang("我那个HP20240004的呢", "nlu_fallback", order_id="HP20240004")
    earlier_turn(tracker, "我的退款要多久才能到账", "action_answer_knowledge")
    answered = {"event": "slot", "name": "kb_answered", "value": "我的退款要多久才能到账"}
    tracker.events.insert(len(tracker.events) - 2, answered)
    await ActionOrderStatus().run(dispatcher, tracker, DOMAIN)
    assert responses(dispatcher)[-1] == "utter_order_services_offer"
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == [
        '/query_refund{"order_id": "HP20240004"}'
    ]
