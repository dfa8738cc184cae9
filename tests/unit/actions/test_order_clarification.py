"""An unclear message naming the goods of one of the customer's orders asks about that order."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionAskAffirmation, ActionDefaultFallback

from .conftest import Turn
from .test_typed_answers import asked

pytestmark = pytest.mark.usefixtures("knowledge")

KETTLE = "HP20241304"  # 张伟's only 电热水壶
CLARIFIED = [
    {
        "text": "不好意思，我不太确定您的意思，您是想咨询下面哪个问题呢？",
        "response": "utter_ask_affirmation_intro",
        "buttons": [
            {"title": "查看我的订单", "payload": "/list_orders"},
            {"title": "申请退款/退货", "payload": "/request_refund"},
            {"title": "都不是", "payload": "/out_of_scope"},
        ],
    }
]


def _unsure(text: str, *ranked: str) -> dict[str, Any]:
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}]
    ranking += [{"name": name, "confidence": 0.4 - 0.1 * i} for i, name in enumerate(ranked)]
    return {"text": text, "intent": ranking[0], "intent_ranking": ranking}


async def test_naming_the_goods_after_a_clarification_asks_about_that_order(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    tracker = asked(zhang, "action_default_ask_affirmation", CLARIFIED, "是那个水壶")
    # Rasa's two-stage fallback sends the reply again as a sure inform without an entity
    tracker.latest_message = {"text": "是那个水壶", "intent": {"name": "inform", "confidence": 1.0}}
    events = await ActionDefaultFallback().run(dispatcher, tracker, real_domain)

    [message] = dispatcher.messages  # not "没能理解…转人工"
    assert message["response"] == "utter_ask_about_named_order"
    assert message["order_id"] == KETTLE and "水壶" in message["items"]
    # the clarification's requests, for the kettle; 「查看我的订单」 is its own status
    assert [b["payload"] for b in message["buttons"]] == [
        '/query_order{"order_id": "HP20241304"}',
        '/request_refund{"order_id": "HP20241304"}',
        "/out_of_scope",
    ]
    # ... and the kettle is the order in focus: "能换个新的吗" typed instead of a click
    assert events == [UserUtteranceReverted(), SlotSet("focus_order", KETTLE)]


async def _asked_about(
    turn: Turn, text: str, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> list[dict[str, Any]]:
    """The first stage's messages for ``text``, which the NLU read as two lookups."""
    tracker = turn(text, "nlu_fallback")
    tracker.latest_message = _unsure(text, "query_exchange", "query_order")
    await ActionAskAffirmation().run(dispatcher, tracker, domain)
    return dispatcher.messages


async def test_an_unclear_message_naming_the_goods_carries_the_order_in_its_buttons(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    [message] = await _asked_about(zhang, "我的水壶怎么样了", dispatcher, real_domain)
    assert message["response"] == "utter_ask_about_named_order"
    titles = [b["title"] for b in message["buttons"]]
    assert titles == ["查询换货进度", "查询订单状态", "都不是"]
    assert all(KETTLE in b["payload"] for b in message["buttons"][:2])


@pytest.mark.parametrize(
    "text",
    [
        "我的空调怎么样了",  # several air conditioners bought: the buttons decide
        "我的冰箱怎么样了",  # no fridge bought
    ],
)
async def test_goods_of_no_single_order_get_the_plain_clarification(
    zhang: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any], text: str
) -> None:
    messages = await _asked_about(zhang, text, dispatcher, real_domain)
    assert messages[0]["response"] == "utter_ask_affirmation_intro"


async def test_an_anonymous_visitor_gets_the_plain_clarification(
    anonymous: Turn, dispatcher: CollectingDispatcher, real_domain: dict[str, Any]
) -> None:
    messages = await _asked_about(anonymous, "我的水壶怎么样了", dispatcher, real_domain)
    assert messages[0]["response"] == "utter_ask_affirmation_intro"
