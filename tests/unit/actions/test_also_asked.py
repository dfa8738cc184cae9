"""The second request of a message is offered as a button with its order filled in."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.also_asked import ActionOfferAlso

from .conftest import Turn


async def test_the_other_request_is_offered_with_its_order_number(zhang: Turn) -> None:
    dispatcher = CollectingDispatcher()
    tracker = zhang("帮我查下HP20240001到哪了 另外HP20240002的发票开了没", "query_invoice")
    also = {"intent": "query_logistics", "text": "帮我查下HP20240001到哪了"}
    tracker.events[-1]["parse_data"]["also"] = also
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


async def test_nothing_is_said_without_another_request_or_once_it_was_offered(
    zhang: Turn,
) -> None:
    dispatcher = CollectingDispatcher()
    without = zhang("HP20240002的发票开了没", "query_invoice")
    assert await ActionOfferAlso().run(dispatcher, without, {}) == []
    offered = zhang("好的", "affirm")
    offered.events[-1:-1] = [
        {"event": "user", "text": "…", "parse_data": {"also": {"intent": "query_logistics"}}},
        {"event": "action", "name": "action_offer_also"},
    ]
    assert await ActionOfferAlso().run(dispatcher, offered, {}) == []
    assert dispatcher.messages == []
