"""A confident new request inside any form goes to the topic-switch actions."""

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
    ActiveLoop,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.common.topic_names import ANSWER_ACTION, RESOLVE_ACTION
from zhike.dialogue.topic_switch_policy import TopicSwitchPolicy

ROOT = Path(__file__).resolve().parents[3]
FORM = "cancel_order_form"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def policy(tmp_path: Path) -> TopicSwitchPolicy:
    return TopicSwitchPolicy.create(
        TopicSwitchPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("topic_switch_policy"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def _in_form(
    domain: Domain,
    intent: str,
    confidence: float = 0.95,
    entities: list[dict[str, str]] | None = None,
    *after: Event,
    text: str = "…",
    parsed: dict[str, str] | None = None,
) -> DialogueStateTracker:
    """The cancel form asked to confirm; the customer said ``text``; then ``after``.

    ``parsed``: more of the message's parse result (the frame its words fit …).
    """
    events: list[Event] = [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("取消订单HP20240003", {"name": "cancel_order", "confidence": 0.99}),
        ActionExecuted(FORM),
        ActiveLoop(FORM),
        SlotSet("requested_slot", "confirmed"),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(text, {"name": intent, "confidence": confidence}, entities or [], parsed),
        *after,
    ]
    return DialogueStateTracker.from_events("s1", events, domain.slots)


def _predicted(
    policy: TopicSwitchPolicy, tracker: DialogueStateTracker, domain: Domain
) -> str | None:
    prediction = policy.predict_action_probabilities(tracker, domain)
    if max(prediction.probabilities) == 0:
        return None
    assert prediction.is_no_user_prediction  # must beat the RulePolicy's active loop
    return domain.action_names_or_texts[prediction.max_confidence_index]


def test_a_confident_request_the_form_gave_up_goes_to_the_topic_switch(
    policy: TopicSwitchPolicy, domain: Domain
) -> None:
    rejected = _in_form(domain, "request_refund", 0.93, None, ActionExecutionRejected(FORM))
    assert _predicted(policy, rejected, domain) == ANSWER_ACTION


def test_an_answer_the_form_took_is_left_to_the_form(
    policy: TopicSwitchPolicy, domain: Domain
) -> None:
    assert _predicted(policy, _in_form(domain, "request_refund"), domain) is None


@pytest.mark.parametrize(
    ("intent", "confidence", "entities"),
    [
        ("request_refund", 0.6, None),  # unsure: the fallback and the rules decide
        ("faq", 0.99, None),  # a question without an order: the FAQ rule answers
        ("deny", 0.99, None),  # leaving the form has its rule
    ],
)
def test_unsure_or_rule_handled_messages_are_left_to_the_rules(
    policy: TopicSwitchPolicy,
    domain: Domain,
    intent: str,
    confidence: float,
    entities: list[dict[str, str]] | None,
) -> None:
    rejected = _in_form(domain, intent, confidence, entities, ActionExecutionRejected(FORM))
    assert _predicted(policy, rejected, domain) is None


def test_a_question_naming_an_order_is_a_change_of_topic_whatever_the_intent(
    policy: TopicSwitchPolicy, domain: Domain
) -> None:
    order = [{"entity": "order_id", "value": "HP20240002"}]
    rejected = _in_form(domain, "faq", 0.99, order, ActionExecutionRejected(FORM))
    assert _predicted(policy, rejected, domain) == ANSWER_ACTION


def test_after_the_switch_question_the_bot_listens_and_the_reply_goes_to_resolve(
    policy: TopicSwitchPolicy, domain: Domain
) -> None:
    asked = _in_form(
        domain,
        "request_refund",
        0.93,
        None,
        ActionExecutionRejected(FORM),
        ActionExecuted(ANSWER_ACTION),
        SlotSet("switch_state", "asked"),
    )
    assert _predicted(policy, asked, domain) == ACTION_LISTEN_NAME
    asked.update(ActionExecuted(ACTION_LISTEN_NAME))
    asked.update(UserUttered("好的", {"name": "affirm", "confidence": 0.99}))
    assert _predicted(policy, asked, domain) == RESOLVE_ACTION


def test_an_answer_in_passing_is_followed_by_the_form_not_by_listening(
    policy: TopicSwitchPolicy, domain: Domain
) -> None:
    answered = _in_form(
        domain,
        "list_orders",
        0.95,
        None,
        ActionExecutionRejected(FORM),
        ActionExecuted(ANSWER_ACTION),
    )
    assert _predicted(policy, answered, domain) == FORM  # asks its question again


@pytest.mark.parametrize(("intent", "confidence"), [("complain", 0.61), ("nlu_fallback", 0.45)])
def test_an_unsure_message_naming_an_order_is_a_question_about_it(
    policy: TopicSwitchPolicy, domain: Domain, intent: str, confidence: float
) -> None:
    order = [{"entity": "order_id", "value": "HP20240003"}]
    rejected = _in_form(domain, intent, confidence, order, ActionExecutionRejected(FORM))
    assert _predicted(policy, rejected, domain) == ANSWER_ACTION


def test_leaving_the_form_with_an_order_number_is_left_to_its_rule(
    policy: TopicSwitchPolicy, domain: Domain
) -> None:
    order = [{"entity": "order_id", "value": "HP20240003"}]
    rejected = _in_form(domain, "deny", 0.7, order, ActionExecutionRejected(FORM))
    assert _predicted(policy, rejected, domain) is None


def _after_status(domain: Domain, text: str, intent: str, *between: Event) -> DialogueStateTracker:
    events: list[Event] = [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("查下订单HP20240001的状态", {"name": "query_order", "confidence": 0.99}),
        ActionExecuted("action_order_status"),
        SlotSet("focus_order", "HP20240001"),
        *between,
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(text, {"name": intent, "confidence": 0.45}),
    ]
    return DialogueStateTracker.from_events("s1", events, domain.slots)


def test_an_unsure_delivery_question_right_after_an_order_means_that_order(
    policy: TopicSwitchPolicy, domain: Domain
) -> None:
    assert _predicted(policy, _after_status(domain, "明天能到吗", "nlu_fallback"), domain) == (
        "order_id_form"
    )
    # Not for other unsure messages, nor long after the order was shown.
    assert _predicted(policy, _after_status(domain, "嗯嗯那个", "nlu_fallback"), domain) is None
    later = [
        event
        for _ in range(5)
        for event in (ActionExecuted(ACTION_LISTEN_NAME), UserUttered("好", {"name": "affirm"}))
    ]
    stale = _after_status(domain, "明天能到吗", "nlu_fallback", *later)
    assert _predicted(policy, stale, domain) is None


def test_a_confident_out_of_scope_message_the_form_gave_up_is_declined_in_passing(
    policy: TopicSwitchPolicy, domain: Domain
) -> None:
    rejected = _in_form(domain, "out_of_scope", 0.99, None, ActionExecutionRejected(FORM))
    assert _predicted(policy, rejected, domain) == ANSWER_ACTION
    unsure = _in_form(domain, "out_of_scope", 0.5, None, ActionExecutionRejected(FORM))
    assert _predicted(policy, unsure, domain) is None


def test_what_if_it_arrives_broken_is_no_question_about_where_the_parcel_is(
    policy: TopicSwitchPolicy, domain: Domain
) -> None:
    broken = _after_status(domain, "那个签收了要是坏的怎么办", "nlu_fallback")
    assert _predicted(policy, broken, domain) is None
    change = _after_status(domain, "能改到周六吗", "nlu_fallback")
    assert _predicted(policy, change, domain) is None
    # after a complaint naming the order: the customer waits for a person, not the parcel
    reply = _after_status(domain, "多久给我答复", "nlu_fallback")
    assert _predicted(policy, reply, domain) is None


def test_a_request_its_words_decided_is_a_change_of_topic_though_diet_was_unsure(
    policy: TopicSwitchPolicy, domain: Domain
) -> None:
    # "那它明天能到吗" while the form asks: DIET said the delivery slot (0.99) and gave the
    # parcel 0.0; the words (zhike/nlu/frames.yml) said the parcel
    rejected = ActionExecutionRejected(FORM)
    framed = _in_form(
        domain,
        "query_logistics",
        0.0,
        None,
        rejected,
        text="那它明天能到吗",
        parsed={"frame": "query_logistics"},
    )
    assert _predicted(policy, framed, domain) == ANSWER_ACTION
    unsure = _in_form(domain, "query_logistics", 0.0, None, ActionExecutionRejected(FORM))
    assert _predicted(policy, unsure, domain) is None  # no frame: unsure stays unsure
