"""What the conversation is about: the order in focus and slot values before a message.

Read from the tracker's events only, so every replica of the action server sees the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from actions.parsing import parse_order_id
from zhike.common.topic_names import (
    FOCUS_ORDER_SLOT,
    FOCUS_TURNS,
    KB_ANSWERED_SLOT,
    ORDER_ANSWERS,
)


def slot_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The value ``slot`` had when the customer's latest message arrived.

    Rasa fills entity-mapped slots (``order_id``) from every message; this is what the
    form had before, e.g. the order being cancelled before "HP20240002发货了吗". A
    message put back with another intent (``action_keep_topic``) is that message.
    """
    before_message = False
    for event in reversed(tracker.applied_events()):
        kind = event.get("event")
        if kind == "user":
            before_message = True
        elif kind in ("restart", "session_started"):
            return None
        elif before_message and kind == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def focus_order(tracker: Tracker, turns: int = FOCUS_TURNS) -> str | None:
    """The order in focus, if set within the customer's last ``turns`` messages.

    ``None`` after a restart, a new session or when it was set longer ago: "我要退款" an
    hour later is not about the order looked up then.
    """
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") in ("restart", "session_started"):
            return None
        if event.get("event") == "slot" and event.get("name") == FOCUS_ORDER_SLOT:
            later = sum(1 for e in events[index + 1 :] if e.get("event") == "user")
            return parse_order_id(event.get("value")) if later <= turns else None
    return None


def mentioned_order(tracker: Tracker) -> str | None:
    """The order number in the customer's latest message (entity or text), if any."""
    message = tracker.latest_message or {}
    for entity in message.get("entities") or []:
        if entity.get("entity") == "order_id":
            found = parse_order_id(entity.get("value"))
            if found:
                return found
    return parse_order_id(message.get("text"))


def said_in_form(tracker: Tracker, form: str) -> list[str]:
    """What the customer wrote since ``form`` started: the opening message first.

    Details given there ("周日的英语课改到下周二下午4点", "买错了") are kept through the
    identity check that comes first.

    The form started with the earliest ``active_loop`` event naming it since it was last
    ended (an interrupted form that resumes names itself again); the opening message is
    the customer's message before it. Empty when ``form`` is not running.
    """
    events = list(tracker.events)
    start = None
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") in ("restart", "session_started"):
            break
        if event.get("event") == "active_loop":
            if event.get("name") != form:
                break
            start = index
    if start is None:
        return []
    opening = start
    while opening > 0 and events[opening].get("event") != "user":
        opening -= 1
    return [
        str(event.get("text") or "")
        for event in events[opening:]
        if event.get("event") == "user" and event.get("text")
    ]


def said_before_latest_message(tracker: Tracker, response: str) -> bool:
    """Whether the bot's turn just before the customer's latest message said ``response``.

    A message taken back and put back with another intent (``action_keep_topic``) is
    one message.
    """
    seen_user = False
    for event in reversed(tracker.applied_events()):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return False
            seen_user = True
        elif kind in ("restart", "session_started"):
            return False
        elif seen_user and kind == "bot":
            if (event.get("metadata") or {}).get("utter_action") == response:
                return True
    return False


# Actions that answer a message the NLU was unsure of without understanding it.
FALLBACK_ACTIONS = frozenset(
    {
        "action_two_stage_fallback",
        "action_default_fallback",
        "action_default_ask_affirmation",
        "action_default_ask_rephrase",
    }
)


@dataclass(frozen=True)
class PreviousTurn:
    """The customer's message before the latest one, and how the robot took it.

    ``understood``: an action other than the fallback's answered it (the order lookup of
    an unclear message with an order number), or the fallback's answer showed it was
    understood after all (:data:`~zhike.common.topic_names.ORDER_ANSWERS`, or a
    knowledge-base answer: the slot ``kb_answered`` set). ``asked_about``: the fallback
    asked what it meant ("您是想咨询…"), so it was not understood.
    """

    text: str = ""
    understood: bool = False

    @property
    def asked_about(self) -> bool:
        """Whether the robot asked what the message meant (it was there and not understood)."""
        return bool(self.text) and not self.understood


def previous_turn(tracker: Tracker, skip: frozenset[str] = frozenset()) -> PreviousTurn:
    """The customer's previous message (:class:`PreviousTurn`; empty when there is none).

    Args:
        tracker: the conversation.
        skip: messages first answered by one of these actions are passed over (the
            order lookup's "手机号后 4 位" and the answer to it).
    """
    first_action, understood, users = None, False, 0
    # without the messages taken back (the two-stage fallback re-reads a clarification)
    for event in reversed(tracker.applied_events()):
        kind = event.get("event")
        if kind in ("restart", "session_started"):
            break
        if kind == "bot":
            response = (event.get("metadata") or {}).get("utter_action")
            understood = understood or response in ORDER_ANSWERS
        elif kind == "slot" and event.get("name") == KB_ANSWERED_SLOT and event.get("value"):
            understood = True
        elif kind == "action" and event.get("name") not in (None, "action_listen"):
            first_action = event.get("name")
        elif kind == "user":
            users += 1
            if users >= 2 and first_action not in skip:
                answered = first_action is not None and first_action not in FALLBACK_ACTIONS
                return PreviousTurn(str(event.get("text") or ""), understood or answered)
            first_action, understood = None, False
    return PreviousTurn()
