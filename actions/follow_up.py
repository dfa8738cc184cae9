"""A follow-up the NLU doubted, taken as the request the customer just made.

:class:`zhike.dialogue.follow_up_policy.FollowUpPolicy` runs ``action_keep_topic`` when a
message became ``nlu_fallback`` only because the NLU's second opinion overruled DIET, and
DIET's intent is the request of the customer's previous message ("那iphone15能贴吗" right
after another product question). The action puts the message back with that intent, as
Rasa's two-stage fallback does when the customer clicks a suggestion; the conversation
then goes on as if the NLU had been sure. A declined follow-up on a detail of the answer
just given ("老师是谁啊" after the customer's lessons) is put back with the request
:mod:`zhike.common.follow_ups` names for it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from zhike.common.follow_ups import earlier_intents, kept_intent
from zhike.common.topic_names import KEEP_TOPIC_ACTION, KEPT_KEY

LISTEN = "action_listen"


def kept_message(
    latest: dict[str, Any], earlier: Sequence[str | None] = ()
) -> dict[str, Any] | None:
    """The ``user`` event of ``latest`` with the request it continues, ``None`` without one.

    Args:
        latest: the latest message's parse result.
        earlier: the intents of the messages before it, latest first.
    """
    intent = kept_intent(latest, earlier)
    if not intent:
        return None
    parse_data = copy.deepcopy(latest)
    ranking = parse_data.get("intent_ranking") or []
    confidence = next((r.get("confidence") for r in ranking if r.get("name") == intent), None)
    parse_data[KEPT_KEY] = (latest.get("intent") or {}).get("name") or "unknown"  # once only
    parse_data["intent"] = {"name": intent, "confidence": float(confidence or 1.0)}
    return {
        "event": "user",
        "timestamp": None,
        "text": latest.get("text"),
        "parse_data": parse_data,
        "input_channel": latest.get("input_channel"),
        "message_id": latest.get("message_id"),
        "metadata": latest.get("metadata") or {},
    }


class ActionKeepTopic(Action):
    """Puts the latest message back with the request it continues (see the module)."""

    def name(self) -> str:
        """See the base class."""
        return KEEP_TOPIC_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Reverts the message and says it again with DIET's intent (nothing to say)."""
        message = kept_message(
            tracker.latest_message or {}, earlier_intents(tracker.applied_events())
        )
        if message is None:
            return []
        message["input_channel"] = message["input_channel"] or tracker.get_latest_input_channel()
        return [UserUtteranceReverted(), ActionExecuted(LISTEN), message]
