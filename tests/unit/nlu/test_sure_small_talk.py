"""Small talk the answer selector is sure of, in its topic's words, is answered as small talk."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from zhike.nlu.sure_small_talk import SureSmallTalk


@pytest.fixture(scope="module")
def component(tmp_path_factory: pytest.TempPathFactory) -> SureSmallTalk:
    return SureSmallTalk.create(
        {},
        LocalModelStorage(tmp_path_factory.mktemp("sure")),
        Resource("sure_small_talk"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def parsed(
    component: SureSmallTalk,
    text: str,
    diet: list[tuple[str, float]],
    answer: tuple[str, float],
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    ranking = [{"name": name, "confidence": confidence} for name, confidence in diet]
    message = Message(
        data={
            "text": text,
            "intent": dict(ranking[0]),
            "intent_ranking": ranking,
            "entities": entities or [],
            "response_selector": {
                "default": {"response": {"intent_response_key": answer[0], "confidence": answer[1]}}
            },
        }
    )
    component.process([message])
    return message.data


@pytest.mark.parametrize(
    ("text", "diet", "answer"),
    [
        ("说个笑话给我听", "out_of_scope", "chitchat/tell_joke"),
        ("这人还挺幽默", "faq", "chitchat/tell_joke"),
        ("你真聪明啊", "goodbye", "chitchat/praise"),
    ],
)
def test_small_talk_diet_took_for_something_else_gets_its_answer(
    component: SureSmallTalk, text: str, diet: str, answer: str
) -> None:
    data = parsed(component, text, [(diet, 0.99), ("chitchat", 0.01)], (answer, 0.97))
    assert data["intent"] == {"name": "chitchat", "confidence": 0.97}
    assert [r["name"] for r in data["intent_ranking"]] == ["chitchat", diet]


def test_a_declined_message_whose_best_intent_is_a_question_is_small_talk_too(
    component: SureSmallTalk,
) -> None:
    diet = [("nlu_fallback", 0.5), ("faq", 0.5), ("chitchat", 0.3)]
    data = parsed(component, "讲个段子呗", diet, ("chitchat/tell_joke", 0.95))
    assert data["intent"]["name"] == "chitchat"
    assert [r["name"] for r in data["intent_ranking"]] == ["chitchat", "faq"]


@pytest.mark.parametrize(
    ("text", "diet", "answer", "confidence"),
    [
        # the selector unsure
        ("说个笑话给我听", "out_of_scope", "chitchat/tell_joke", 0.6),
        # the topic's words not said ("漂亮" is praise, "会唱歌吗" is not a joke)
        ("你会唱歌吗", "out_of_scope", "chitchat/tell_joke", 0.99),
        # a topic whose words are not listed: nothing to check the message against
        ("你能干什么", "faq", "chitchat/ask_capability", 0.99),
        # a song asked for, whatever its title says
        ("我要听可爱的麻雀", "out_of_scope", "chitchat/praise", 0.99),
        ("唱一首笑话", "out_of_scope", "chitchat/tell_joke", 0.99),
        # a topic said in words questions use too
        ("明天天气好不好", "out_of_scope", "chitchat/how_are_you", 0.99),
        ("客服周末休息吗", "faq", "chitchat/how_are_you", 0.99),
        # a request DIET read stays a request
        ("这个解答很到位 帮我查下物流", "query_logistics", "chitchat/praise", 0.99),
        # a business word: the customer means the shop
        ("快递送得真快 太棒了", "faq", "chitchat/praise", 0.99),
        # a question the selector answers from the FAQ
        ("说个笑话给我听", "faq", "faq/return_policy", 0.99),
    ],
)
def test_everything_else_is_left_alone(
    component: SureSmallTalk, text: str, diet: str, answer: str, confidence: float
) -> None:
    data = parsed(component, text, [(diet, 0.9)], (answer, confidence))
    assert data["intent"]["name"] == diet


def test_a_message_naming_an_order_is_left_alone(component: SureSmallTalk) -> None:
    order = [{"entity": "order_id", "value": "HP20240001", "start": 0, "end": 10}]
    data = parsed(component, "HP20240001 有趣", [("faq", 0.9)], ("chitchat/tell_joke", 0.99), order)
    assert data["intent"]["name"] == "faq"
