"""While a human agent owns a conversation, the bot does not answer.

Rasa's ``ConversationPaused`` would drop every message; instead the conversation goes on
normally -- every message is parsed and stored in the tracker -- but while the slot
``handoff_state`` is ``queued`` or ``agent`` this policy predicts, after each user message,
``action_relay_to_agent`` (which hands the message to the desk) and then
``action_listen``, with confidence 1.0 and a priority above the RulePolicy's, so no rule,
story or fallback answers in the agent's place. When the desk hands the conversation back
(the slot is cleared), the policy abstains and the bot resumes.

``config.yml``::

    policies:
      - name: zhike.dialogue.handoff_policy.HandoffPolicy
        priority: 7        # above RulePolicy (6)
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction, confidence_scores_for
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

HANDOFF_SLOT = "handoff_state"
HANDED_OVER = frozenset({"queued", "agent"})
RELAY_ACTION = "action_relay_to_agent"
DEFAULT_PRIORITY = 7


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class HandoffPolicy(Policy):
    """Relays user messages to the human desk while an agent owns the conversation."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Only the priority: above RulePolicy's 6."""
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
        """``action_relay_to_agent`` after a user message while handed over, then listen."""
        action = next_action(tracker)
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(self._default_predictions(domain))
        return self._prediction(confidence_scores_for(action, 1.0, domain))


def next_action(tracker: DialogueStateTracker) -> str | None:
    """What the bot must do now in a handed-over conversation; ``None`` otherwise."""
    if tracker.get_slot(HANDOFF_SLOT) not in HANDED_OVER:
        return None
    latest = tracker.latest_action_name
    if latest == ACTION_LISTEN_NAME:
        return RELAY_ACTION  # a user message arrived
    if latest == RELAY_ACTION:
        return ACTION_LISTEN_NAME
    return None
