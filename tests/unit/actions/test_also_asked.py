"""The second request of a message is offered as a button with its order filled in."""

from __future__ import annotations

from rasa_sdk import Tracker
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


def _picked_after_asking(zhang: Turn, pick: str, intent: str) -> Tracker:
    """ "空调啥时候到 还有能不能开个发票", "您是想咨询…", then ``pick``, as the tracker has it."""
    said = "空调啥时候到 还有能不能开个发票"
    clauses = [{"intent": "query_logistics", "text": "空调啥时候到"}]
    unsure = {"name": "nlu_fallback", "confidence": 0.52}
    picked = {"name": intent, "confidence": 1.0}
    tracker = zhang(pick, intent)
    tracker.events[-1:-1] = [
        {
            "event": "user",
            "text": said,
            "parse_data": {"intent": unsure, "clause_requests": clauses},
        },
        {"event": "action", "name": "action_two_stage_fallback"},
        {"event": "bot", "text": "您是想咨询下面哪个问题呢？"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": pick, "parse_data": {"intent": picked}},
        {"event": "action", "name": "action_two_stage_fallback"},
        {"event": "rewind"},
        {"event": "action", "name": "action_listen"},
    ]
    tracker.events.append({"event": "action", "name": "action_request_invoice"})
    return tracker


async def test_the_request_a_pick_left_is_offered_unless_the_reply_offered_it(zhang: Turn) -> None:
    dispatcher = CollectingDispatcher()
    tracker = _picked_after_asking(zhang, "第二个", "request_invoice")
    await ActionOfferAlso().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["request"] == "查询物流进度"
    assert message["buttons"] == [{"title": "查询物流进度", "payload": "/query_logistics"}]
    # the reply already offered it (the order's services): not twice
    dispatcher = CollectingDispatcher()
    services = [{"title": "查询物流进度", "payload": '/query_logistics{"order_id": "HP20241204"}'}]
    tracker.events.append({"event": "bot", "text": "…", "data": {"buttons": services}})
    assert await ActionOfferAlso().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages == []
