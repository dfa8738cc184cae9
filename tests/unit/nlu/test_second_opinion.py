"""DIET's intent stands only where a linear model of the same examples agrees."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from zhike.nlu.second_opinion import SecondOpinion
from zhike.nlu.tokenizer import ZhikeTokenizer

CONTEXT = ExecutionContext(GraphSchema({}), "test")
TRAINING = {
    "query_logistics": ["我的快递到哪了", "物流怎么一直不动", "包裹什么时候能送到", "查下物流"],
    "query_refund": ["退款什么时候到账", "钱怎么还没退回来", "帮我看看退款进度", "退款到哪了"],
    "human_handoff": ["转人工", "我要找人工客服", "叫个真人来"],
}


@pytest.fixture
def second_opinion(tmp_path: Path, tokenizer: ZhikeTokenizer) -> SecondOpinion:
    data = TrainingData(
        [
            Message(data={"text": text, "intent": intent})
            for intent, texts in TRAINING.items()
            for text in texts
        ]
    )
    tokenizer.process_training_data(data)
    storage, resource = LocalModelStorage(tmp_path), Resource("second_opinion")
    SecondOpinion.create({}, storage, resource, CONTEXT).train(data)
    return SecondOpinion.load({}, storage, resource, CONTEXT)


def parsed(
    component: SecondOpinion, tokenizer: ZhikeTokenizer, text: str, diet: list[tuple[str, float]]
) -> dict:
    message = Message(data={"text": text})
    tokenizer.process([message])
    ranking = [{"name": name, "confidence": confidence} for name, confidence in diet]
    message.set("intent", dict(ranking[0]))
    message.set("intent_ranking", ranking)
    component.process([message])
    return message.data


def test_diet_sure_of_logistics_for_a_refund_question_is_asked_about_with_both_as_options(
    second_opinion: SecondOpinion, tokenizer: ZhikeTokenizer
) -> None:
    data = parsed(
        second_opinion,
        tokenizer,
        "我的退款到账了没有啊",
        [("query_logistics", 0.93), ("human_handoff", 0.05), ("query_refund", 0.02)],
    )
    assert data["intent"] == {"name": "nlu_fallback", "confidence": 0.93}
    assert data["second_opinion"]["name"] == "query_refund"
    assert data["second_opinion"]["overruled"] == "query_logistics"
    assert [r["name"] for r in data["intent_ranking"]] == [
        "nlu_fallback",
        "query_logistics",
        "query_refund",
        "human_handoff",
    ]


def test_where_both_models_agree_the_intent_stands(
    second_opinion: SecondOpinion, tokenizer: ZhikeTokenizer
) -> None:
    data = parsed(
        second_opinion,
        tokenizer,
        "快递到哪儿了呀",
        [("query_logistics", 0.91), ("query_refund", 0.09)],
    )
    assert data["intent"] == {"name": "query_logistics", "confidence": 0.91}
    assert data["intent_ranking"][0]["name"] == "query_logistics"
    assert data["second_opinion"]["name"] == "query_logistics"
    assert 0.5 < data["second_opinion"]["confidence"] <= 1


@pytest.mark.parametrize("intent", ["human_handoff", "nlu_fallback", "out_of_scope"])
def test_a_request_for_a_person_and_a_declined_message_are_never_second_guessed(
    second_opinion: SecondOpinion, tokenizer: ZhikeTokenizer, intent: str
) -> None:
    data = parsed(second_opinion, tokenizer, "退款什么时候到账", [(intent, 0.6)])
    assert data["intent"]["name"] == intent


@pytest.mark.parametrize("text", ["好的明白了", "懂了", "知道了"])
def test_an_acknowledgement_made_affirm_by_rule_is_not_second_guessed(
    second_opinion: SecondOpinion, tokenizer: ZhikeTokenizer, text: str
) -> None:
    # the linear model never learnt affirm; the intent floor's rule decided it
    data = parsed(second_opinion, tokenizer, text, [("affirm", 0.45), ("query_refund", 0.3)])
    assert data["intent"] == {"name": "affirm", "confidence": 0.45}


def test_a_yes_to_something_else_is_still_second_guessed(
    second_opinion: SecondOpinion, tokenizer: ZhikeTokenizer
) -> None:
    data = parsed(second_opinion, tokenizer, "退款到账了吗", [("affirm", 0.6)])
    assert data["intent"]["name"] == "nlu_fallback"


def test_an_intent_the_second_model_never_learnt_is_asked_about(
    second_opinion: SecondOpinion, tokenizer: ZhikeTokenizer
) -> None:
    data = parsed(second_opinion, tokenizer, "退款到账了吗", [("greet", 0.6)])
    assert data["intent"] == {"name": "nlu_fallback", "confidence": 0.6}
    # the likelier of the two by both models' average comes first
    assert [r["name"] for r in data["intent_ranking"]] == ["nlu_fallback", "query_refund", "greet"]
    assert data["intent_ranking"][1]["confidence"] == 0.0  # DIET's own, not made up


def test_a_message_asked_about_anyway_offers_the_likelier_option_first(
    second_opinion: SecondOpinion, tokenizer: ZhikeTokenizer
) -> None:
    data = parsed(
        second_opinion,
        tokenizer,
        "钱退回来没有",
        [("nlu_fallback", 0.38), ("query_logistics", 0.38), ("query_refund", 0.33)],
    )
    assert data["intent"] == {"name": "nlu_fallback", "confidence": 0.38}
    assert "overruled" not in data["second_opinion"]  # declined before, not overruled
    assert [r["name"] for r in data["intent_ranking"]] == [
        "nlu_fallback",
        "query_refund",
        "query_logistics",
    ]


def test_without_a_stored_model_every_intent_is_left_alone(
    tmp_path: Path, tokenizer: ZhikeTokenizer
) -> None:
    empty = SecondOpinion.load({}, LocalModelStorage(tmp_path), Resource("none"), CONTEXT)
    data = parsed(empty, tokenizer, "我的退款到账了没有啊", [("query_logistics", 0.93)])
    assert data["intent"]["name"] == "query_logistics"
