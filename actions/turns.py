"""The customer's recent messages, newest first, and how the robot took each.

Read from the tracker's applied events: a message taken back and read again (the
two-stage fallback's clarification, ``action_keep_topic``) counts once, and a message
the last fallback stage took back is gone.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Tracker

from zhike.common.topic_names import (
    FALLBACK_ACTIONS,
    KB_ANSWERED_SLOT,
    NOT_SUGGESTED,
    ORDER_ANSWERS,
)

RECENT = 8


@dataclass(frozen=True)
class Turn:
    """One message of the customer and how the robot took it.

    ``first_action``: the first action that ran after it (``None``: none yet, for the
    latest message while its first action runs). ``shown_understood``: the answer showed
    it was understood (:data:`~zhike.common.topic_names.ORDER_ANSWERS`, or a
    knowledge-base answer: the slot ``kb_answered`` set).
    """

    text: str
    intent: str | None
    first_action: str | None
    shown_understood: bool = False
    likeliest: tuple[str, ...] = ()  # its topics "您是想咨询…" may offer (suggested_intents)

    @property
    def understood(self) -> bool:
        """Whether it was understood.

        Answered by an action other than the fallback's (the order lookup of an unclear
        message with an order number), or the fallback's answer showed it was ("这个还能
        退不" answered for the order in focus).
        """
        answered = self.first_action is not None and self.first_action not in FALLBACK_ACTIONS
        return self.shown_understood or answered

    @property
    def asked_about(self) -> bool:
        """Whether the robot asked what it meant ("您是想咨询…"): it was not understood."""
        return self.first_action is not None and not self.understood


def recent_turns(tracker: Tracker, limit: int = RECENT) -> list[Turn]:
    """This session's last ``limit`` messages of the customer, the latest first."""
    turns: list[Turn] = []
    first_action, understood = None, False
    for event in reversed(tracker.applied_events()):
        kind = event.get("event")
        if kind in ("restart", "session_started") or len(turns) >= limit:
            break
        if kind == "bot":
            response = (event.get("metadata") or {}).get("utter_action")
            understood = understood or response in ORDER_ANSWERS
        elif kind == "slot" and event.get("name") == KB_ANSWERED_SLOT and event.get("value"):
            understood = True
        elif kind == "action" and event.get("name") not in (None, "action_listen"):
            first_action = event.get("name")
        elif kind == "user":
            parse = event.get("parse_data") or {}
            intent = (parse.get("intent") or {}).get("name")
            likeliest = tuple(suggested_intents(parse))
            text = str(event.get("text") or "")
            turns.append(Turn(text, intent, first_action, understood, likeliest))
            first_action, understood = None, False
    return turns


def previous_turn(tracker: Tracker) -> Turn | None:
    """The customer's message before the latest one, if any."""
    turns = recent_turns(tracker, limit=2)
    return turns[1] if len(turns) > 1 else None


def suggested_intents(parse_data: dict) -> list[str]:
    """The topics of a parse, likeliest first, that "您是想咨询…" may offer."""
    names = (r.get("name") for r in parse_data.get("intent_ranking") or [])
    return [str(name) for name in names if name and name not in NOT_SUGGESTED]
