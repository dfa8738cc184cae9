"""A question about the order just shown ("这个能退吗") is answered for that order."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionAskAffirmation, ActionDefaultFallback
from actions.knowledge import ActionAnswerKnowledge
from actions.order_questions import asks_about_focus_order, past_return_window, refund_blocker
from zhike.common.refund_kinds import PRICE_PROTECTION_REASON
from zhike.lib.backend_client.domain import Refund
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn, earlier_turn


def shown(tracker: Tracker, order_id: str = "HP20240002") -> Tracker:
    """The tracker with ``order_id`` put in focus just before the latest message."""
    tracker.events.insert(-1, {"event": "slot", "name": "focus_order", "value": order_id})
    return tracker


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [message.get("response") for message in dispatcher.messages]


@pytest.mark.parametrize(
    "text",
    [
        "这个能退吗",
        "可以退货不",
        "能不能退掉",
        "这单还能退款吗？",
        "那能换吗",
        "能取消吗",
        "这个能开票吗",  # 开票 names the invoice as 发票 does
    ],
)
def test_a_short_question_whether_names_a_service_on_the_order_in_focus(
    zhang: Turn, text: str
) -> None:
    asked = asks_about_focus_order(shown(zhang(text, "faq")))
    assert asked is not None and asked[0] == "HP20240002"


@pytest.mark.parametrize(
    "text",
    [
        "退货政策是怎样的",  # asks nothing about whether
        "我要退货",  # a request, not a question
        "HP20240003能退吗",  # another order
        "我前两天在你们这买的那个东西如果不喜欢的话到底能不能退呢",  # too long to be a follow-up
        "到哪了？",  # names no service
        "发票怎么开？",  # asks how: the knowledge base answers
        "退货运费谁出吗",
    ],
)
def test_other_messages_are_no_question_about_the_order_in_focus(zhang: Turn, text: str) -> None:
    assert asks_about_focus_order(shown(zhang(text, "faq"))) is None


def test_without_an_order_in_focus_nothing_is_asked_about_it(zhang: Turn) -> None:
    assert asks_about_focus_order(zhang("这个能退吗", "faq")) is None


@pytest.mark.usefixtures("knowledge")
@pytest.mark.parametrize(
    ("order_id", "response", "button"),
    [
        (
            "HP20240002",
            "utter_refund_possible_delivered",
            '/request_refund{"order_id": "HP20240002"}',
        ),
        ("HP20240003", "utter_refund_possible", '/request_refund{"order_id": "HP20240003"}'),
        ("HP20240004", "utter_refund_already_open", '/query_refund{"order_id": "HP20240004"}'),
    ],
)
async def test_whether_the_order_shown_can_be_refunded_is_answered_for_it(
    zhang: Turn, dispatcher: CollectingDispatcher, order_id: str, response: str, button: str
) -> None:
    tracker = shown(zhang("这个能退吗", "faq"), order_id)
    await ActionAnswerKnowledge().run(dispatcher, tracker, {})
    assert responses(dispatcher) == [response]
    assert dispatcher.messages[0]["order_id"] == order_id
    assert dispatcher.messages[0]["buttons"][0]["payload"] == button


@pytest.mark.usefixtures("knowledge")
async def test_an_unsure_question_about_another_service_offers_it_on_the_order(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = shown(zhang("这个能换吗", "nlu_fallback"), "HP20240002")
    await ActionAskAffirmation().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_order_services_offer"]
    [button] = dispatcher.messages[0]["buttons"]
    assert button["payload"] == '/request_exchange{"order_id": "HP20240002"}'


@pytest.mark.usefixtures("knowledge")
async def test_an_anonymous_sender_gets_the_general_answer_not_someone_elses_order(
    anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = shown(anonymous("这个能退吗", "faq"), "HP20240002")  # never proved
    await ActionAnswerKnowledge().run(dispatcher, tracker, {})
    assert "utter_refund_possible_delivered" not in responses(dispatcher)
    assert all("HP20240002" not in str(message) for message in dispatcher.messages)


async def test_the_refund_rules_by_status(backend: InMemoryBackendClient) -> None:
    paid = await backend.get_order("HP20240003")
    delivered = await backend.get_order("HP20240002")
    assert paid is not None and delivered is not None
    assert refund_blocker(paid) is None and refund_blocker(delivered) is None
    open_refund = Refund("RF1", "HP20240003", 100, "买错了", "requested")
    assert refund_blocker(replace(paid, refunds=(open_refund,)))[0] == "utter_refund_already_open"
    # a price difference paid back (价保) leaves the goods to return
    difference = Refund("RF2", "HP20240002", 100, PRICE_PROTECTION_REASON, "processing")
    assert refund_blocker(replace(delivered, refunds=(difference,))) is None
    assert refund_blocker(replace(paid, status="pending_payment")) == (
        "utter_refund_order_unpaid",
        ["cancel_order"],
    )
    assert refund_blocker(replace(paid, status="cancelled"))[0] == "utter_refund_order_cancelled"
    assert refund_blocker(replace(paid, status="refunded"))[0] == "utter_refund_already_done"


async def test_a_delivered_order_may_be_returned_for_seven_days(
    backend: InMemoryBackendClient,
) -> None:
    delivered = await backend.get_order("HP20240002")
    assert delivered is not None and delivered.logistics is not None
    arrived = delivered.logistics.events[-1].time
    assert not past_return_window(delivered, arrived + timedelta(days=6))
    assert past_return_window(delivered, arrived + timedelta(days=8))
    paid = await backend.get_order("HP20240003")
    assert paid is not None
    assert not past_return_window(paid, datetime.now(timezone.utc) + timedelta(days=30))


@pytest.mark.usefixtures("knowledge")
async def test_a_second_unclear_message_right_after_an_answer_about_the_order_is_no_handoff(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    # "这个还能退不" (unclear, answered for the order), then "那能换吗" (unclear too):
    # Rasa counts two unclear messages in a row and ends its fallback
    tracker = shown(zhang("那能换吗", "nlu_fallback"), "HP20240002")
    earlier_turn(
        tracker, "这个还能退不", "action_two_stage_fallback", "utter_refund_possible_delivered"
    )
    events = await ActionDefaultFallback().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_order_services_offer"]
    assert events == [UserUtteranceReverted()]  # (the fallback loop must not start again)


@pytest.mark.usefixtures("knowledge")
async def test_an_unclear_question_right_after_an_order_lookup_is_answered_not_given_up_on(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    # "帮我看看HP20240002这单" was unclear too, but looked up: Rasa's fallback sees two
    # unclear messages in a row and ends at its last stage
    tracker = earlier_turn(
        zhang("这个还能退不", "nlu_fallback"), "帮我看看HP20240002这单", "action_order_status"
    )
    shown(tracker, "HP20240002")
    events = await ActionDefaultFallback().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_refund_possible_delivered"]
    assert events == [UserUtteranceReverted()]


@pytest.mark.usefixtures("knowledge")
async def test_two_messages_the_fallback_could_not_place_still_offer_a_person(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = earlier_turn(zhang("啦啦啦", "nlu_fallback"), "咕噜咕噜", "action_two_stage_fallback")
    await ActionDefaultFallback().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_default"]


@pytest.mark.usefixtures("knowledge")
@pytest.mark.parametrize(
    ("text", "order_id", "response"),
    [
        ("能不能快点", "HP20240001", "utter_order_urged_shipped"),
        ("帮我催一下吧 急用", "HP20240003", "utter_order_urged_paid"),
        ("都三天没动了", "HP20240001", "utter_order_urged_shipped"),  # was: 「您是想咨询…」
        ("物流一直不更新啊", "HP20240001", "utter_order_urged_shipped"),
    ],
)
async def test_a_customer_urging_the_order_shown_hears_when_it_comes(
    zhang: Turn, dispatcher: CollectingDispatcher, text: str, order_id: str, response: str
) -> None:
    tracker = shown(zhang(text, "nlu_fallback"), order_id)
    await ActionAskAffirmation().run(dispatcher, tracker, {})
    assert responses(dispatcher) == [response]
    assert dispatcher.messages[0]["buttons"][0]["payload"].startswith("/human_handoff")
    if response == "utter_order_urged_shipped":
        assert dispatcher.messages[0]["eta"].endswith("日")


@pytest.mark.usefixtures("knowledge")
async def test_urging_a_delivered_order_is_asked_about_as_before(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = shown(zhang("能不能快点", "nlu_fallback"), "HP20240002")
    await ActionAskAffirmation().run(dispatcher, tracker, {})
    assert responses(dispatcher) != ["utter_order_urged_shipped"]
    assert all(not str(r).startswith("utter_order_urged") for r in responses(dispatcher))


@pytest.mark.parametrize(
    ("order_id", "text", "response"),
    [
        ("HP20240001", "能取消吗", "utter_order_not_cancellable"),  # shipped
        ("HP20240001", "能改地址吗", "utter_address_not_changeable"),
        ("HP20240003", "能取消吗", "utter_order_services_offer"),  # paid: offered
    ],
)
async def test_cancelling_or_a_new_address_is_answered_by_the_orders_status(
    zhang: Turn, order_id: str, text: str, response: str
) -> None:
    """ "能取消吗" about a shipped order offered 「取消订单」, which then said no."""
    dispatcher = CollectingDispatcher()
    tracker = shown(zhang(text, "nlu_fallback"), order_id)
    await ActionAskAffirmation().run(dispatcher, tracker, {})
    assert responses(dispatcher) == [response]
