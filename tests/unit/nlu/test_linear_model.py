"""The linear intent model: features like scikit-learn's, training, storage without pickle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from zhike.nlu.linear_model import LinearIntentModel, char_grams, features, train

EXAMPLES = [
    (["我", "的", "快递", "到", "哪", "了"], "query_logistics"),
    (["物流", "怎么", "不", "动", "了"], "query_logistics"),
    (["包裹", "什么", "时候", "到"], "query_logistics"),
    (["退款", "什么", "时候", "到账"], "query_refund"),
    (["钱", "怎么", "还", "没", "退", "回来"], "query_refund"),
    (["退款", "进度", "查", "一下"], "query_refund"),
    (["退货", "要", "运费", "吗"], "faq/return_shipping_fee"),
    (["几", "天", "可以", "退货"], "faq/return_policy"),
    (["七天", "无理由", "退货", "吗"], "faq/return_policy"),
]


def best(probabilities: dict[str, float]) -> str:
    return max(probabilities, key=probabilities.__getitem__)


def test_character_grams_are_those_of_scikit_learns_char_wb_analyzer() -> None:
    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)).build_analyzer()
    for words in (["订单"], ["我", "的", "快递", "到", "哪", "了"], ["HP20240001", "发票"]):
        assert sorted(char_grams([w.lower() for w in words])) == sorted(analyzer(" ".join(words)))


def test_features_are_lowercased_words_and_their_character_grams() -> None:
    names = features(["OK", " ", "好"])
    assert "w:ok" in names and "w:好" in names and "c:ok" in names
    assert "w: " not in names


def test_a_message_worded_differently_gets_the_intent_of_its_words() -> None:
    model = train(EXAMPLES)
    assert best(model.intent_probabilities(["退款", "到账", "了", "吗"])) == "query_refund"
    assert best(model.intent_probabilities(["快递", "到", "哪里", "了"])) == "query_logistics"
    # the answers of one retrieval intent add up to that intent
    questions = model.intent_probabilities(["退货", "运费", "谁", "出"])
    assert best(questions) == "faq"
    assert sum(questions.values()) == pytest.approx(1.0)
    assert set(model.probabilities(["退货"])) == {label for _, label in EXAMPLES}


def test_words_never_seen_give_no_error_and_a_spread_out_guess() -> None:
    model = train(EXAMPLES)
    guess = model.intent_probabilities(["蜗牛", "与", "黄鹂鸟"])
    assert max(guess.values()) < 0.9


def test_a_stored_model_gives_the_same_answers_and_is_not_pickled(tmp_path: Path) -> None:
    model = train(EXAMPLES)
    model.save(tmp_path)
    loaded = LinearIntentModel.load(tmp_path)
    words = ["钱", "什么", "时候", "退", "回来"]
    for label, probability in model.probabilities(words).items():
        assert loaded.probabilities(words)[label] == pytest.approx(probability, abs=1e-5)
    for stored in tmp_path.glob("*.npy"):
        np.load(stored, allow_pickle=False)  # raises if anything needed pickling


def test_two_intents_are_enough_and_one_is_refused() -> None:
    two = train([e for e in EXAMPLES if not e[1].startswith("faq")])
    assert best(two.probabilities(["退款", "到账"])) == "query_refund"
    assert best(two.probabilities(["快递", "到", "哪"])) == "query_logistics"
    with pytest.raises(ValueError, match="two intents"):
        train([(["你好"], "greet"), (["您好"], "greet")])
