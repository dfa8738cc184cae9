"""The NLU benchmark counts what the robot does with a question once the KB decided."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.nlu.knowledge import decided, seeded_knowledge
from bench.nlu.model import prediction_from
from zhike.lib.kb.live import LiveKnowledge


@pytest.fixture
async def knowledge(tmp_path: Path) -> AsyncIterator[LiveKnowledge]:
    live = seeded_knowledge(tmp_path)
    yield live
    await live.close()


def _parsed(text: str, intent: str) -> dict:
    return {"text": text, "intent": {"name": intent, "confidence": 0.6}, "intent_ranking": []}


async def test_an_answered_question_counts_as_its_topic(knowledge: LiveKnowledge) -> None:
    result = await decided(_parsed("退款几天能到账", "nlu_fallback"), knowledge)
    assert prediction_from(result).label == "faq/refund_time"


async def test_a_question_no_entry_answers_is_an_honest_fallback(knowledge: LiveKnowledge) -> None:
    result = await decided(_parsed("你们支持用数字人民币付尾款吗", "faq"), knowledge)
    assert prediction_from(result).intent == "nlu_fallback"


async def test_requests_are_left_to_their_flows(knowledge: LiveKnowledge) -> None:
    result = await decided(_parsed("退款几天能到账", "query_refund"), knowledge)
    assert prediction_from(result).intent == "query_refund"


async def test_an_unsure_request_asked_about_the_rules_counts_as_the_answer(
    knowledge: LiveKnowledge,
) -> None:
    # as the running gate decides (zhike.nlu.knowledge_gate, with its policy phrases):
    # "如果" asks about the return rules, it starts no return
    text = "请问如果要退货，是不是得先签收"
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.51},
        {"name": "request_refund", "confidence": 0.51},
        {"name": "faq", "confidence": 0.03},
    ]
    parsed = {"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking}
    result = await decided(parsed, knowledge)
    assert prediction_from(result).label == "faq/return_policy"
