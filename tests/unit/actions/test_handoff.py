"""转人工 actions against a real handoff service (in-memory SQLite, fixed clock)."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import (
    ActionRelayToAgent,
    ActionRequestHandoff,
    topic_of,
    unrelayed_messages,
)
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.handoff import HandoffDatabase, HandoffService
from zhike.lib.handoff.runtime import set_handoff_service

from .conftest import NIGHT, Clock, Turn


async def _request(turn: Turn, dispatcher: CollectingDispatcher, **kwargs: object) -> list:
    tracker = turn("转人工", "human_handoff", **kwargs)
    return await ActionRequestHandoff().run(dispatcher, tracker, {})


def _responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("response") or m.get("text") or "" for m in dispatcher.messages]


async def test_a_customer_is_queued_for_the_group_of_their_topic(
    desk: HandoffService, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    events = await _request(zhang, dispatcher, order_id="HP20240001")

    assert events == [
        {"event": "slot", "timestamp": None, "name": "handoff_state", "value": "queued"}
    ]
    assert _responses(dispatcher) == ["utter_handoff_next"]
    assert dispatcher.messages[0]["minutes"] >= 1
    [waiting] = await desk.queue()
    assert waiting.sender_id == "web-session-zhang"
    info = await desk.conversation(waiting.conversation_id)
    assert info.customer_id == "C001"  # the bound customer, for the agent's profile view
    assert info.summary["slots"] == {"order_id": "HP20240001"}


async def test_the_second_customer_in_line_hears_how_many_are_ahead(
    desk: HandoffService, zhang: Turn, anonymous: Turn, dispatcher: CollectingDispatcher
) -> None:
    await _request(zhang, CollectingDispatcher())
    await _request(anonymous, dispatcher)
    assert _responses(dispatcher) == ["utter_handoff_queued"]
    assert dispatcher.messages[0]["ahead"] == 1


async def test_at_night_a_ticket_is_opened_and_the_reply_time_told(
    desk: HandoffService,
    clock: Clock,
    anonymous: Turn,
    dispatcher: CollectingDispatcher,
    backend: InMemoryBackendClient,
) -> None:
    clock.now = NIGHT
    events = await _request(anonymous, dispatcher)

    assert _responses(dispatcher) == ["utter_handoff_after_hours"]
    message = dispatcher.messages[0]
    assert message["reply_by"] == "6月5日 09:00"  # the next opening
    assert message["hours"] == "09:00–21:00"
    ticket = await backend.get_ticket(message["ticket_id"])
    assert ticket is not None and "转人工" in ticket.summary
    # the anonymous chat may ask about it, and asking for a person again reuses it
    assert [e["name"] for e in events] == ["my_tickets", "handoff_ticket"]
    assert events[-1]["value"] == message["ticket_id"]
    assert await desk.queue() == []
    again = CollectingDispatcher()
    tracker = anonymous("人呢 到底还要等多久", "human_handoff", handoff_ticket=message["ticket_id"])
    await ActionRequestHandoff().run(again, tracker, {})
    assert _responses(again) == ["utter_handoff_ticket_later"]  # no second ticket
    assert again.messages[0]["ticket_id"] == message["ticket_id"]


async def test_with_no_agent_online_a_ticket_is_opened(
    desk: HandoffService, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await desk.set_online("a1", False)
    await _request(zhang, dispatcher)
    assert _responses(dispatcher) == ["utter_handoff_no_agent"]


async def test_messages_while_queued_are_stored_once_and_acknowledged_once(
    desk: HandoffService, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await _request(zhang, CollectingDispatcher())
    tracker = zhang("我的快递三天没动了", "query_logistics", handoff_state="queued")

    await ActionRelayToAgent().run(dispatcher, tracker, {})
    await ActionRelayToAgent().run(CollectingDispatcher(), tracker, {})  # a retried action

    assert _responses(dispatcher) == ["utter_handoff_waiting"]
    [waiting] = await desk.queue()
    stored = await desk.messages(waiting.conversation_id)
    assert [m.text for m in stored if m.direction == "user"] == ["我的快递三天没动了"]


async def test_a_customer_who_stops_waiting_leaves_the_queue_and_gets_the_bot_back(
    desk: HandoffService, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await _request(zhang, CollectingDispatcher())
    [waiting] = await desk.queue()
    tracker = zhang("算了，不等了", "deny", handoff_state="queued")

    events = await ActionRelayToAgent().run(dispatcher, tracker, {})

    assert _responses(dispatcher) == ["utter_handoff_left_queue"]
    assert {"event": "slot", "timestamp": None, "name": "handoff_state", "value": None} in events
    assert await desk.queue() == []
    info = await desk.conversation(waiting.conversation_id)
    assert (info.state, info.disposition) == ("closed", "user_left")


async def test_asking_how_long_while_queued_tells_the_place_in_line(
    desk: HandoffService, zhang: Turn, anonymous: Turn
) -> None:
    await _request(zhang, CollectingDispatcher())  # zhang is first in line
    await _request(anonymous, CollectingDispatcher())
    dispatcher = CollectingDispatcher()

    tracker = anonymous("还要等多久啊", "query_ticket", handoff_state="queued")
    await ActionRelayToAgent().run(dispatcher, tracker, {})

    [said] = dispatcher.messages
    assert said["response"] == "utter_handoff_position" and said["ahead"] == 1
    assert said["minutes"] >= 1
    [_, waiting] = await desk.queue()
    stored = await desk.messages(waiting.conversation_id)
    assert stored[-1].text == "还要等多久啊"  # the agent sees it too


async def test_while_an_agent_has_it_the_bot_says_nothing(
    desk: HandoffService, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await _request(zhang, CollectingDispatcher())
    [waiting] = await desk.queue()
    await desk.accept("a1", waiting.conversation_id)

    tracker = zhang("好的，谢谢", "thank", handoff_state="agent")
    events = await ActionRelayToAgent().run(dispatcher, tracker, {})
    assert [e["name"] for e in events] == ["handoff_relayed"]  # nothing but the bookkeeping
    assert dispatcher.messages == []
    stored = await desk.messages(waiting.conversation_id)
    assert stored[-1].text == "好的，谢谢" and stored[-1].direction == "user"


async def test_after_the_desk_closed_it_the_bot_takes_over_again(
    desk: HandoffService, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await _request(zhang, CollectingDispatcher())
    [waiting] = await desk.queue()
    await desk.accept("a1", waiting.conversation_id)
    await desk.close(waiting.conversation_id, "a1", "resolved")

    # the customer's question crossed the agent's goodbye: the bot answers it
    tracker = zhang("你们的退货政策是什么", "faq/return_policy", handoff_state="agent")
    events = await ActionRelayToAgent().run(dispatcher, tracker, {})
    assert dispatcher.messages == []  # no second goodbye: the desk said it
    assert [e["event"] for e in events] == ["rewind", "slot", "slot", "action", "user"]
    assert events[1]["name"] == "handoff_state" and events[1]["value"] is None
    assert events[3]["name"] == "action_listen"
    assert events[-1] == tracker.events[-1]  # the same message, unchanged, for the bot
    assert events[-1]["text"] == "你们的退货政策是什么"


async def test_a_broken_handoff_database_gets_an_apology(
    zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    db = HandoffDatabase("sqlite+aiosqlite:////nonexistent-dir/x/handoff.db")
    set_handoff_service(HandoffService(db))
    try:
        assert await _request(zhang, dispatcher) == []
    finally:
        set_handoff_service(None)
    assert _responses(dispatcher) == ["utter_handoff_unavailable"]


# Handed over without being asked: the reason changes what the bot says first.


async def test_messages_missed_while_the_desk_was_down_arrive_with_the_next_one(
    desk: HandoffService, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await _request(zhang, CollectingDispatcher())
    missed = zhang("我的快递三天没动了", "query_logistics", handoff_state="queued")
    set_handoff_service(HandoffService(HandoffDatabase("sqlite+aiosqlite:////nonexistent/x.db")))
    assert await ActionRelayToAgent().run(dispatcher, missed, {}) == []
    assert _responses(dispatcher) == ["utter_handoff_relay_delayed"]

    set_handoff_service(desk)  # the desk's database is back
    tracker = zhang("还在吗", "inform", handoff_state="queued")
    tracker.events[-1:-1] = [
        {"event": "action", "name": "action_request_handoff"},
        *missed.events[-1:],
        {"event": "action", "name": "action_relay_to_agent"},
        {"event": "action", "name": "action_listen"},
    ]
    events = await ActionRelayToAgent().run(CollectingDispatcher(), tracker, {})
    await ActionRelayToAgent().run(CollectingDispatcher(), tracker, {})  # a retried action

    [waiting] = await desk.queue()
    stored = await desk.messages(waiting.conversation_id)
    assert [m.text for m in stored if m.direction == "user"] == ["我的快递三天没动了", "还在吗"]
    newest = f"web-session-zhang:{tracker.latest_message['message_id']}"
    assert events == [
        {"event": "slot", "timestamp": None, "name": "handoff_relayed", "value": newest}
    ]

    # once confirmed, only newer messages are sent
    tracker.slots["handoff_relayed"] = newest
    assert unrelayed_messages(tracker) == []


async def test_a_misconfigured_handoff_database_gets_an_apology_too(
    zhang: Turn, dispatcher: CollectingDispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHIKE_HANDOFF_DB_URL", "nosuchdriver://nowhere")
    set_handoff_service(None)
    try:
        assert await _request(zhang, dispatcher) == []
    finally:
        set_handoff_service(None)
    assert _responses(dispatcher) == ["utter_handoff_unavailable"]


def test_an_unsure_message_routes_by_its_likeliest_topic_not_an_older_one(zhang: Turn) -> None:
    tracker = zhang("我的快递到底在哪？？？等了一个星期了", "nlu_fallback")
    older = {"event": "user", "parse_data": {"intent": {"name": "query_course"}}}
    tracker.events.insert(0, older)
    tracker.events[-1]["parse_data"]["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.62},
        {"name": "query_logistics", "confidence": 0.62},
    ]
    assert topic_of(tracker) == "query_logistics"
