"""A change of topic in the middle of a form goes to the topic-switch actions.

Rasa's rules can only say "during form X, intent Y does Z" one pair at a time. This
policy says it once for every form: when the active form gives the customer's message
up (it was not an answer) and the message is a confident business request -- or names
an order -- it predicts ``action_answer_interruption`` (``actions/topic_switch.py``),
which answers a question in passing (then the form asks its question again), or asks
whether to switch. While that question is open (slot ``switch_state: asked``) the next
message goes to ``action_resolve_switch``; when it keeps the form, the form goes on.

Outside forms it keeps one piece of context the NLU cannot: right after an order was
shown, an unsure short delivery question ("明天能到吗" read as nothing in particular)
starts ``order_id_form``, which takes the order in focus and answers about it.

``config.yml``::

    policies:
      - name: zhike.dialogue.topic_switch_policy.TopicSwitchPolicy
        priority: 7          # above RulePolicy (6), like HandoffPolicy
        confidence: 0.8      # a business intent below this is not a change of topic
        intents: [query_order, cancel_order, ...]   # default: DEFAULT_INTENTS
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Restarted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.common.topic_names import (
    ANSWER_ACTION,
    BUSINESS_INTENTS,
    FOCUS_ORDER_SLOT,
    FOCUS_TURNS,
    OUT_OF_SCOPE,
    RESOLVE_ACTION,
    SWITCH_ASKED,
    SWITCH_CONFIDENCE,
    SWITCH_STATE_SLOT,
    sure_of_intent,
)
from zhike.dialogue.coded_policy import DEFAULT_PRIORITY, CodedPolicy

ORDER_FORM = "order_id_form"
DEFAULT_INTENTS = sorted(BUSINESS_INTENTS)
# A message naming an order with one of these intents, or with an unsure one, is a
# question about that order ("等下，HP20240003发货了吗" read as the shipping FAQ or as a
# complaint), not small talk ...
ORDER_QUESTION_INTENTS = frozenset({"faq", "chitchat", "inform", "nlu_fallback"})
# ... unless the customer leaves the form: those have their rules.
LEAVING_INTENTS = frozenset({"deny", "human_handoff", "goodbye"})
# Right after an order was shown, an unsure short question about its delivery
# ("明天能到吗", "那啥时候送") means that order: it is looked up again, not asked about.
FOLLOW_UP = re.compile(r"到|送|发货|发出|物流|快递|几天|多久|什么时候|啥时候|哪了|签收")
FOLLOW_UP_INTENTS = frozenset({"nlu_fallback", "inform"})
# A general question (faq) is such a follow-up only when it is about the parcel itself.
FAQ_FOLLOW_UP = re.compile(r"到(?!账)|送|发货|发出|物流|快递|签收|哪了")
FOLLOW_UP_LENGTH = 20
# ... but "要是坏的怎么办" (what if it arrives broken) is a question about the rules and
# "能改到周六吗" a change, not questions about where the parcel is: the order's status
# again would be a confident wrong answer.
# "多久给我答复" after a complaint waits for a person, not the parcel; "钱大概几天回来"
# after a cancellation is the money, not the parcel.
NOT_FOLLOW_UP = re.compile(
    r"怎么办|要是|如果|万一|假如|坏|破损|退|换|改|答复|回复|回电|联系我|处理|结果|钱|款"
)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class TopicSwitchPolicy(CodedPolicy):
    """Sends a change of topic inside any form to the topic-switch actions."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Priority 7, confidence 0.8 and :data:`DEFAULT_INTENTS`."""
        return {
            "priority": DEFAULT_PRIORITY,
            "confidence": SWITCH_CONFIDENCE,
            "intents": DEFAULT_INTENTS,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, **kwargs)
        self.intents = frozenset(config.get("intents") or DEFAULT_INTENTS)
        self.confidence = float(config.get("confidence", SWITCH_CONFIDENCE))

    def decide(self, tracker: DialogueStateTracker, domain: Domain) -> str | None:
        """The topic-switch action (or listening after its question), else abstain."""
        # a "no user" prediction, like the RulePolicy's active loop, which it must beat
        return next_action(tracker, self.intents, self.confidence)


def next_action(
    tracker: DialogueStateTracker, intents: frozenset[str], confidence: float
) -> str | None:
    """What the bot must do now for a change of topic; ``None`` when it is none of this."""
    latest = tracker.latest_action_name
    asked = tracker.get_slot(SWITCH_STATE_SLOT) == SWITCH_ASKED
    loop = tracker.active_loop_name
    if latest == ANSWER_ACTION and asked:
        return ACTION_LISTEN_NAME  # the switch question waits for its answer
    if latest in (ANSWER_ACTION, RESOLVE_ACTION):
        return loop  # answered in passing, or "继续": the form asks its question again
    if latest == ACTION_LISTEN_NAME and asked:
        return RESOLVE_ACTION
    if latest == ACTION_LISTEN_NAME and not loop and is_order_follow_up(tracker):
        return ORDER_FORM  # takes the order in focus (actions/forms.py) and answers
    if not loop or not tracker.is_active_loop_rejected or latest not in (ACTION_LISTEN_NAME, loop):
        return None
    message = tracker.latest_message
    intent = (message.intent if message else {}) or {}
    name = intent.get("name")
    sure = sure_of_intent(message.parse_data if message else {}, confidence)
    if (name in intents or name == OUT_OF_SCOPE) and sure:
        return ANSWER_ACTION
    names_order = any(e.get("entity") == "order_id" for e in (message.entities if message else []))
    if names_order and name not in LEAVING_INTENTS and (name in ORDER_QUESTION_INTENTS or not sure):
        return ANSWER_ACTION
    return None


def _recent_focus(tracker: DialogueStateTracker) -> bool:
    """Whether an order was put in focus within the customer's last FOCUS_TURNS messages."""
    users = 0
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            users += 1
        elif isinstance(event, SlotSet) and event.key == FOCUS_ORDER_SLOT:
            return event.value is not None and users <= FOCUS_TURNS
        elif isinstance(event, (Restarted, SessionStarted)):
            return False
    return False


def is_order_follow_up(tracker: DialogueStateTracker) -> bool:
    """An unsure short delivery question right after an order was shown (see FOLLOW_UP)."""
    message = tracker.latest_message
    if message is None or not tracker.get_slot(FOCUS_ORDER_SLOT):
        return False
    text = str(message.text or "")
    if len(text) > FOLLOW_UP_LENGTH or not FOLLOW_UP.search(text) or NOT_FOLLOW_UP.search(text):
        return False
    if any(entity.get("entity") == "order_id" for entity in message.entities):
        return False  # another order named: the rules look that one up
    intent = (message.intent or {}).get("name")
    if intent == "faq":
        if not FAQ_FOLLOW_UP.search(text):
            return False
    elif intent not in FOLLOW_UP_INTENTS:
        return False
    return _recent_focus(tracker)
