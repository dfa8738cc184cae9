"""The knowledge-base benchmark: arithmetic, its inputs, the table and the skip."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.kb.__main__ import main, measure
from bench.kb.corpora import read_pairs, read_queries
from bench.kb.measure import accuracy, auc, calibrate, threshold_for_rate
from bench.kb.table import SCORERS, Row, render
from bench.kb.topics import faq_topics


def test_auc_and_accuracy_of_known_scores():
    assert auc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]) == 1.0
    assert auc([0.5, 0.5], [1, 0]) == 0.5
    assert auc([0.5], [1]) is None
    assert accuracy([0.9, 0.4, 0.6], [1, 0, 0], 0.5) == pytest.approx(2 / 3)


def test_thresholds_let_the_chosen_share_of_negatives_through():
    negatives = [i / 100 for i in range(100)]  # 0.00 .. 0.99
    answer = threshold_for_rate(negatives, 0.10)
    assert sum(n >= answer for n in negatives) <= 10
    limits = calibrate(negatives)
    assert limits.suggest <= limits.answer


def test_every_query_names_a_zhike_topic_and_there_are_enough():
    topics = faq_topics()
    queries = read_queries()
    assert len(queries) >= 200
    assert {key for _, key in queries} <= set(topics)
    examples = {text for texts in topics.values() for text in texts}
    assert not [text for text, _ in queries if text in examples]  # never a training example


def test_pairs_tolerate_a_bom_and_refuse_other_files(tmp_path: Path):
    good = tmp_path / "pairs.csv"
    good.write_text("\ufeffsentence1,sentence2,label\n退款,退钱,1\n", encoding="utf-8")
    assert read_pairs(good)[0].label == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError):
        read_pairs(bad)


def test_the_table_has_one_column_per_scorer():
    text = render("t", ["fact"], [Row("s", "m", ["1", "2", "3"], ">= 1", True)], [])
    header = text.splitlines()[4]
    assert all(name in header for name in SCORERS) and "| yes" in text


def test_without_the_corpora_every_section_is_skipped(tmp_path: Path, capsys):
    rows = measure(tmp_path / "absent")
    assert rows and all(row.metric.startswith("skipped: no evaluation corpora") for row in rows)
    out = tmp_path / "report.md"
    assert main(["--eval-dir", str(tmp_path / "absent"), "--out", str(out)]) == 0
    assert "skipped" in out.read_text(encoding="utf-8")
