"""A follow-up on the request just made stays that request, even when the NLU doubted it.

The NLU's second opinion (:mod:`zhike.nlu.second_opinion`) reads each message alone. A
follow-up is short and leans on what came before ("那iphone15能贴吗" after a question about
a screen protector): the linear model may read it as something else and overrule DIET,
and the customer would be asked "您是想咨询…" about the very thing they are asking. The
conversation knows better: when DIET's overruled intent is the request of the customer's
previous message, this policy predicts ``action_keep_topic`` (``actions/follow_up.py``),
which puts the message back with that intent, and the conversation goes on as usual.

A declined message, or a question the knowledge base has no entry for, is also a
follow-up when it asks about a detail of the answer just given ("老师是谁啊" right after
the customer's lessons, "明天下午可以吗" right after their installer visits):
:mod:`zhike.common.follow_ups` lists those words per request.

Only outside forms (a form reads its own answers) and only for requests
(:data:`zhike.common.topic_names.BUSINESS_INTENTS`).

``config.yml``::

    policies:
      - name: zhike.dialogue.follow_up_policy.FollowUpPolicy
        priority: 7          # above RulePolicy's fallback rule
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.common.follow_ups import continued_request
from zhike.common.topic_names import (
    BEYOND_KEY,
    BUSINESS_INTENTS,
    KEEP_TOPIC_ACTION,
    OVERRULED_KEY,
    QUESTION_INTENT,
    SECOND_OPINION_KEY,
    UNANSWERED_KEY,
)
from zhike.dialogue.coded_policy import CodedPolicy


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class FollowUpPolicy(CodedPolicy):
    """Predicts ``action_keep_topic`` for a doubted follow-up on the previous request."""

    def decide(self, tracker: DialogueStateTracker, domain: Domain) -> str | None:
        """``action_keep_topic`` for a follow-up (see the module), else abstain."""
        return KEEP_TOPIC_ACTION if kept_topic(tracker) else None


def kept_topic(tracker: DialogueStateTracker) -> str | None:
    """The request a doubted message continues, ``None`` when it is no such follow-up."""
    if tracker.latest_action_name != ACTION_LISTEN_NAME or tracker.active_loop_name:
        return None
    message = tracker.latest_message
    if message is None:
        return None
    unanswered = message.intent_name == QUESTION_INTENT and message.parse_data.get(UNANSWERED_KEY)
    if message.intent_name != DEFAULT_NLU_FALLBACK_INTENT_NAME and not unanswered:
        return None
    if message.parse_data.get(BEYOND_KEY):
        return None  # declined for its topic, not for the models' doubt
    opinion = message.parse_data.get(SECOND_OPINION_KEY) or {}
    overruled = opinion.get(OVERRULED_KEY) if isinstance(opinion, dict) else None
    previous = previous_intent(tracker)
    if overruled in BUSINESS_INTENTS and previous == overruled:
        return str(overruled)
    # "老师是谁啊" right after the lessons: a detail of the answer just given
    return continued_request(previous, message.text or "")


def previous_intent(tracker: DialogueStateTracker) -> str | None:
    """The intent of the customer's message before the latest one, in this session."""
    seen = 0
    for event in reversed(tracker.applied_events()):
        if isinstance(event, SessionStarted):
            return None
        if isinstance(event, UserUttered):
            seen += 1
            if seen == 2:
                return event.intent_name
    return None
