"""Small talk answers only when the selector is sure; a question needs a sure intent."""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.training_data.message import Message

from zhike.nlu.retrieval_floor import DEFAULT_FLOORS, RetrievalFloor


def _message(intent: str, confidence: float, selected: float) -> Message:
    data: dict[str, Any] = {
        "text": "基金最近能买吗",
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "response_selector": {
            "default": {"response": {"intent_response_key": f"{intent}/x", "confidence": selected}}
        },
    }
    return Message(data=data)


def test_an_unsure_answer_becomes_a_clarification_with_the_guess_kept_below() -> None:
    message = _message("chitchat", 0.97, 0.12)
    RetrievalFloor({"floors": DEFAULT_FLOORS}).process([message])
    assert message.data["intent"]["name"] == "nlu_fallback"
    assert [r["name"] for r in message.data["intent_ranking"]] == ["nlu_fallback", "chitchat"]


def test_a_sure_answer_and_other_intents_are_left_alone() -> None:
    sure = _message("faq", 0.99, 0.93)
    other = _message("query_order", 0.55, 0.0)
    unsure_intent = _message("faq", 0.4, 0.99)
    RetrievalFloor({"floors": DEFAULT_FLOORS}).process([sure, other, unsure_intent])
    assert sure.data["intent"]["name"] == "faq"
    assert other.data["intent"]["name"] == "query_order"
    assert unsure_intent.data["intent"]["name"] == "nlu_fallback"


def test_a_sure_question_reaches_the_knowledge_base_whatever_the_selector_says() -> None:
    question = _message("faq", 0.9, 0.01)
    RetrievalFloor({"floors": DEFAULT_FLOORS}).process([question])
    assert question.data["intent"]["name"] == "faq"
