from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from zhike.nlu.pattern_entities import PatternEntityExtractor, fold_width

REGEXES = [
    {"name": "order_id", "pattern": r"(?<![A-Za-z0-9])HP\d{8}(?!\d)"},
    {"name": "phone", "pattern": r"(?<!\d)1[3-9]\d{9}(?!\d)"},
    {"name": "not_wanted", "pattern": r"\d+"},
]


def _trained(
    tmp_path: Path, entities: list[str], regexes: list[dict[str, str]]
) -> PatternEntityExtractor:
    component = PatternEntityExtractor.create(
        {**PatternEntityExtractor.get_default_config(), "entities": entities},
        LocalModelStorage(tmp_path),
        Resource("pattern_entities"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    # No example annotates an entity: the regexes alone must be enough.
    data = TrainingData(
        training_examples=[Message(data={"text": "查订单", "intent": "query_order"})],
        regex_features=regexes,
    )
    component.train(data)
    return component


@pytest.fixture
def extractor(tmp_path: Path) -> PatternEntityExtractor:
    return _trained(tmp_path, ["order_id", "phone"], REGEXES)


def _entities(extractor: PatternEntityExtractor, text: str) -> list[tuple[str, str]]:
    message = Message(data={"text": text})
    extractor.process([message])
    return [(e["entity"], e["value"]) for e in message.get("entities", [])]


def test_regexes_extract_without_annotated_examples(extractor: PatternEntityExtractor) -> None:
    found = _entities(extractor, "帮我查一下订单hp20240001，手机13800138001")
    assert ("order_id", "hp20240001") in found
    assert ("phone", "13800138001") in found


def test_only_configured_entities_are_extracted(extractor: PatternEntityExtractor) -> None:
    assert all(name != "not_wanted" for name, _ in _entities(extractor, "HP20240001 123"))


def test_full_width_input_matches_and_offsets_point_into_the_original(
    extractor: PatternEntityExtractor,
) -> None:
    text = "订单ＨＰ２０２４０００５"
    message = Message(data={"text": text})
    extractor.process([message])
    [entity] = message.get("entities")
    assert entity["value"] == "HP20240005"
    assert text[entity["start"] : entity["end"]] == "ＨＰ２０２４０００５"


def test_longer_digit_runs_are_not_order_numbers(extractor: PatternEntityExtractor) -> None:
    assert _entities(extractor, "HP202400011") == []


def test_fold_width_keeps_length() -> None:
    text = "ＨＰ１２　ab中文"
    assert len(fold_width(text)) == len(text)
    assert fold_width(text) == "HP12 ab中文"


def test_nothing_is_found_in_the_fields_of_a_pasted_order_card(tmp_path: Path) -> None:
    date = {"name": "date", "pattern": r"\d{4}-\d{1,2}-\d{1,2}"}
    component = _trained(tmp_path, ["order_id", "date"], [REGEXES[0], date])
    card = "订单编号：HP20240001\n订单金额：¥5999.00\n下单时间：2024-11-20 10:31:05"
    # the order time is no date the customer asks about: only the order number is found
    assert _entities(component, card) == [("order_id", "HP20240001")]
    assert ("date", "2024-12-08") in _entities(component, "HP20240001 改到2024-12-08送")
