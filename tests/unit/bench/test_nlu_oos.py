"""Out-of-scope scoring of `python -m bench.nlu`: BIO reading, false accepts, wrong intents."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.nlu.model import Prediction, prediction_from
from bench.nlu.oos import load_cais, oos_details, oos_rows, score_oos

# Made-up smart-speaker requests in the corpus's char-per-line BIO format; the third
# has a space inside a song name ("a b"), written as a line whose char is a space.
BIO = "放 O\n首 O\n歌 O\n\n听 O\na B-song\n  I-song\nb E-song\n\n几 O\n点 O\n了 O\n\n放 O\n歌 O\n"
INTENTS = "PlayMusic\nPlayMusic\nGetDate\nPlayMusic\n"


@pytest.fixture
def eval_dir(tmp_path: Path) -> Path:
    cais = tmp_path / "oos" / "cais"
    cais.mkdir(parents=True)
    (cais / "ch.test").write_text(BIO, encoding="utf-8")
    (cais / "ch.test.intent").write_text(INTENTS, encoding="utf-8")
    return tmp_path


def test_utterances_are_rebuilt_from_the_bio_lines_with_their_labels(eval_dir):
    utterances = load_cais(eval_dir)
    assert utterances is not None
    assert [(u.text, u.kind) for u in utterances] == [
        ("放首歌", "PlayMusic"),
        ("听a b", "PlayMusic"),
        ("几点了", "GetDate"),
        ("放歌", "PlayMusic"),
    ]


def test_missing_corpus_is_none_and_a_label_count_mismatch_is_an_error(eval_dir, tmp_path):
    assert load_cais(tmp_path / "absent") is None
    (eval_dir / "oos" / "cais" / "ch.test.intent").write_text("PlayMusic\n", encoding="utf-8")
    with pytest.raises(ValueError, match="1 labels for 4 utterances"):
        load_cais(eval_dir)


def test_only_out_of_scope_and_fallback_count_as_declined(eval_dir):
    utterances = load_cais(eval_dir) or []
    predictions = [
        Prediction("affirm", 0.5),
        Prediction("nlu_fallback", 0.45, "affirm"),
        Prediction("chitchat", 0.9, "chitchat", "chitchat/how_are_you"),
        Prediction("affirm", 0.6),
    ]
    score = score_oos(utterances, predictions)

    assert score.rate == 0.75
    assert score.share(retrieval=True) == 0.25 and score.share(retrieval=False) == 0.5
    top = score.top_wrong()
    assert [(w.label, w.count, w.example, w.kinds) for w in top] == [
        ("affirm", 2, "放首歌", "PlayMusic"),
        ("chitchat/how_are_you", 1, "几点了", "GetDate"),
    ]
    rows = {row.metric: row for row in oos_rows(score)}
    assert rows["false-accept rate"].value == "75.0%" and rows["false-accept rate"].met is False
    assert "PlayMusic 2/3, GetDate 1/1" in "\n".join(oos_details(score))


def test_a_clean_model_meets_the_target(eval_dir):
    utterances = load_cais(eval_dir) or []
    score = score_oos(utterances, [Prediction("out_of_scope")] * len(utterances))
    assert score.rate == 0.0 and not score.top_wrong()
    assert {row.metric: row for row in oos_rows(score)}["false-accept rate"].met is True


def test_prediction_reads_the_intent_before_the_fallback_and_the_selected_answer():
    result = {
        "intent": {"name": "nlu_fallback", "confidence": 0.45},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.45},
            {"name": "faq", "confidence": 0.4},
            {"name": "affirm", "confidence": 0.35},
        ],
        "response_selector": {
            "default": {"response": {"intent_response_key": "faq/shipping_time"}}
        },
    }
    prediction = prediction_from(result)
    assert prediction.declined and prediction.label == "nlu_fallback"
    assert prediction.top_intent == "faq" and prediction.top_label == "faq/shipping_time"
    result["intent"] = {"name": "faq", "confidence": 0.9}
    assert prediction_from(result).label == "faq/shipping_time"
