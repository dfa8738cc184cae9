"""The handoff policy keeps the bot silent while an agent owns the conversation."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.dialogue.handoff_policy import RELAY_ACTION, HandoffPolicy

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def policy(tmp_path: Path) -> HandoffPolicy:
    return HandoffPolicy.create(
        HandoffPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("handoff_policy"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def _tracker(domain: Domain, state: str | None, *after: str) -> DialogueStateTracker:
    events = [
        ActionExecuted(ACTION_LISTEN_NAME),
        SlotSet("handoff_state", state),
        UserUttered("你好", {"name": "greet", "confidence": 0.99}),
    ]
    events += [ActionExecuted(name) for name in after]
    return DialogueStateTracker.from_events("s1", events, domain.slots)


def _predicted(policy: HandoffPolicy, tracker: DialogueStateTracker, domain: Domain) -> str | None:
    prediction = policy.predict_action_probabilities(tracker, domain)
    if max(prediction.probabilities) == 0:
        return None
    assert prediction.policy_priority == 7  # above the RulePolicy's rules (6)
    return domain.action_names_or_texts[prediction.max_confidence_index]


@pytest.mark.parametrize("state", ["queued", "agent"])
def test_a_user_message_goes_to_the_agent_and_the_bot_listens(
    policy: HandoffPolicy, domain: Domain, state: str
) -> None:
    assert _predicted(policy, _tracker(domain, state), domain) == RELAY_ACTION
    relayed = _tracker(domain, state, RELAY_ACTION)
    assert _predicted(policy, relayed, domain) == ACTION_LISTEN_NAME


@pytest.mark.parametrize("state", [None, "bot", "closed"])
def test_otherwise_the_policy_abstains(
    policy: HandoffPolicy, domain: Domain, state: str | None
) -> None:
    assert _predicted(policy, _tracker(domain, state), domain) is None
    assert _predicted(policy, _tracker(domain, "agent", "utter_greet"), domain) is None


def test_after_a_low_rating_the_next_message_is_the_comment(
    policy: HandoffPolicy, domain: Domain
) -> None:
    events = [
        ActionExecuted(ACTION_LISTEN_NAME),
        SlotSet("csat_state", "awaiting_comment"),
        UserUttered("物流太慢了", {"name": "complain", "confidence": 0.9}),
    ]
    tracker = DialogueStateTracker.from_events("s2", events, domain.slots)
    assert _predicted(policy, tracker, domain) == "action_record_rating_comment"
    # The comment action clears the slot; the bot still only listens after it.
    tracker.update(ActionExecuted("action_record_rating_comment"))
    tracker.update(SlotSet("csat_state", None))
    assert _predicted(policy, tracker, domain) == ACTION_LISTEN_NAME


def _after_the_rating_question(domain: Domain, *after: Event) -> DialogueStateTracker:
    events = [
        ActionExecuted("action_ask_rating"),
        SlotSet("csat_state", "asked"),
        ActionExecuted(ACTION_LISTEN_NAME),
        *after,
    ]
    return DialogueStateTracker.from_events("rated", events, domain.slots)


def test_after_the_rating_question_the_next_message_goes_to_the_rating_action(
    policy: HandoffPolicy, domain: Domain
) -> None:
    tracker = _after_the_rating_question(
        domain, UserUttered("5", {"name": "inform", "confidence": 0.6})
    )
    assert _predicted(policy, tracker, domain) == "action_record_rating"
    # the action handed the message back (rejected itself and cleared the state)
    tracker.update(SlotSet("csat_state", None))
    assert _predicted(policy, tracker, domain) is None


def test_a_message_given_back_with_the_question_still_open_goes_to_the_others(
    policy: HandoffPolicy, domain: Domain
) -> None:
    tracker = _after_the_rating_question(
        domain,
        UserUttered("谢谢 没别的了", {"name": "thank", "confidence": 0.9}),
        ActionExecutionRejected("action_record_rating"),  # "谢谢": the rating still asked
    )
    assert _predicted(policy, tracker, domain) is None
    # the next message goes to the rating action again
    tracker.update(ActionExecuted("utter_noworries"))
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    tracker.update(UserUttered("4", {"name": "inform", "confidence": 0.6}))
    assert _predicted(policy, tracker, domain) == "action_record_rating"
