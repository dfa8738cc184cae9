"""A doubted follow-up on the request just made is taken as that request."""

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
    ActiveLoop,
    Event,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.common.topic_names import KEEP_TOPIC_ACTION
from zhike.dialogue.follow_up_policy import FollowUpPolicy, kept_topic

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def policy(tmp_path: Path) -> FollowUpPolicy:
    return FollowUpPolicy.create(
        FollowUpPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("follow_up_policy"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def doubted(text: str, overruled: str | None, other: str = "faq") -> UserUttered:
    """A message the second opinion turned into nlu_fallback (overruling ``overruled``)."""
    opinion = {"name": other, "confidence": 0.4}
    if overruled:
        opinion["overruled"] = overruled
    parse = {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": 0.94},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.94},
            {"name": overruled or "ask_product", "confidence": 0.94},
            {"name": other, "confidence": 0.01},
        ],
        "second_opinion": opinion,
    }
    return UserUttered(text, parse["intent"], [], parse)


def said(text: str, intent: str) -> list[Event]:
    return [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(text, {"name": intent, "confidence": 0.97}),
        ActionExecuted("action_answer_product"),
    ]


def tracker(domain: Domain, *events: Event) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("c1", list(events), domain.slots)


def test_a_product_question_after_a_product_question_stays_one(
    policy: FollowUpPolicy, domain: Domain
) -> None:
    story = tracker(
        domain,
        *said("钢化膜适合note13pro吗", "ask_product"),
        ActionExecuted(ACTION_LISTEN_NAME),
        doubted("那iphone15能贴吗", "ask_product"),
    )
    assert kept_topic(story) == "ask_product"
    prediction = policy.predict_action_probabilities(story, domain)
    assert prediction.max_confidence == 1.0
    assert domain.action_names_or_texts[prediction.max_confidence_index] == KEEP_TOPIC_ACTION
    assert prediction.is_no_user_prediction


@pytest.mark.parametrize(
    "events",
    [
        # the previous message asked about something else: asking is right
        [*said("退款什么时候到账", "query_refund"), ActionExecuted(ACTION_LISTEN_NAME)],
        # no previous message in this session
        [SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)],
        # the same request, but in the session before
        [
            *said("钢化膜适合note13pro吗", "ask_product"),
            SessionStarted(),
            ActionExecuted(ACTION_LISTEN_NAME),
        ],
    ],
)
def test_without_that_request_just_before_the_customer_is_asked(
    policy: FollowUpPolicy, domain: Domain, events: list[Event]
) -> None:
    story = tracker(domain, *events, doubted("那iphone15能贴吗", "ask_product"))
    assert kept_topic(story) is None
    assert policy.predict_action_probabilities(story, domain).max_confidence == 0.0


def test_a_message_declined_on_its_own_or_inside_a_form_or_small_talk_is_left_alone(
    domain: Domain,
) -> None:
    before = said("钢化膜适合note13pro吗", "ask_product")
    listen = ActionExecuted(ACTION_LISTEN_NAME)
    # declined by the confidence floors, not overruled by the second opinion
    assert kept_topic(tracker(domain, *before, listen, doubted("那个呢", None))) is None
    # a form reads its own answers
    in_form = [*before, ActiveLoop("order_id_form"), listen, doubted("那个呢", "ask_product")]
    assert kept_topic(tracker(domain, *in_form)) is None
    # only requests: small talk is never "continued"
    chat = [*said("你好", "greet"), listen, doubted("你好呀", "greet")]
    assert kept_topic(tracker(domain, *chat)) is None


@pytest.mark.parametrize(
    ("before", "text", "becomes"),
    [
        (("我最近有什么课", "query_course"), "老师是谁啊", "query_course"),
        (("孩子这周有啥课", "query_course"), "英语那节几点开始呀", "query_course"),
        (("我约的安装什么时候来", "query_visit"), "明天下午可以吗", "change_visit"),
        (("师傅哪天上门", "query_visit"), "能不能改到周六上午", "change_visit"),
    ],
)
def test_a_declined_detail_of_the_answer_just_given_continues_it(
    domain: Domain, before: tuple[str, str], text: str, becomes: str
) -> None:
    story = tracker(domain, *said(*before), ActionExecuted(ACTION_LISTEN_NAME), doubted(text, None))
    assert kept_topic(story) == becomes


@pytest.mark.parametrize(
    ("before", "text"),
    [
        # the same words after another answer: nothing to continue
        (("退款什么时候到账", "query_refund"), "老师是谁啊"),
        # another request on the lessons: the customer is asked
        (("我最近有什么课", "query_course"), "明天那节课帮我请个假"),
        # not a new time but a cancellation
        (("我约的安装什么时候来", "query_visit"), "明天不用来了"),
    ],
)
def test_other_messages_after_the_answer_are_not_taken_as_its_details(
    domain: Domain, before: tuple[str, str], text: str
) -> None:
    story = tracker(domain, *said(*before), ActionExecuted(ACTION_LISTEN_NAME), doubted(text, None))
    assert kept_topic(story) is None


def test_a_question_the_knowledge_base_cannot_answer_may_be_a_detail_too(domain: Domain) -> None:
    before = said("我最近有什么课", "query_course")
    parse = {"text": "老师是谁啊", "intent": {"name": "faq", "confidence": 0.99}}
    unanswered = UserUttered("老师是谁啊", parse["intent"], [], {**parse, "unanswered": True})
    answered = UserUttered("老师是谁啊", parse["intent"], [], parse)
    listen = ActionExecuted(ACTION_LISTEN_NAME)
    assert kept_topic(tracker(domain, *before, listen, unanswered)) == "query_course"
    assert kept_topic(tracker(domain, *before, listen, answered)) is None  # its entry answers
