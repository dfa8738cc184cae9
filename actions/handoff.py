"""转人工: queueing the customer for a human agent, and relaying their messages meanwhile.

``action_request_handoff`` asks the handoff service (:mod:`zhike.handoff`) for an agent:
queued (the customer hears their place in line and the expected wait), or -- outside
business hours or with no agent online -- a ticket with the time someone will reply.
While the conversation is handed over (slot ``handoff_state``), the HandoffPolicy runs
``action_relay_to_agent`` after every user message instead of any bot answer: the message
is stored for the desk, once (the Rasa message id is its idempotency key).
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.identity import input_channel, known_customer_id
from actions.parsing import normalize_text
from actions.submit import open_ticket, remember_ticket
from zhike.handoff import HandoffError, HandoffOutcome, skill_group_for
from zhike.handoff.runtime import handoff_service
from zhike.privacy import mask_text

logger = logging.getLogger(__name__)

HANDOFF_SLOT = "handoff_state"
# Intents that say nothing about the customer's topic (the skill group comes from the rest).
NOT_A_TOPIC = frozenset(
    {
        "human_handoff",
        "complain",
        "affirm",
        "deny",
        "greet",
        "goodbye",
        "thank",
        "inform",
        "nlu_fallback",
        "out_of_scope",
        "bot_challenge",
    }
)
SUMMARY_SLOTS = ("order_id", "refund_reason", "course_name", "lesson_time", "ticket_id")
RECENT_MESSAGES = 5
# What the service may raise besides refusals: its database is down or misconfigured.
UNAVAILABLE = (HandoffError, SQLAlchemyError, OSError, ValueError)


def topic_of(tracker: Tracker) -> str | None:
    """The customer's latest business intent (what the agent will be asked about)."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent and intent not in NOT_A_TOPIC:
            return str(intent)
    return None


def summary_of(tracker: Tracker) -> dict[str, Any]:
    """What the bot knows, for the agent: topic, filled slots, the last user messages."""
    texts = [
        mask_text(normalize_text(event.get("text")))
        for event in tracker.events
        if event.get("event") == "user" and event.get("text")
    ]
    slots = {name: tracker.get_slot(name) for name in SUMMARY_SLOTS}
    return {
        "intent": topic_of(tracker),
        "slots": {name: value for name, value in slots.items() if value not in (None, "")},
        "recent_messages": texts[-RECENT_MESSAGES:],
    }


def _minutes(outcome: HandoffOutcome) -> int:
    wait = outcome.expected_wait.total_seconds() if outcome.expected_wait else 60
    return max(1, math.ceil(wait / 60))


def _reply_by(when: datetime | None) -> str:
    return f"{when.month}月{when.day}日 {when:%H:%M}" if when else "下一个工作时段"


class ActionRequestHandoff(Action):
    """Queues the customer for an agent of the topic's skill group, or opens a ticket."""

    def name(self) -> str:
        """See the base class."""
        return "action_request_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Tells the place in line and the wait, or the ticket and when someone replies."""
        customer_id = await known_customer_id(tracker)
        group = skill_group_for(topic_of(tracker))
        try:
            service = await handoff_service()
            outcome = await service.request_handoff(
                tracker.sender_id, input_channel(tracker), customer_id, group, summary_of(tracker)
            )
        except UNAVAILABLE as error:
            logger.warning("Handoff request failed: %s", error)
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return []

        if outcome.status == "queued":
            ahead = (outcome.position or 1) - 1
            if ahead:
                dispatcher.utter_message(
                    response="utter_handoff_queued", ahead=ahead, minutes=_minutes(outcome)
                )
            else:
                dispatcher.utter_message(response="utter_handoff_next", minutes=_minutes(outcome))
            return [SlotSet(HANDOFF_SLOT, "queued")]
        if outcome.status == "with_agent":
            dispatcher.utter_message(response="utter_handoff_with_agent")
            return [SlotSet(HANDOFF_SLOT, "agent")]

        summary = "；".join(summary_of(tracker)["recent_messages"])[:500]
        ticket = await open_ticket(
            tracker, "other", f"客户要求转人工（{group}）：{summary}", customer_id
        )
        if ticket is None:
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return []
        hours = service.settings.hours
        dispatcher.utter_message(
            response=f"utter_handoff_{outcome.status}",
            ticket_id=ticket.ticket_id,
            reply_by=_reply_by(outcome.reply_by),
            hours=f"{hours.open:%H:%M}–{hours.close:%H:%M}",
        )
        return remember_ticket(tracker, ticket)


class ActionRelayToAgent(Action):
    """Hands a user message to the desk while the conversation is handed over."""

    def name(self) -> str:
        """See the base class."""
        return "action_relay_to_agent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Stores the message for the agent; says so once while the customer waits."""
        latest = tracker.latest_message or {}
        text = str(latest.get("text") or "").strip() or "[非文字消息]"  # as the customer wrote it
        key = f"{tracker.sender_id}:{latest.get('message_id') or len(tracker.events)}"
        try:
            service = await handoff_service()
            decision = await service.route_user_message(
                tracker.sender_id, input_channel(tracker), text, key
            )
        except UNAVAILABLE as error:
            logger.warning("Relaying a message to the desk failed: %s", error)
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return []
        if decision.handler == "bot":  # the desk closed the conversation meanwhile
            dispatcher.utter_message(response="utter_handoff_ended")
            return [SlotSet(HANDOFF_SLOT, None)]
        if decision.handler == "queue" and not _said_waiting(tracker):
            dispatcher.utter_message(response="utter_handoff_waiting")
        return []


def _said_waiting(tracker: Tracker) -> bool:
    """Whether the bot's latest message already told the customer to wait."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            metadata = event.get("metadata") or {}
            return bool(metadata.get("utter_action") == "utter_handoff_waiting")
    return False
