"""A complaint's follow-up is added to the complaint ticket just opened, not a new one."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import TICKET_PROOF, with_proof
from actions.complaints import RECENT_MESSAGES, recent_complaint_ticket
from actions.fallback import ActionAskAffirmation
from actions.handoff import ActionRequestHandoff
from actions.orders import ActionOrderStatus
from zhike.lib.backend_client import Ticket
from zhike.lib.backend_client.fake import InMemoryBackendClient

from .conftest import Turn

DOMAIN: dict = {}


def _after_a_complaint(turn: Turn, ticket_id: str, text: str, proven: bool = True) -> Tracker:
    """``text`` (a complaint) right after the bot opened complaint ticket ``ticket_id``."""
    tracker = turn(text, "complain")
    if proven:
        tracker.slots["my_tickets"] = with_proof(TICKET_PROOF, None, ticket_id, tracker.sender_id)
    said = f"非常抱歉给您带来了不好的体验😔 已为您登记投诉工单 {ticket_id}，人工客服现在不在线…"
    tracker.events[-1:-1] = [
        {"event": "user", "text": "我要投诉快递员", "parse_data": {"intent": {"name": "complain"}}},
        {"event": "action", "name": "action_request_handoff"},
        {
            "event": "bot",
            "text": said,
            "metadata": {"utter_action": "utter_handoff_complaint_later"},
        },
        {"event": "action", "name": "action_listen"},
    ]
    return tracker


async def _opened(backend: InMemoryBackendClient, summary: str) -> tuple[Ticket, int]:
    """A complaint ticket of 张伟's, and how many tickets he has with it."""
    ticket = await backend.create_ticket("complaint", summary, "C001", "app")
    return ticket, len(await backend.list_tickets("C001"))


async def test_the_story_goes_to_the_same_ticket(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    first, before = await _opened(backend, "客户投诉：我要投诉快递员")
    tracker = _after_a_complaint(zhang, first.ticket_id, "态度太差了，还骂人")
    events = await ActionRequestHandoff().run(dispatcher, tracker, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_complaint_noted"]
    assert dispatcher.messages[0]["ticket_id"] == first.ticket_id
    ticket = await backend.get_ticket(first.ticket_id)
    assert ticket is not None and ticket.notes == ("态度太差了，还骂人",)
    assert len(await backend.list_tickets("C001")) == before  # no second ticket
    assert not any(e.get("name") == "handoff_state" for e in events)
    # ... and a later "人呢？？" is about that ticket too, not a new one
    assert {"event": "slot", "timestamp": None, "name": "handoff_ticket",
            "value": first.ticket_id} in events  # fmt: skip
    # the action retried with the same message adds nothing twice
    await ActionRequestHandoff().run(CollectingDispatcher(), tracker, DOMAIN)
    ticket = await backend.get_ticket(first.ticket_id)
    assert ticket is not None and len(ticket.notes) == 1


def test_only_a_recent_ticket_of_this_sender_counts(zhang: Turn) -> None:
    tracker = _after_a_complaint(zhang, "TK20240099", "态度太差了", proven=False)
    assert recent_complaint_ticket(tracker) is None  # a ticket id it holds no proof of
    tracker = _after_a_complaint(zhang, "TK20240099", "态度太差了")
    assert recent_complaint_ticket(tracker) == "TK20240099"
    for _ in range(RECENT_MESSAGES):  # this many more messages later: a new complaint
        tracker.events[-1:-1] = [
            {"event": "user", "text": "嗯", "parse_data": {"intent": {"name": "affirm"}}},
            {"event": "bot", "text": "好的"},
        ]
    assert recent_complaint_ticket(tracker) is None


async def test_a_detail_the_nlu_could_not_place_goes_to_the_complaint_just_opened(
    zhang: Turn, backend: InMemoryBackendClient
) -> None:
    first = await backend.create_ticket("complaint", "客户投诉：我要投诉快递员", "C001", "app")
    detail = _after_a_complaint(zhang, first.ticket_id, "就是今天送货那个 扔在门口就走了")
    detail.latest_message["intent"] = {"name": "nlu_fallback", "confidence": 0.45}
    detail.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "complain", "confidence": 0.4},
        {"name": "query_logistics", "confidence": 0.3},
    ]
    dispatcher = CollectingDispatcher()
    await ActionAskAffirmation().run(dispatcher, detail, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_complaint_noted"]
    ticket = await backend.get_ticket(first.ticket_id)
    assert ticket is not None and ticket.notes == ("就是今天送货那个 扔在门口就走了",)
    # a message nothing suggests is a complaint is asked about as usual
    other = _after_a_complaint(zhang, first.ticket_id, "那个发票的事")
    other.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "request_invoice", "confidence": 0.4},
        {"name": "query_invoice", "confidence": 0.3},
    ]
    dispatcher = CollectingDispatcher()
    await ActionAskAffirmation().run(dispatcher, other, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_affirmation_intro"]


async def test_the_order_given_right_after_the_complaint_goes_to_its_ticket(
    zhang: Turn, backend: InMemoryBackendClient
) -> None:
    first = await backend.create_ticket("complaint", "客户投诉：破壁机质量太差", "C001", "app")
    named = _after_a_complaint(zhang, first.ticket_id, "就是HP20240004")
    named.slots["order_id"] = "HP20240004"
    told = CollectingDispatcher()
    events = await ActionOrderStatus().run(told, named, DOMAIN)
    assert [m["response"] for m in told.messages] == ["utter_complaint_noted"]  # no status
    ticket = await backend.get_ticket(first.ticket_id)
    assert ticket is not None and ticket.notes == ("就是HP20240004",)
    assert {"event": "slot", "name": "focus_order", "value": "HP20240004"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
    # a question about the order is still a lookup
    asked = _after_a_complaint(zhang, first.ticket_id, "HP20240004现在到哪了 物流怎么样")
    asked.slots["order_id"] = "HP20240004"
    told = CollectingDispatcher()
    await ActionOrderStatus().run(told, asked, DOMAIN)
    assert "utter_complaint_noted" not in [m.get("response") for m in told.messages]


@pytest.mark.parametrize(
    ("text", "intent", "noted"),
    [
        ("就是HP20240004那单 打电话还骂人", "inform", True),  # was: the order's status
        ("HP20240004这单 客服一直推脱", "nlu_fallback", True),
        ("HP20240004 帮我查下物流", "query_logistics", False),  # a request of its own
    ],
)
async def test_the_order_told_with_more_of_the_story_goes_to_the_ticket(
    text: str, intent: str, noted: bool, zhang: Turn, backend: InMemoryBackendClient
) -> None:
    first = await backend.create_ticket("complaint", "客户投诉：快递员态度差", "C001", "app")
    told = _after_a_complaint(zhang, first.ticket_id, text)
    told.latest_message["intent"] = {"name": intent, "confidence": 0.7}
    told.slots["order_id"] = "HP20240004"
    dispatcher = CollectingDispatcher()
    await ActionOrderStatus().run(dispatcher, told, DOMAIN)
    said = [m.get("response") for m in dispatcher.messages]
    assert ("utter_complaint_noted" in said) is noted
    assert ("utter_order_status" in said) is not noted


async def test_a_person_asked_for_with_the_complaint_is_answered_too(
    zhang: Turn, dispatcher: CollectingDispatcher, backend: InMemoryBackendClient
) -> None:
    """ "我要投诉 给我转人工" after the complaint ticket: noted, and not a word of the person."""
    first, before = await _opened(backend, "客户投诉：东西扔门口")
    tracker = _after_a_complaint(zhang, first.ticket_id, "我要投诉 给我转人工")
    await ActionRequestHandoff().run(dispatcher, tracker, DOMAIN)
    said = [m["response"] for m in dispatcher.messages]
    assert said[0] == "utter_complaint_noted" and len(said) > 1  # then the person's status
    assert all(m.get("ticket_id") in (None, first.ticket_id) for m in dispatcher.messages)
    assert len(await backend.list_tickets("C001")) == before  # no second ticket
