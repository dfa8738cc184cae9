"""A second request made in the same message is offered once the first one is answered.

The NLU records it (:mod:`zhike.nlu.also_asked`, the parse key
:data:`~zhike.common.topic_names.ALSO_KEY`). After the customer's message, once the bot
has acted on it and no form is asking anything, this policy predicts
:data:`~zhike.common.topic_names.ALSO_ACTION` (``actions/also_asked.py``: "您还提到…" with
the request as a button), then ``action_listen``. A first request that starts a form
(its questions come first) gets no offer: the customer says it again when it is done.

``config.yml``::

    policies:
      - name: zhike.dialogue.also_asked_policy.AlsoAskedPolicy
        priority: 7
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.common.handoff_names import HANDOFF_ACTION, HANDOFF_STATE_SLOT, WITH_AGENT
from zhike.common.topic_names import ALSO_ACTION, ALSO_KEY
from zhike.dialogue.coded_policy import CodedPolicy

DEFAULT_PRIORITY = 7
# Actions after which the first request is not answered yet (or was not understood).
NOT_AN_ANSWER = frozenset(
    {
        ACTION_LISTEN_NAME,
        "action_session_start",
        "action_default_ask_affirmation",
        "action_two_stage_fallback",
        "action_default_fallback",
        HANDOFF_ACTION,
    }
)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class AlsoAskedPolicy(CodedPolicy):
    """Predicts the offer of a second request once the first is answered, then listens."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Priority 7."""
        return {"priority": DEFAULT_PRIORITY}

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """The offer, ``action_listen`` right after it, or abstain (see the module)."""
        return self.choose(next_action(tracker, frozenset(domain.form_names)), domain)


def next_action(tracker: DialogueStateTracker, forms: frozenset[str] = frozenset()) -> str | None:
    """:data:`ALSO_ACTION` when it is due, ``action_listen`` after it, else ``None``.

    Due right after a custom action that answered the latest message (not a form, whose
    own rules go on; not an ``utter_`` one, which a rule may follow with another).
    """
    latest = tracker.latest_action_name
    if latest == ALSO_ACTION:
        return ACTION_LISTEN_NAME
    if tracker.active_loop_name or tracker.get_slot(HANDOFF_STATE_SLOT) == WITH_AGENT:
        return None
    if not latest or not latest.startswith("action_") or latest in forms | NOT_AN_ANSWER:
        return None
    message = tracker.latest_message
    if message is None or not message.parse_data.get(ALSO_KEY):
        return None
    for event in reversed(tracker.applied_events()):
        if isinstance(event, UserUttered):
            return ALSO_ACTION
        if isinstance(event, ActionExecuted) and (
            event.action_name == ALSO_ACTION or event.action_name in NOT_AN_ANSWER
        ):
            return None  # offered already, or the first request is not answered
    return None
