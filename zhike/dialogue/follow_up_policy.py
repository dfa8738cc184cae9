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
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.common.follow_ups import earlier_intents, kept_intent
from zhike.common.topic_names import KEEP_TOPIC_ACTION
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
    said = (e for e in tracker.applied_events() if isinstance(e, (UserUttered, SessionStarted)))
    earlier = earlier_intents(event.as_dict() for event in said)
    return kept_intent({**message.parse_data, "text": message.text}, earlier)
