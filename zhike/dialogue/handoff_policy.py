"""While a human agent owns a conversation, the bot does not answer.

Rasa's ``ConversationPaused`` would drop every message; instead the conversation goes on
normally -- every message is parsed and stored in the tracker -- but while the slot
``handoff_state`` is ``queued`` or ``agent`` this policy predicts, after each user message,
``action_relay_to_agent`` (which hands the message to the desk) and then
``action_listen``, with confidence 1.0 and a priority above the RulePolicy's, so no rule,
story or fallback answers in the agent's place. When the desk hands the conversation back
(the slot is cleared), the policy abstains and the bot resumes.

The same holds for any "the next message belongs to X" state, listed as ``takeovers``;
by default also ``csat_state: awaiting_comment`` -> ``action_record_rating_comment``
(whatever the customer writes after a low rating is their comment, not a new request)
and ``csat_state: asked`` -> ``action_record_rating`` (a typed rating after the rating
question counts whatever its intent; anything else is handed back by the action).

Otherwise the policy checks the automatic handoff triggers of
:mod:`zhike.dialogue.escalation` (an angry message, not understood twice in a row, a VIP
asking about money): one fires ``action_request_handoff`` with the slot
``handoff_reason`` set to the trigger's name. After ``action_request_handoff`` the bot
listens.

``config.yml``::

    policies:
      - name: zhike.dialogue.handoff_policy.HandoffPolicy
        priority: 7        # above RulePolicy (6)
        escalation:        # all optional; see EscalationRules
          fallbacks_in_a_row: 2
          anger_threshold: 1.0
          money_intents: [request_refund, query_refund, request_invoice]
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.common.handoff_names import (
    HANDED_OVER,
    HANDOFF_ACTION,
    HANDOFF_REASON_SLOT,
    HANDOFF_STATE_SLOT,
    RELAY_ACTION,
)
from zhike.dialogue.coded_policy import DEFAULT_PRIORITY, CodedPolicy
from zhike.dialogue.escalation import EscalationRules, escalation_reason

DEFAULT_TAKEOVERS: list[dict[str, Any]] = [
    {"slot": HANDOFF_STATE_SLOT, "values": sorted(HANDED_OVER), "action": RELAY_ACTION},
    {
        "slot": "csat_state",
        "values": ["awaiting_comment"],
        "action": "action_record_rating_comment",
    },
    # The message right after the rating question goes to the rating action, which takes
    # a typed rating ("5", "五星") whatever the intent and rejects itself for anything
    # else (the other policies then answer it as if the question had not been asked).
    {"slot": "csat_state", "values": ["asked"], "action": "action_record_rating"},
]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class HandoffPolicy(CodedPolicy):
    """Relays user messages to the human desk while an agent owns the conversation.

    Config: ``priority`` (default 7, above RulePolicy's 6); ``takeovers``, a list of
    ``{slot, values, action}``: while ``slot`` holds one of ``values``, ``action`` answers
    every user message (see :data:`DEFAULT_TAKEOVERS`); ``escalation``, the automatic
    handoff triggers (:class:`~zhike.dialogue.escalation.EscalationRules`).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Priority 7, :data:`DEFAULT_TAKEOVERS` and the default escalation triggers."""
        return {"priority": DEFAULT_PRIORITY, "takeovers": DEFAULT_TAKEOVERS, "escalation": {}}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, **kwargs)
        self.escalation = EscalationRules.from_config(config.get("escalation"))

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """``action_relay_to_agent`` after a user message while handed over, then listen."""
        action = next_action(tracker, self.config.get("takeovers", DEFAULT_TAKEOVERS))
        if action is None:
            reason = escalation_reason(tracker, self.escalation)
            if reason is not None and HANDOFF_ACTION in domain.action_names_or_texts:
                return self.choose(HANDOFF_ACTION, domain, [SlotSet(HANDOFF_REASON_SLOT, reason)])
        # "No user" predictions (like the RulePolicy's active loop) overrule all others;
        # among them the priority decides, so an active form or fallback loop can't win.
        return self.choose(action, domain)


def next_action(
    tracker: DialogueStateTracker, takeovers: list[dict[str, Any]] = DEFAULT_TAKEOVERS
) -> str | None:
    """What the bot must do now while a takeover slot is set; ``None`` otherwise.

    Right after a takeover action the bot listens, even when the action just cleared its
    slot (the desk closed, the comment was taken): nothing else answers that message. So
    it does after ``action_request_handoff``, however it was triggered.
    """
    latest = tracker.latest_action_name
    actions = {str(takeover["action"]) for takeover in takeovers} | {HANDOFF_ACTION}
    if latest in actions:
        return ACTION_LISTEN_NAME
    if latest != ACTION_LISTEN_NAME:
        return None
    rejected = _rejected_just_now(tracker)
    for takeover in takeovers:
        if tracker.get_slot(str(takeover["slot"])) in set(takeover["values"]):
            action = str(takeover["action"])  # a user message arrived
            # given back ("谢谢" to the rating question), the slot kept: the others answer
            return None if action == rejected else action
    return None


def _rejected_just_now(tracker: DialogueStateTracker) -> str | None:
    """The action that gave the latest user message back, if one did."""
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecutionRejected):
            return event.action_name
        if isinstance(event, (UserUttered, ActionExecuted)):
            return None
    return None
