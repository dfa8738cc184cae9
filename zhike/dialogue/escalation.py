"""When the bot hands a customer to a human without being asked.

The customer asking (转人工) and a complaint are rules (``data/rules/handoff.yml``). The
triggers here need the conversation's history or the customer's profile, so
:class:`zhike.dialogue.handoff_policy.HandoffPolicy` checks them after every user message:

- ``angry``: the message reaches the anger threshold (:mod:`zhike.dialogue.anger`);
- ``fallbacks``: the bot failed to understand this many messages in a row (the first
  went through the two-stage fallback, the customer's "都不是" in between does not reset
  the count, any understood message does);
- ``vip_money``: a VIP customer (slot ``customer_vip``, set when the session starts or the
  account is bound) asks about money (refunds, invoices, cancellations).

The policy then predicts ``action_request_handoff`` and sets ``handoff_reason``. When no
human can take a ``vip_money`` request, the action declines (slot ``handoff_declined``
holds the message id) and the bot serves the request as usual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from zhike.common.handoff_names import (
    HANDED_OVER,
    HANDOFF_ACTION,
    HANDOFF_DECLINED_SLOT,
    HANDOFF_STATE_SLOT,
    REASON_ANGRY,
    REASON_FALLBACKS,
    REASON_VIP_MONEY,
)
from zhike.common.topic_names import (
    FALLBACK_ACTIONS,
    KB_ANSWERED_SLOT,
    ORDER_ANSWERS,
    TWO_STAGE_FALLBACK,
)
from zhike.dialogue.anger import DEFAULT_THRESHOLD, anger_score

VIP_SLOT = "customer_vip"
FALLBACK_INTENT = "nlu_fallback"
# Answers inside the two-stage fallback that neither count nor reset ("都不是", "不是").
FALLBACK_ANSWERS = frozenset({"out_of_scope", "deny"})
# Where counting stops: a new session, or the last time the customer was handed over.
BOUNDARY_ACTIONS = frozenset({ACTION_SESSION_START_NAME, HANDOFF_ACTION})
DEFAULT_MONEY_INTENTS = (
    "request_refund",
    "query_refund",
    "request_invoice",
    "cancel_order",
    "cancel_course",
)
# Rules already hand these over (or they are the customer's own request).
DEFAULT_EXEMPT_INTENTS = ("human_handoff", "complain")


@dataclass(frozen=True)
class EscalationRules:
    """The automatic handoff triggers, from the policy's ``escalation`` config.

    Attributes:
        fallbacks_in_a_row: not-understood messages in a row that hand over (0: never).
        anger_threshold: anger score that hands over (``None``: never).
        money_intents: intents that hand a VIP customer over.
        exempt_intents: intents the triggers leave to the rules.
    """

    fallbacks_in_a_row: int = 2
    anger_threshold: float | None = DEFAULT_THRESHOLD
    money_intents: frozenset[str] = frozenset(DEFAULT_MONEY_INTENTS)
    exempt_intents: frozenset[str] = frozenset(DEFAULT_EXEMPT_INTENTS)

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> EscalationRules:
        """Reads ``{fallbacks_in_a_row, anger_threshold, money_intents, exempt_intents}``.

        Raises:
            ValueError: a value of the wrong type or range (a designer's typo in
                config.yml fails training, not a conversation).
        """
        config = dict(config or {})
        unknown = set(config) - {
            "fallbacks_in_a_row",
            "anger_threshold",
            "money_intents",
            "exempt_intents",
        }
        if unknown:
            raise ValueError(f"unknown escalation settings: {', '.join(sorted(unknown))}")
        fallbacks = config.get("fallbacks_in_a_row", cls.fallbacks_in_a_row)
        if isinstance(fallbacks, bool) or not isinstance(fallbacks, int) or fallbacks < 0:
            raise ValueError("escalation.fallbacks_in_a_row must be a whole number >= 0")
        threshold = config.get("anger_threshold", cls.anger_threshold)
        if threshold is not None and (
            isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or threshold <= 0
        ):
            raise ValueError("escalation.anger_threshold must be a positive number or null")
        return cls(
            fallbacks_in_a_row=fallbacks,
            anger_threshold=None if threshold is None else float(threshold),
            money_intents=_names(config, "money_intents", DEFAULT_MONEY_INTENTS),
            exempt_intents=_names(config, "exempt_intents", DEFAULT_EXEMPT_INTENTS),
        )


def _names(config: Mapping[str, Any], key: str, default: Iterable[str]) -> frozenset[str]:
    value = config.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValueError(f"escalation.{key} must be a list of intent names")
    return frozenset(value)


def escalation_reason(tracker: DialogueStateTracker, rules: EscalationRules) -> str | None:
    """Why the customer's new message should go to a human, ``None`` if it should not."""
    message = tracker.latest_message
    if message is None or tracker.latest_action_name != ACTION_LISTEN_NAME:
        return None
    if tracker.get_slot(HANDOFF_STATE_SLOT) in HANDED_OVER:
        return None
    intent = str((message.intent or {}).get(INTENT_NAME_KEY) or "")
    if intent in rules.exempt_intents or not message.text and not intent:
        return None
    if message.message_id and tracker.get_slot(HANDOFF_DECLINED_SLOT) == message.message_id:
        return None
    threshold = rules.anger_threshold
    if threshold is not None and anger_score(message.text).score >= threshold:
        return REASON_ANGRY
    form_active = tracker.active_loop_name not in (None, TWO_STAGE_FALLBACK)
    if (
        rules.fallbacks_in_a_row
        and not form_active  # a form may take the message as a free-text answer
        and not_understood_in_a_row(tracker.events) >= rules.fallbacks_in_a_row
    ):
        return REASON_FALLBACKS
    if tracker.get_slot(VIP_SLOT) is True and intent in rules.money_intents:
        return REASON_VIP_MONEY
    return None


def not_understood_in_a_row(events: Iterable[Event]) -> int:
    """How many of the latest user messages the bot did not understand, in a row.

    The newest message counts when its intent is ``nlu_fallback``; an earlier one when it
    was also answered by a fallback action, unless that answer showed it was understood
    after all ("这个还能退不" answered for the order in focus:
    :data:`~zhike.common.topic_names.ORDER_ANSWERS`; "质量问题呢" answered from the
    knowledge base: the slot ``kb_answered`` set). "都不是"/"不是" answers to the
    fallback's question are skipped; any other message, a new session or a handoff ends
    the count.
    """
    count = 0
    newest = True
    first_action: str | None = None  # the first action after the user message being read
    understood = False  # the reply to the user message being read showed it was understood
    for event in reversed(list(events)):
        if isinstance(event, (SessionStarted, Restarted)):
            break
        if isinstance(event, BotUttered):
            understood = understood or event.metadata.get("utter_action") in ORDER_ANSWERS
            continue
        if isinstance(event, SlotSet):
            understood = understood or (event.key == KB_ANSWERED_SLOT and bool(event.value))
            continue
        if isinstance(event, ActionExecuted):
            if event.action_name in BOUNDARY_ACTIONS:
                break
            if event.action_name != ACTION_LISTEN_NAME:
                first_action = event.action_name
            continue
        if not isinstance(event, UserUttered):
            continue
        intent = (event.intent or {}).get(INTENT_NAME_KEY)
        answered_by_fallback = first_action in FALLBACK_ACTIONS and not understood
        first_action, understood = None, False
        if intent == FALLBACK_INTENT and (newest or answered_by_fallback):
            count += 1
        elif not (answered_by_fallback and intent in FALLBACK_ANSWERS):
            break
        newest = False
    return count
