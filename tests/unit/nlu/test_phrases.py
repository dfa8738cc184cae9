"""Tests for zhike.nlu.phrases: phrase lists and the named word lists of words.yml."""

from __future__ import annotations

import re

import pytest

from zhike.nlu.frame_words import Frames
from zhike.nlu.phrases import expand, named_words, phrase_pattern
from zhike.nlu.policy_questions import PolicyQuestions


def test_a_named_list_stands_for_its_words_and_a_quantifier_stays_a_quantifier() -> None:
    pattern = phrase_pattern([r"地址.{0,8}{money}"])
    assert pattern is not None
    assert pattern.search("改个地址要另外交钱吗")
    assert pattern.search("改地址有手续费不")
    assert not pattern.search("改地址" + "一" * 9 + "收费")  # more than 8 between


def test_a_phrase_naming_an_unknown_list_is_refused_with_the_name() -> None:
    with pytest.raises(re.error, match="price"):
        phrase_pattern(["{price}"])


def test_the_lists_are_given_as_alternations_a_phrase_can_use() -> None:
    assert "手续费" in named_words()["money"].split("|")
    assert expand("a{money}b", {"money": "x|y"}) == "a(?:x|y)b"


def test_every_money_word_asks_what_a_service_costs_wherever_the_list_is_used() -> None:
    frames, questions = Frames.load(), PolicyQuestions.load()
    for word in named_words()["money"].split("|"):
        assert questions.named_entry(f"改地址{word}吗") == "修改收货地址要收费吗？", word
        assert "intercept_parcel" not in frames.fitting(f"帮我把快递截住 {word}吗"), word
