"""A follow-up on the request just made stays that request, even when the NLU doubted it.

The NLU's second opinion (:mod:`zhike.nlu.second_opinion`) reads each message alone. A
follow-up is short and leans on what came before ("那iphone15能贴吗" after a question about
a screen protector): the linear model may read it as something else and overrule DIET,
and the customer would be asked "您是想咨询…" about the very thing they are asking. The
conversation knows better: when DIET's overruled intent is the request of the customer's
previous message, this policy predicts ``action_keep_topic`` (``actions/follow_up.py``),
which puts the message back with that intent, and the conversation goes on as usual.

Only outside forms (a form reads its own answers) and only for requests
(:data:`zhike.common.topic_names.BUSINESS_INTENTS`).

``config.yml``::

    policies:
      - name: zhike.dialogue.follow_up_policy.FollowUpPolicy
        priority: 7          # above RulePolicy's fallback rule
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction, confidence_scores_for
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.common.topic_names import (
    BUSINESS_INTENTS,
    KEEP_TOPIC_ACTION,
    OVERRULED_KEY,
    SECOND_OPINION_KEY,
)

DEFAULT_PRIORITY = 7


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class FollowUpPolicy(Policy):
    """Predicts ``action_keep_topic`` for a doubted follow-up on the previous request."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Priority 7."""
        return {"priority": DEFAULT_PRIORITY}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, **kwargs)

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Nothing to learn."""
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """``action_keep_topic`` for a follow-up (see the module), else abstain."""
        if kept_topic(tracker) is None or KEEP_TOPIC_ACTION not in domain.action_names_or_texts:
            return self._prediction(self._default_predictions(domain))
        # A "no user" prediction, so that it beats the RulePolicy's fallback rule.
        return self._prediction(
            confidence_scores_for(KEEP_TOPIC_ACTION, 1.0, domain), is_no_user_prediction=True
        )


def kept_topic(tracker: DialogueStateTracker) -> str | None:
    """The request a doubted message continues, ``None`` when it is no such follow-up."""
    if tracker.latest_action_name != ACTION_LISTEN_NAME or tracker.active_loop_name:
        return None
    message = tracker.latest_message
    if message is None or message.intent_name != DEFAULT_NLU_FALLBACK_INTENT_NAME:
        return None
    opinion = message.parse_data.get(SECOND_OPINION_KEY) or {}
    overruled = opinion.get(OVERRULED_KEY) if isinstance(opinion, dict) else None
    if overruled not in BUSINESS_INTENTS:
        return None
    return str(overruled) if previous_intent(tracker) == overruled else None


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
