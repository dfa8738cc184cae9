"""The NLU's order-number regex agrees with the one definition in zhike.common.ids."""

from __future__ import annotations

import re

from rasa.shared.nlu.training_data.training_data import TrainingData

from actions.parsing import parse_order_id
from zhike.common.ids import normalize_order_id
from zhike.nlu.tokenizer import lemma_of

# What customers type, right and wrong: every candidate is judged by all parts alike.
CANDIDATES = (
    "HP20240001",
    "hp20240003",
    "Hp12345678",
    "HP2024000",  # 7 digits
    "HP202400011",  # 9 digits
    "HQ20240001",
    "XHP20240001",
    "HP 20240001",
    "20240001",
)


def order_id_regex(training_data: TrainingData) -> str:
    [pattern] = [p["pattern"] for p in training_data.regex_features if p["name"] == "order_id"]
    return pattern


def test_the_nlu_regex_accepts_exactly_the_order_numbers_the_backend_accepts(
    training_data: TrainingData,
) -> None:
    nlu = re.compile(order_id_regex(training_data), re.IGNORECASE)  # the extractor ignores case
    for text in CANDIDATES:
        assert bool(nlu.fullmatch(text)) == (normalize_order_id(text) is not None), text


def test_the_nlu_regex_finds_a_number_inside_a_sentence_like_the_actions_do(
    training_data: TrainingData,
) -> None:
    nlu = re.compile(order_id_regex(training_data), re.IGNORECASE)
    for text in ("订单hp20240001到哪了", "我的单号是HP20240003，帮我退了", "HP2024000"):
        found = nlu.search(text)
        assert (found.group(0).upper() if found else None) == parse_order_id(text), text


def test_the_tokenizer_hides_exactly_the_order_numbers() -> None:
    for text in CANDIDATES:
        hidden = lemma_of(text) == "__order_id__"
        assert hidden == (normalize_order_id(text) is not None), text
