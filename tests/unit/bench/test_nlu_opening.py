"""The NLU benchmark counts what an opening ``inform`` makes the robot do."""

from __future__ import annotations

from bench.nlu.opening import opening


def _parsed(intent: str, *entities: str) -> dict:
    return {
        "text": "…",
        "intent": {"name": intent, "confidence": 0.8},
        "entities": [{"entity": e, "value": "x"} for e in entities],
    }


def test_an_order_number_starts_an_order_lookup() -> None:
    assert opening(_parsed("inform", "date", "order_id"))["intent"]["name"] == "query_order"


def test_a_ticket_number_asks_for_the_ticket() -> None:
    assert opening(_parsed("inform", "ticket_id"))["intent"]["name"] == "query_ticket"


def test_a_value_with_no_question_gets_the_core_fallback() -> None:
    assert opening(_parsed("inform", "phone"))["intent"]["name"] == "nlu_fallback"
    assert opening(_parsed("inform"))["intent"]["name"] == "nlu_fallback"


def test_other_intents_are_left_alone() -> None:
    parsed = _parsed("query_logistics", "order_id")
    assert opening(parsed) is parsed
