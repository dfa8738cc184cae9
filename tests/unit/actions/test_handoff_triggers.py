"""转人工 the customer did not ask for: angry words, messages not understood, a VIP's money
question, a complaint or a failed action, with and without an agent online."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionRequestHandoff
from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.lib.handoff import HandoffService

from .conftest import Turn
from .proofs import proved_tickets
from .switching import responses


async def _triggered(
    turn: Turn,
    dispatcher: CollectingDispatcher,
    reason: str,
    intent: str = "inform",
    **slots: object,
) -> list:
    tracker = turn("……", intent, handoff_reason=reason, **slots)
    return await ActionRequestHandoff().run(dispatcher, tracker, {})


@pytest.mark.parametrize(
    ("reason", "lead", "summary_reason"),
    [
        ("angry", "utter_handoff_lead_angry", "客户情绪激动"),
        ("fallbacks", "utter_handoff_lead_fallbacks", "机器人连续未能理解"),
        ("vip_money", "utter_handoff_lead_vip_money", "VIP 客户咨询款项"),
    ],
)
async def test_a_triggered_handoff_says_why_and_tells_the_agent(
    desk: HandoffService,
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    reason: str,
    lead: str,
    summary_reason: str,
) -> None:
    events = await _triggered(zhang, dispatcher, reason)
    assert responses(dispatcher) == [lead, "utter_handoff_next"]
    assert {"event": "slot", "timestamp": None, "name": "handoff_reason", "value": None} in events
    [waiting] = await desk.queue()
    info = await desk.conversation(waiting.conversation_id)
    assert info.summary["reason"] == summary_reason


async def test_a_handoff_during_a_form_leaves_the_form(
    desk: HandoffService, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    tracker = zhang("垃圾！！！", "inform", requested_slot="refund_reason", order_id="HP20240004")
    tracker.active_loop = {"name": "refund_form"}
    events = await ActionRequestHandoff().run(dispatcher, tracker, {})
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert {"event": "slot", "timestamp": None, "name": "order_id", "value": None} in events


async def test_a_complaint_opens_a_complaint_ticket_and_queues(
    desk: HandoffService,
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    backend: InMemoryBackendClient,
) -> None:
    tracker = zhang("快递员态度太差了，我电话13800138001一直打不通", "complain")
    events = await ActionRequestHandoff().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_handoff_lead_complaint_ticket", "utter_handoff_next"]
    ticket = await backend.get_ticket(dispatcher.messages[0]["ticket_id"])
    assert ticket is not None and ticket.customer_id == "C001" and ticket.category == "complaint"
    assert "13800138001" not in ticket.summary and "138****8001" in ticket.summary
    [waiting] = await desk.queue()
    info = await desk.conversation(waiting.conversation_id)
    assert info.summary["reason"] == "客户投诉" and info.summary["ticket_id"] == ticket.ticket_id
    assert proved_tickets(tracker, events) == [ticket.ticket_id]


async def test_a_complaint_with_nobody_online_is_one_ticket_with_a_reply_time(
    desk: HandoffService,
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    backend: InMemoryBackendClient,
) -> None:
    await desk.set_online("a1", False)
    before = len(await backend.list_tickets("C001"))
    await ActionRequestHandoff().run(dispatcher, zhang("你们太坑了我要投诉", "complain"), {})
    assert responses(dispatcher) == ["utter_handoff_complaint_later"]
    assert dispatcher.messages[0]["reply_by"]
    tickets = await backend.list_tickets("C001")
    assert len(tickets) == before + 1 and tickets[0].category == "complaint"


async def test_a_failed_action_reuses_its_ticket_when_nobody_is_online(
    desk: HandoffService,
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    backend: InMemoryBackendClient,
) -> None:
    await desk.set_online("a1", False)
    before = len(await backend.list_tickets("C001"))
    await _triggered(zhang, dispatcher, "action_failed", handoff_ticket="TK20249999")
    assert responses(dispatcher) == ["utter_handoff_ticket_later"]
    assert dispatcher.messages[0]["ticket_id"] == "TK20249999"
    assert len(await backend.list_tickets("C001")) == before  # no second ticket


async def test_a_failed_action_is_queued_without_a_second_apology(
    desk: HandoffService, zhang: Turn, dispatcher: CollectingDispatcher
) -> None:
    await _triggered(zhang, dispatcher, "action_failed", handoff_ticket="TK20249999")
    assert responses(dispatcher) == ["utter_handoff_next"]
    [waiting] = await desk.queue()
    info = await desk.conversation(waiting.conversation_id)
    assert info.summary["ticket_id"] == "TK20249999"


@pytest.mark.parametrize(
    ("text", "intent", "reason"),
    [("我要退款", "request_refund", "vip_money"), ("换成周六呢", "nlu_fallback", "fallbacks")],
)
async def test_a_handoff_nobody_asked_for_opens_no_ticket_when_nobody_is_online(
    desk: HandoffService,
    zhang: Turn,
    dispatcher: CollectingDispatcher,
    backend: InMemoryBackendClient,
    text: str,
    intent: str,
    reason: str,
) -> None:
    await desk.set_online("a1", False)
    before = len(await backend.list_tickets("C001"))
    tracker = zhang(text, intent, handoff_reason=reason)
    if reason == "fallbacks":
        tracker.active_loop = {"name": "action_two_stage_fallback"}
    events = await ActionRequestHandoff().run(dispatcher, tracker, {})
    assert dispatcher.messages == []
    assert len(await backend.list_tickets("C001")) == before
    if reason == "vip_money":  # the bot handles the refund itself: the policy predicts again
        assert events[0]["event"] == "undo"
        declined = tracker.latest_message["message_id"]
        slot = {"event": "slot", "timestamp": None, "name": "handoff_declined", "value": declined}
        assert slot in events
    else:  # the final fallback speaks: 需要为您转接人工客服吗？ with 转人工 / 不用了
        followup = {"event": "followup", "timestamp": None, "name": "action_default_fallback"}
        assert events[-1] == followup
        assert {"event": "active_loop", "timestamp": None, "name": None} in events
