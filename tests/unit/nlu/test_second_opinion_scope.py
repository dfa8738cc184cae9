"""Where the second opinion is the one sure of another domain, the message is out of scope."""

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

from .test_second_opinion import parsed

CONTEXT = ExecutionContext(GraphSchema({}), "test")
TRAINING = {
    "list_orders": ["看看我的订单", "我最近买了啥", "订单列表", "我下过哪些单"],
    "query_logistics": ["我的快递到哪了", "物流怎么一直不动", "包裹什么时候能送到"],
    "out_of_scope": [
        "明天会下雨吗",
        "今天天气怎么样",
        "最近有什么好看的电影",
        "推荐一部电视剧",
        "放首歌听听",
        "最近有什么新闻",
        "今天股票涨了吗",
        "周末天气好吗",
    ],
}


def second_opinion(
    tmp_path: Path, tokenizer: ZhikeTokenizer, *more: tuple[str, str], **config: object
) -> SecondOpinion:
    examples = [(text, intent) for intent, texts in TRAINING.items() for text in texts]
    data = TrainingData(
        [Message(data={"text": text, "intent": intent}) for text, intent in [*examples, *more]]
    )
    tokenizer.process_training_data(data)
    storage, resource = LocalModelStorage(tmp_path), Resource("second_opinion")
    SecondOpinion.create(config, storage, resource, CONTEXT).train(data)
    return SecondOpinion.load(config, storage, resource, CONTEXT)


@pytest.mark.parametrize("diet", [0.92, 0.4])  # DIET sure, or declined by the floors
def test_weather_diet_took_for_the_order_list_is_out_of_scope(
    tmp_path: Path, tokenizer: ZhikeTokenizer, diet: float
) -> None:
    component = second_opinion(tmp_path, tokenizer, out_of_scope=0.45)
    top = [("list_orders", diet)]
    if diet < 0.45:
        top.insert(0, ("nlu_fallback", diet))
    data = parsed(component, tokenizer, "后天天气怎么样", [*top, ("query_logistics", 0.05)])
    assert data["second_opinion"]["name"] == "out_of_scope"
    assert data["intent"]["name"] == "out_of_scope"
    assert data["intent"]["confidence"] == data["second_opinion"]["confidence"] >= 0.45
    assert [r["name"] for r in data["intent_ranking"]] == [
        "out_of_scope",
        "list_orders",
        "query_logistics",
    ]


def test_a_message_saying_little_of_its_own_is_read_in_context(
    tmp_path: Path, tokenizer: ZhikeTokenizer
) -> None:
    more = ("那怎么办呢", "out_of_scope")
    component = second_opinion(tmp_path, tokenizer, more, out_of_scope=0.45)
    data = parsed(component, tokenizer, "那怎么办呢", [("list_orders", 0.48)])
    assert data["second_opinion"]["name"] == "out_of_scope"
    assert data["intent"]["name"] == "nlu_fallback"


@pytest.mark.parametrize("text", ["后天天气怎么样 快递能送吗", "后天天气怎么样 HP20240001"])
def test_a_message_naming_business_is_asked_about_not_turned_away(
    tmp_path: Path, tokenizer: ZhikeTokenizer, text: str
) -> None:
    component = second_opinion(tmp_path, tokenizer, out_of_scope=0.45)
    message = Message(data={"text": text})
    tokenizer.process([message])
    if "HP" in text:
        message.set("entities", [{"entity": "order_id", "value": "HP20240001"}])
    message.set("intent", {"name": "list_orders", "confidence": 0.9})
    message.set("intent_ranking", [{"name": "list_orders", "confidence": 0.9}])
    opinion = component.model.intent_probabilities(
        [str(t.text) for t in message.get("text_tokens")]
    )
    assert max(opinion, key=opinion.__getitem__) == "out_of_scope"  # the rule is what differs
    component.process([message])
    assert message.get("intent")["name"] == "nlu_fallback"


def test_off_by_default_the_disagreement_is_asked_about(
    tmp_path: Path, tokenizer: ZhikeTokenizer
) -> None:
    component = second_opinion(tmp_path, tokenizer)
    data = parsed(component, tokenizer, "后天天气怎么样", [("list_orders", 0.92)])
    assert data["second_opinion"]["name"] == "out_of_scope"
    assert data["intent"]["name"] == "nlu_fallback"


def test_below_its_probability_the_disagreement_is_asked_about(
    tmp_path: Path, tokenizer: ZhikeTokenizer
) -> None:
    component = second_opinion(tmp_path, tokenizer, out_of_scope=0.99)
    data = parsed(component, tokenizer, "后天天气怎么样", [("list_orders", 0.92)])
    assert data["intent"]["name"] == "nlu_fallback"
