"""Held-out scoring and the sections' skipping in `python -m bench.nlu`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.nlu.__main__ import Inputs, measure
from bench.nlu.heldout import Example, score_held_out
from bench.nlu.model import Prediction

HELD_OUT = """version: "3.1"
nlu:
  - intent: greet
    examples: |
      - 你好呀
  - intent: query_order
    examples: |
      - 查下订单[HP20240001](order_id)
"""


def test_accuracy_and_macro_f1_after_and_before_the_fallback():
    examples = [Example("1", "a"), Example("2", "a"), Example("3", "b"), Example("4", "b")]
    predictions = [
        Prediction("a"),
        Prediction("nlu_fallback", 0.4, "a"),
        Prediction("b"),
        Prediction("a"),
    ]
    score = score_held_out(examples, predictions)
    assert score.accuracy == 0.5 and score.accuracy_before_fallback == 0.75
    # before: a P=2/3 R=1 F1=0.8; b P=1 R=1/2 F1=2/3
    assert score.macro_f1_before_fallback == pytest.approx((0.8 + 2 / 3) / 2)
    assert score.fallback_rate == 0.25 and score.response_accuracy is None


def test_response_selection_counts_faq_and_chitchat_examples_only():
    examples = [Example("1", "faq", "faq/a"), Example("2", "faq", "faq/b"), Example("3", "c")]
    predictions = [
        Prediction("faq", 1, "faq", "faq/a"),
        Prediction("faq", 1, "faq", "faq/a"),
        Prediction("c"),
    ]
    assert score_held_out(examples, predictions).response_accuracy == 0.5


async def _parse(text: str) -> dict[str, Any]:
    name = "greet" if "你好" in text else "query_order"
    return {"intent": {"name": name, "confidence": 0.9}, "intent_ranking": []}


async def test_without_corpora_or_labels_those_sections_are_skipped(tmp_path: Path):
    held_out = tmp_path / "nlu"
    held_out.mkdir()
    (held_out / "basics.yml").write_text(HELD_OUT, encoding="utf-8")

    report = await measure(_parse, Inputs(tmp_path / "no-eval", tmp_path / "none.tsv", held_out))
    metrics = {(row.section, row.metric): row.value for row in report.rows}
    skipped = [section for section, metric in metrics if metric.startswith("skipped")]
    assert skipped == ["out of scope (CAIS)", "real customers (JDDC)"]
    assert metrics[("held-out set (tests/nlu)", "examples")] == "2"
    assert metrics[("held-out set (tests/nlu)", "intent accuracy (fallback counts wrong)")] == (
        "1.000"
    )
    assert not report.errors

    (tmp_path / "eval" / "jddc").mkdir(parents=True)
    (tmp_path / "eval" / "jddc" / "chat_dev.tsv").write_text("", encoding="utf-8")
    report = await measure(_parse, Inputs(tmp_path / "eval", tmp_path / "none.tsv", held_out))
    reasons = [row.metric for row in report.rows if row.metric.startswith("skipped")]
    assert any("no CAIS test file" in r for r in reasons)
    assert any("no labels at" in r for r in reasons)


async def test_each_half_of_the_blind_set_is_a_section_of_its_own(tmp_path: Path):
    held_out, blind = tmp_path / "nlu", tmp_path / "nlu_blind"
    for folder in (held_out, blind / "dev", blind / "test"):
        folder.mkdir(parents=True)
        (folder / "basics.yml").write_text(HELD_OUT, encoding="utf-8")

    report = await measure(
        _parse, Inputs(tmp_path / "no-eval", tmp_path / "none.tsv", held_out, blind)
    )
    sections = {row.section for row in report.rows if row.metric == "examples"}
    assert sections == {
        "held-out set (tests/nlu)",
        "blind set, dev half (tests/nlu_blind/dev)",
        "blind set, test half (tests/nlu_blind/test)",
    }
