"""The base of zhike's dialogue policies: code picks one action, nothing is learnt.

Each of them (hand-over, topic switch, follow-up, second request) looks at the tracker
and names the one action the bot must run now, or abstains. A named action is a "no
user" prediction: like the RulePolicy's active loop, it overrules the learnt policies,
and among such predictions the priority decides.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction, confidence_scores_for
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

# Above the RulePolicy's 6: a coded decision is not overruled by a rule or a form.
DEFAULT_PRIORITY = 7


class CodedPolicy(Policy):
    """A policy without training whose subclasses pick an action by code.

    A subclass names the action in :meth:`decide`; one that adds events to its choice
    overrides :meth:`predict_action_probabilities` and calls :meth:`choose` itself.
    """

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
        """The action :meth:`decide` names, with certainty, or an abstention."""
        return self.choose(self.decide(tracker, domain), domain)

    def decide(self, tracker: DialogueStateTracker, domain: Domain) -> str | None:
        """The one action the bot must run now, or ``None`` to abstain."""
        return None

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Nothing to learn."""
        return self._resource

    def choose(
        self, action: str | None, domain: Domain, events: list[Event] | None = None
    ) -> PolicyPrediction:
        """``action`` with certainty (and ``events`` applied first), or abstain on ``None``.

        An action the domain does not declare is abstained from as well.
        """
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(self._default_predictions(domain))
        return self._prediction(
            confidence_scores_for(action, 1.0, domain),
            optional_events=events,
            is_no_user_prediction=True,
        )
