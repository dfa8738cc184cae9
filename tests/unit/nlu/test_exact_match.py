"""A message that is exactly a training example gets that example's intent."""

from __future__ import annotations

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from zhike.nlu.exact_match import ExactMatchClassifier, match_key


def _example(text: str, intent: str, **data: object) -> Message:
    return Message(data={"text": text, "intent": intent, **data})


TRAINING = TrainingData(
    [
        _example("你好", "greet"),
        _example("转人工", "human_handoff"),
        _example("好的", "affirm"),
        _example("好的", "thank"),  # under two intents: left to the model
        _example("你好吗", "chitchat", intent_response_key="chitchat/how_are_you"),
        _example("查下HP20240001", "query_order", entities=[{"entity": "order_id"}]),
    ]
)


def _trained(tmp_path: Path) -> ExactMatchClassifier:
    storage, resource = LocalModelStorage(tmp_path), Resource("exact")
    context = ExecutionContext(GraphSchema({}), "test")
    ExactMatchClassifier.create({}, storage, resource, context).train(TRAINING)
    return ExactMatchClassifier.load({}, storage, resource, context)


def _parsed(classifier: ExactMatchClassifier, text: str, guess: str) -> dict:
    message = Message(data={"text": text})
    message.set("intent", {"name": guess, "confidence": 0.94})
    message.set("intent_ranking", [{"name": guess, "confidence": 0.94}])
    classifier.process([message])
    return message.data


def test_an_example_typed_again_gets_its_intent_whatever_the_model_guessed(
    tmp_path: Path,
) -> None:
    classifier = _trained(tmp_path)
    for typed in ("你好", "你好！", " 你 好 ", "ni好".replace("ni", "你")):
        data = _parsed(classifier, typed, "chitchat")
        assert data["intent"] == {"name": "greet", "confidence": 1.0}
        assert data["intent_ranking"][0]["name"] == "greet"
        assert data["intent_ranking"][1]["name"] == "chitchat"


def test_ambiguous_retrieval_entity_and_unknown_texts_are_left_to_the_model(
    tmp_path: Path,
) -> None:
    classifier = _trained(tmp_path)
    for text in ("好的", "你好吗", "查下HP20240001", "你好呀"):
        assert _parsed(classifier, text, "inform")["intent"]["name"] == "inform"


def test_comparison_ignores_width_case_and_symbols() -> None:
    assert match_key("ＯＫ！👌 ") == match_key("ok")
