"""The second request of a message is offered once the first is answered, once."""

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
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from zhike.common.topic_names import ALSO_ACTION
from zhike.dialogue.also_asked_policy import AlsoAskedPolicy

ROOT = Path(__file__).resolve().parents[3]
TEXT = "帮我查下HP20240001到哪了 另外HP20240002的发票开了没"
ALSO = {"intent": "query_logistics", "text": "帮我查下HP20240001到哪了"}


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def policy(tmp_path: Path) -> AlsoAskedPolicy:
    return AlsoAskedPolicy.create(
        AlsoAskedPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("also_asked_policy"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def _asked(also: dict | None = ALSO) -> UserUttered:
    intent = {"name": "query_invoice", "confidence": 0.97}
    parse = {"text": TEXT, "intent": intent, "intent_ranking": [intent]}
    if also:
        parse["also"] = also
    return UserUttered(TEXT, intent, [], parse)


def _next(policy: AlsoAskedPolicy, domain: Domain, *events: Event) -> str | None:
    tracker = DialogueStateTracker.from_events("c1", [ActionExecuted(ACTION_LISTEN_NAME), *events])
    prediction = policy.predict_action_probabilities(tracker, domain)
    if max(prediction.probabilities) < 1.0:
        return None
    return domain.action_names_or_texts[prediction.probabilities.index(1.0)]


def test_the_second_request_is_offered_once_the_first_is_answered_then_it_listens(
    policy: AlsoAskedPolicy, domain: Domain
) -> None:
    assert _next(policy, domain, _asked()) is None  # the first request first
    answered = [_asked(), ActionExecuted("invoice_status_form"), ActiveLoop(None)]
    assert _next(policy, domain, *answered) is None  # the form's rule submits it
    answered.append(ActionExecuted("action_invoice_status"))
    assert _next(policy, domain, *answered) == ALSO_ACTION
    assert _next(policy, domain, *answered, ActionExecuted(ALSO_ACTION)) == ACTION_LISTEN_NAME


def test_no_offer_without_a_second_request_while_a_form_asks_or_after_a_fallback(
    policy: AlsoAskedPolicy, domain: Domain
) -> None:
    assert _next(policy, domain, _asked(None), ActionExecuted("action_invoice_status")) is None
    asking = [_asked(), ActionExecuted("invoice_status_form"), ActiveLoop("invoice_status_form")]
    assert _next(policy, domain, *asking) is None
    unsure = [_asked(), ActionExecuted("action_default_ask_affirmation")]
    assert _next(policy, domain, *unsure) is None
    greeted = [_asked(), ActionExecuted("utter_greet")]
    assert _next(policy, domain, *greeted) is None  # a rule may go on after an utter_


def test_after_a_form_started_by_the_message_the_offer_follows_its_last_step(
    policy: AlsoAskedPolicy, domain: Domain
) -> None:
    # "我要改地址 顺便问下啥时候能到": the address form asks first, the offer comes after it
    answer = UserUttered("北京市朝阳区建国路88号", {"name": "inform", "confidence": 0.9})
    task = [
        _asked(),
        ActionExecuted("address_form"),
        ActiveLoop("address_form"),
        ActionExecuted(ACTION_LISTEN_NAME),
        answer,
        ActionExecuted("address_form"),
        ActiveLoop(None),
    ]
    assert _next(policy, domain, *task) is None  # the form's rule submits it
    assert _next(policy, domain, *task, ActionExecuted("action_modify_address")) == ALSO_ACTION
    # a message answered by something else than the form in between: another task
    other = [_asked(), ActionExecuted("action_invoice_status"), ActionExecuted(ALSO_ACTION)]
    assert (
        _next(
            policy,
            domain,
            *other,
            ActionExecuted(ACTION_LISTEN_NAME),
            answer,
            ActionExecuted("action_order_status"),
        )
        is None
    )


def test_a_question_answered_in_passing_keeps_the_second_request(
    policy: AlsoAskedPolicy, domain: Domain
) -> None:
    # "帮我改个收货地址 另外我那个快递到哪了"; while the address is asked, "运费谁出"
    question = UserUttered("改地址要加运费吗", {"name": "faq", "confidence": 0.95})
    answer = UserUttered("北京市朝阳区建国路88号", {"name": "inform", "confidence": 0.9})
    task = [
        _asked(),
        ActionExecuted("address_form"),
        ActiveLoop("address_form"),
        ActionExecuted(ACTION_LISTEN_NAME),
        question,
        ActionExecuted("action_answer_knowledge"),
        ActionExecuted("address_form"),  # the form asks again
        ActionExecuted(ACTION_LISTEN_NAME),
        answer,
        ActionExecuted("address_form"),
        ActiveLoop(None),
        ActionExecuted("action_modify_address"),
    ]
    assert _next(policy, domain, *task) == ALSO_ACTION
    # the question ended the form (no form after its answer): another task
    ended = [*task[:6], ActiveLoop(None), ActionExecuted(ACTION_LISTEN_NAME)]
    hello = UserUttered("好的", {"name": "affirm", "confidence": 0.9})
    assert _next(policy, domain, *ended, hello, ActionExecuted("action_order_status")) is None


def test_the_request_a_pick_left_is_offered_once_the_picked_one_is_done(
    policy: AlsoAskedPolicy, domain: Domain
) -> None:
    # "空调啥时候到 还有能不能开个发票", "您是想咨询…", 「申请开发票」 typed as "第二个"
    said = "空调啥时候到 还有能不能开个发票"
    unsure = {"name": "nlu_fallback", "confidence": 0.52}
    clauses = [{"intent": "query_logistics", "text": "空调啥时候到"}]
    parse = {"text": said, "intent": unsure, "intent_ranking": [unsure], "clause_requests": clauses}
    invoice = {"name": "request_invoice", "confidence": 1.0}
    asked = [
        UserUttered(said, unsure, [], parse),
        ActionExecuted("action_two_stage_fallback"),
        ActiveLoop("action_two_stage_fallback"),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("第二个", invoice),
        ActionExecuted("action_two_stage_fallback"),
        ActiveLoop(None),
        UserUtteranceReverted(),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("第二个", invoice),  # the fallback's copy: the message now stands for
        ActionExecuted("invoice_form"),
        ActiveLoop("invoice_form"),
    ]
    assert _next(policy, domain, *asked) is None  # the form asks its questions first
    done = [*asked, ActiveLoop(None), ActionExecuted("action_request_invoice")]
    assert _next(policy, domain, *done) == ALSO_ACTION
    # the parcel itself picked: nothing else was asked for
    parcel = {"name": "query_logistics", "confidence": 1.0}
    itself = [
        UserUttered("查询物流进度", parcel)
        if isinstance(e, UserUttered) and e.text == "第二个"
        else e
        for e in asked[:10]
    ]
    assert _next(policy, domain, *itself, ActionExecuted("action_order_status")) is None
