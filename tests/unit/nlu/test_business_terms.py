"""Small talk that mentions an order, a refund or a product is asked about, not joked about."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa.shared.nlu.training_data.message import Message

from zhike.nlu.business_terms import BusinessTerms
from zhike.nlu.intent_floor import DEFAULT_FLOORS, DEFAULT_OFF_TOPIC, IntentFloor

ROOT = Path(__file__).resolve().parents[3]


def _said(text: str, intent: str, confidence: float = 0.99) -> Message:
    data: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "response_selector": {
            "default": {"response": {"intent_response_key": f"{intent}/x", "confidence": 0.9}}
        },
    }
    return Message(data=data)


def test_a_product_question_taken_for_small_talk_is_asked_about() -> None:
    floor = IntentFloor({"floors": DEFAULT_FLOORS, "off_topic": DEFAULT_OFF_TOPIC})
    product = _said("新机有贴膜吗", "chitchat")  # DIET: the weather, 0.95
    screen = _said("您好 我想问一下 京东超市 怎么入驻啊", "greet")
    mood = _said("你今天心情好吗", "chitchat")
    hello = _said("你好呀", "greet")
    refund = _said("我要退款", "request_refund")
    floor.process([product, screen, mood, hello, refund])
    assert product.data["intent"]["name"] == "nlu_fallback"
    assert screen.data["intent"]["name"] == "nlu_fallback"
    assert mood.data["intent"]["name"] == "chitchat"
    assert hello.data["intent"]["name"] == "greet"
    assert refund.data["intent"]["name"] == "request_refund"


def test_without_the_setting_small_talk_is_left_alone() -> None:
    floor = IntentFloor({"floors": DEFAULT_FLOORS, "off_topic": []})
    product = _said("新机有贴膜吗", "chitchat")
    floor.process([product])
    assert product.data["intent"]["name"] == "chitchat"


def test_no_small_talk_greeting_or_bot_question_of_the_training_data_says_a_business_word() -> None:
    terms = BusinessTerms.load()
    clashes = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            intent = str(item.get("intent") or "")
            if intent.split("/")[0] not in DEFAULT_OFF_TOPIC:
                continue
            for line in str(item.get("examples") or "").splitlines():
                example = line.strip().removeprefix("- ")
                if terms.mentioned(example):
                    clashes.append(f"{intent}: {example} ({terms.mentioned(example)})")
    assert not clashes, "these examples would be asked about instead of answered: " + "; ".join(
        clashes
    )


def test_words_are_found_inside_chinese_text_and_nothing_in_empty_text() -> None:
    terms = BusinessTerms(["发票", "订单", " "])
    assert terms.mentioned("我那个订单的发票呢") in {"发票", "订单"}
    assert terms.mentioned("") is None
    assert terms.mentioned("今天天气真好") is None
