"""转人工: queueing the customer for a human agent, and relaying their messages meanwhile.

``action_request_handoff`` asks the handoff service (:mod:`zhike.lib.handoff`) for an agent:
queued (the customer hears their place in line and the expected wait), or -- outside
business hours or with no agent online -- a ticket with the time someone will reply.
While the conversation is handed over (slot ``handoff_state``), the HandoffPolicy runs
``action_relay_to_agent`` after every user message instead of any bot answer: the message
is stored for the desk, once (the Rasa message id is its idempotency key). A message that
reaches the desk just after an agent closed the conversation is the bot's again: it is
answered as if the bot had served all along (:func:`answered_by_the_bot`).
"""

from __future__ import annotations

import logging
import math
import re
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ActionReverted,
    FollowupAction,
    SlotSet,
    UserUtteranceReverted,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ACTION_LISTEN_NAME
from rasa_sdk.types import DomainDict

from actions.account import form_left
from actions.complaints import add_to_recent_complaint, recent_complaint_ticket
from actions.identity import input_channel, known_customer_id
from actions.knowledge import HANDOFF_AFTER_ANSWER, record_after_answer
from actions.parsing import normalize_text
from actions.submit import open_ticket, remember_ticket
from zhike.common.handoff_names import (
    HANDOFF_ACTION,
    HANDOFF_DECLINED_SLOT,
    HANDOFF_REASON_SLOT,
    HANDOFF_STATE_SLOT,
    HANDOFF_TICKET_SLOT,
    QUEUED,
    REASON_ACTION_FAILED,
    REASON_ANGRY,
    REASON_ASKED,
    REASON_COMPLAINT,
    REASON_FALLBACKS,
    REASON_VIP_MONEY,
    RELAY_ACTION,
    WITH_AGENT,
)
from zhike.common.privacy import mask_text
from zhike.common.topic_names import NOT_A_TOPIC, UNSURE
from zhike.lib.handoff import HandoffError, HandoffOutcome, HandoffService, skill_group_for
from zhike.lib.handoff.runtime import handoff_service
from zhike.lib.handoff.waiting import asks_about_the_wait, wants_to_leave_queue
from zhike.lib.kb.unanswered import HANDOFF

logger = logging.getLogger(__name__)

RELAYED_SLOT = "handoff_relayed"  # the newest user message the desk has stored
# Why a customer is handed over, as the agent reads it in the summary.
REASONS = {
    REASON_ASKED: "客户要求转人工",
    REASON_COMPLAINT: "客户投诉",
    REASON_ANGRY: "客户情绪激动",
    REASON_FALLBACKS: "机器人连续未能理解",
    REASON_VIP_MONEY: "VIP 客户咨询款项",
    REASON_ACTION_FAILED: "业务系统未能完成请求",
}
# Triggers that the bot explains before the place in line (utter_handoff_lead_<reason>).
# The two-stage fallback's last stage: 转人工 offered as buttons (actions/fallback.py).
FINAL_FALLBACK = "action_default_fallback"
LEADS = frozenset({REASON_ANGRY, REASON_FALLBACKS, REASON_VIP_MONEY, REASON_COMPLAINT})
SUMMARY_SLOTS = ("order_id", "refund_reason", "course_name", "lesson_time", "ticket_id")
RECENT_MESSAGES = 5


def topic_of(tracker: Tracker) -> str | None:
    """The customer's latest business intent (what the agent will be asked about).

    A message the robot was unsure of ("我的快递到底在哪？？？等了一个星期了" below the
    requests' floor) still says what it is most likely about: its best-ranked intent routes
    the handoff, rather than an older message's.
    """
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        parse_data = event.get("parse_data") or {}
        intent = (parse_data.get("intent") or {}).get("name")
        if intent == UNSURE:
            ranked = parse_data.get("intent_ranking") or [{}]
            intent = next((r.get("name") for r in ranked if r.get("name") != intent), None)
        if intent and intent not in NOT_A_TOPIC:
            return str(intent)
    return None


def summary_of(
    tracker: Tracker, reason: str = "asked", ticket_id: str | None = None
) -> dict[str, Any]:
    """What the bot knows, for the agent: why, topic, filled slots, the last messages."""
    texts = [
        mask_text(normalize_text(event.get("text")))
        for event in tracker.events
        if event.get("event") == "user" and event.get("text")
    ]
    slots = {name: tracker.get_slot(name) for name in SUMMARY_SLOTS}
    summary: dict[str, Any] = {
        "reason": REASONS.get(reason, reason),
        "intent": topic_of(tracker),
        "slots": {name: value for name, value in slots.items() if value not in (None, "")},
        "recent_messages": texts[-RECENT_MESSAGES:],
    }
    if ticket_id:
        summary["ticket_id"] = ticket_id
    return summary


def _minutes(outcome: HandoffOutcome) -> int:
    wait = outcome.expected_wait.total_seconds() if outcome.expected_wait else 60
    return max(1, math.ceil(wait / 60))


def _reply_by(when: datetime | None) -> str:
    return f"{when.month}月{when.day}日 {when:%H:%M}" if when else "下一个工作时段"


class ActionRequestHandoff(Action):
    """Queues the customer for an agent of the topic's skill group, or opens a ticket.

    Why it runs (slot ``handoff_reason``, else the latest intent) changes what it says
    first and what the agent's summary says: the customer asked, a complaint (a complaint
    ticket is opened either way), an angry message, not understood twice, a VIP asking
    about money, or an action that could not complete (its ticket, slot
    ``handoff_ticket``, is reused). With no agent available a VIP's money question goes
    back to the bot (the action reverts itself, see :mod:`zhike.dialogue.escalation`).
    """

    def name(self) -> str:
        """See the base class."""
        return HANDOFF_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Tells the place in line and the wait, or the ticket and when someone replies."""
        reason = reason_of(tracker)
        await record_after_answer(tracker, HANDOFF, within=HANDOFF_AFTER_ANSWER)
        customer_id = await known_customer_id(tracker)
        group = skill_group_for(topic_of(tracker))
        events = _leave_loop(tracker)
        ticket_id = tracker.get_slot(HANDOFF_TICKET_SLOT)
        text = normalize_text((tracker.latest_message or {}).get("text"))[:1000]
        if reason == "complaint" and await add_to_recent_complaint(
            dispatcher, tracker, customer_id
        ):
            # "态度太差了" after "我要投诉快递员": the same complaint, whose ticket a later
            # "人呢？？" still stands for (was: a second ticket for the same matter)
            ticket_id = ticket_id or recent_complaint_ticket(tracker)
            if not ASKS_PERSON.search(text):
                return [*events, SlotSet(HANDOFF_TICKET_SLOT, ticket_id)] if ticket_id else events
            reason = "asked"  # "我要投诉 给我转人工": noted, and the person asked for
        if reason == "complaint":
            complaint = await open_ticket(tracker, "complaint", f"客户投诉：{text}", customer_id)
            if complaint is not None:
                ticket_id = complaint.ticket_id
                events += remember_ticket(tracker, complaint)
        try:
            service = await handoff_service()
            outcome = await service.request_handoff(
                tracker.sender_id,
                input_channel(tracker),
                customer_id,
                group,
                summary_of(tracker, reason, ticket_id),
            )
        except HandoffError as error:
            logger.warning("Handoff request failed: %s", error)
            outcome = None
        if outcome is not None and outcome.status in ("queued", "with_agent"):
            _say_lead(dispatcher, reason, ticket_id)
            return events + _say_queued(dispatcher, outcome)
        if reason == "vip_money":  # no human now: the bot serves the request after all
            return _decline(tracker)
        if reason == "fallbacks":
            # no human now: the final fallback offers one (转人工 / 不用了) instead of a
            # callback ticket nobody asked for ("没了", "先不用了 我再想想" were such messages)
            return [*events, FollowupAction(FINAL_FALLBACK)]
        if outcome is None:
            if reason != "action_failed":  # that action has apologised already
                _say_lead(dispatcher, reason, ticket_id)
                dispatcher.utter_message(response="utter_handoff_unavailable")
            return events
        if ticket_id:
            # the complaint's, the failed action's or this conversation's earlier 转人工
            # ticket stands for the handoff: one matter, one ticket ("人呢 到底还要等多久")
            dispatcher.utter_message(
                response="utter_handoff_complaint_later"
                if reason == "complaint"
                else "utter_handoff_ticket_later",
                ticket_id=ticket_id,
                reply_by=_reply_by(outcome.reply_by),
            )
            return [*events, SlotSet(HANDOFF_TICKET_SLOT, ticket_id)]
        if reason == "action_failed":
            return events
        _say_lead(dispatcher, reason, None)
        summary = "；".join(summary_of(tracker, reason, None)["recent_messages"])[:500]
        ticket = await open_ticket(
            tracker, "other", f"{REASONS[reason]}（{group}）：{summary}", customer_id
        )
        if ticket is None:
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return events
        hours = service.settings.hours
        dispatcher.utter_message(
            response=f"utter_handoff_{outcome.status}",
            ticket_id=ticket.ticket_id,
            reply_by=_reply_by(outcome.reply_by),
            hours=f"{hours.open:%H:%M}–{hours.close:%H:%M}",
        )
        kept = SlotSet(HANDOFF_TICKET_SLOT, ticket.ticket_id)  # a later 转人工 reuses it
        return [*events, *remember_ticket(tracker, ticket), kept]


# "我要投诉 给我转人工": a person asked for, besides the complaint
ASKS_PERSON = re.compile(r"人工|真人|转人|找人|找个人|活人")


def reason_of(tracker: Tracker) -> str:
    """Why the customer is handed over: the policy's trigger, else the latest intent."""
    reason = tracker.get_slot(HANDOFF_REASON_SLOT)
    if reason in REASONS:
        return str(reason)
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return "complaint" if intent == "complain" else "asked"


def _leave_loop(tracker: Tracker) -> list[dict[str, Any]]:
    """Clears the trigger slots and leaves an active form (it must not resume later)."""
    events = [
        SlotSet(slot, None)
        for slot in (HANDOFF_REASON_SLOT, HANDOFF_TICKET_SLOT)
        if tracker.get_slot(slot) is not None
    ]
    return [*events, *form_left(tracker)]


def _decline(tracker: Tracker) -> list[dict[str, Any]]:
    """Undoes this action; the policy will not trigger again for the same message."""
    message_id = (tracker.latest_message or {}).get("message_id")
    return [
        ActionReverted(),
        SlotSet(HANDOFF_DECLINED_SLOT, message_id),
        SlotSet(HANDOFF_REASON_SLOT, None),
    ]


def _say_lead(dispatcher: CollectingDispatcher, reason: str, ticket_id: str | None) -> None:
    if reason == "complaint" and ticket_id:
        dispatcher.utter_message(
            response="utter_handoff_lead_complaint_ticket", ticket_id=ticket_id
        )
    elif reason in LEADS:
        dispatcher.utter_message(response=f"utter_handoff_lead_{reason}")


def _say_queued(dispatcher: CollectingDispatcher, outcome: HandoffOutcome) -> list[dict[str, Any]]:
    if outcome.status == "with_agent":
        dispatcher.utter_message(response="utter_handoff_with_agent")
        return [SlotSet(HANDOFF_STATE_SLOT, WITH_AGENT)]
    ahead = (outcome.position or 1) - 1
    if ahead:
        dispatcher.utter_message(
            response="utter_handoff_queued", ahead=ahead, minutes=_minutes(outcome)
        )
    else:
        dispatcher.utter_message(response="utter_handoff_next", minutes=_minutes(outcome))
    return [SlotSet(HANDOFF_STATE_SLOT, QUEUED)]


class ActionRelayToAgent(Action):
    """Hands user messages to the desk while the conversation is handed over.

    Every message since the handoff that the desk has not confirmed yet is sent, oldest
    first, each under its Rasa message id as the idempotency key: when the handoff
    database was briefly down, the next message brings the missed ones along, and none is
    stored twice. Slot ``handoff_relayed`` holds the id of the newest confirmed message.
    """

    def name(self) -> str:
        """See the base class."""
        return RELAY_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Stores the messages for the agent; says so once while the customer waits.

        A waiting customer's newest message that asks to stop waiting ("不等了", the
        取消排队 button) leaves the queue (:func:`wants_to_leave_queue`).
        """
        pending = unrelayed_messages(tracker)
        decision = None
        try:
            service = await handoff_service()
            for index, (key, text) in enumerate(pending):
                leave = index == len(pending) - 1 and wants_to_leave_queue(text)
                decision = await service.route_user_message(
                    tracker.sender_id, input_channel(tracker), text, key, leave_queue=leave
                )
                if decision.handler == "bot":
                    break
        except HandoffError as error:
            logger.warning("Relaying a message to the desk failed: %s", error)
            dispatcher.utter_message(response="utter_handoff_relay_delayed")
            return []
        if decision is not None and decision.handler == "bot":
            return answered_by_the_bot(tracker)  # the desk closed it meanwhile
        if decision is not None and decision.handler == "left":
            dispatcher.utter_message(response="utter_handoff_left_queue")
            return [SlotSet(HANDOFF_STATE_SLOT, None), SlotSet(RELAYED_SLOT, None)]
        if decision is not None and decision.handler == "queue":
            await _answer_the_waiting(dispatcher, tracker, service, pending[-1][1])
        return [SlotSet(RELAYED_SLOT, pending[-1][0])] if pending else []


def answered_by_the_bot(tracker: Tracker) -> list[dict[str, Any]]:
    """Events that give the latest message back to the bot, now that no agent has it.

    The agent closed the conversation while the message was on its way (the desk's
    「本次人工服务已结束」 notice came first, the slot's reset not yet): the message is
    reverted and said again, unchanged, after the reset, so the policies answer it like any
    other -- "退货政策是什么" gets the policy, not a second goodbye. The same event (same
    timestamp and id) is counted once by analytics.
    """
    back = [SlotSet(HANDOFF_STATE_SLOT, None), SlotSet(RELAYED_SLOT, None)]
    latest = next((e for e in reversed(tracker.events) if e.get("event") == "user"), None)
    if latest is None:
        return back
    return [UserUtteranceReverted(), *back, ActionExecuted(ACTION_LISTEN_NAME), dict(latest)]


async def _answer_the_waiting(
    dispatcher: CollectingDispatcher, tracker: Tracker, service: HandoffService, text: str
) -> None:
    """A wait question ("还要等多久") gets the place in line; anything else "请稍候" once."""
    outcome = None
    if asks_about_the_wait(text):
        try:
            outcome = await service.waiting_outcome(tracker.sender_id, input_channel(tracker))
        except HandoffError as error:
            logger.warning("Reading the queue position failed: %s", error)
    if outcome is not None and outcome.position:
        ahead = outcome.position - 1
        dispatcher.utter_message(
            response="utter_handoff_position" if ahead else "utter_handoff_position_next",
            ahead=ahead,
            minutes=_minutes(outcome),
        )
    elif not _said_waiting(tracker):
        dispatcher.utter_message(response="utter_handoff_waiting")


def unrelayed_messages(tracker: Tracker, limit: int = 50) -> list[tuple[str, str]]:
    """``(idempotency key, text)`` of the user messages since the handoff not yet relayed.

    Oldest first; the newest ``limit`` at most. The key is ``<sender>:<message id>``.
    """
    relayed = tracker.get_slot(RELAYED_SLOT)
    found: list[tuple[str, str]] = []
    for index in range(len(tracker.events) - 1, -1, -1):
        event = tracker.events[index]
        if event.get("event") == "action" and event.get("name") == HANDOFF_ACTION:
            break
        if event.get("event") != "user":
            continue
        key = f"{tracker.sender_id}:{event.get('message_id') or index}"
        if relayed and key == relayed:
            break
        text = str(event.get("text") or "").strip() or "[非文字消息]"  # as the customer wrote it
        found.append((key, text))
        if len(found) >= limit:
            break
    return found[::-1]


def _said_waiting(tracker: Tracker) -> bool:
    """Whether the bot's latest message already told the customer to wait."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            metadata = event.get("metadata") or {}
            return bool(metadata.get("utter_action") == "utter_handoff_waiting")
    return False
