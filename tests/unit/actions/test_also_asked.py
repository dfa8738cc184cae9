"""The second request of a message is offered as a button with its order filled in."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.also_asked import ActionOfferAlso

from .conftest import Turn


async def test_the_other_request_is_offered_with_its_order_number(zhang: Turn) -> None:
    dispatcher = CollectingDispatcher()
    tracker = zhang("帮我查下HP20240001到哪了 另外HP20240002的发票开了没", "query_invoice")
    tracker.latest_message["also"] = {
        "intent": "query_logistics",
        "text": "帮我查下HP20240001到哪了",
    }
    assert await ActionOfferAlso().run(dispatcher, tracker, {}) == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_also_asked"
    assert message["request"] == "查询物流进度（HP20240001）"
    assert message["buttons"] == [
        {
            "title": "查询物流进度（HP20240001）",
            "payload": '/query_logistics{"order_id": "HP20240001"}',
        }
    ]


async def test_nothing_is_said_without_another_request(zhang: Turn) -> None:
    dispatcher = CollectingDispatcher()
    without = zhang("HP20240002的发票开了没", "query_invoice")
    assert await ActionOfferAlso().run(dispatcher, without, {}) == []
    assert dispatcher.messages == []
