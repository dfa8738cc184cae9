"""Real-customer scoring of `python -m bench.nlu` on a tiny made-up corpus and label file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.nlu.jddc import fill_placeholders, labelled_turns, read_labels
from bench.nlu.jddc_score import HONEST_FALLBACK, RIGHT, WRONG, jddc_rows, score_jddc
from bench.nlu.model import Prediction, prediction_from

# session, user, sender (0 customer, 1 agent), 3 unused columns, text
CHAT = [
    ("s1", "u1", "0", "你好"),
    ("s1", "u1", "1", "有什么可以帮您？"),
    ("s1", "u1", "0", "[订单x]到哪了，[数字x]天了还没到"),
    ("s1", "u1", "0", "退货运费谁出"),
    ("s2", "u2", "0", "收件人[姓名x]，电话[电话x]，地址[地址x]，金额[金额x]"),
    ("s2", "u2", "1", "好的"),
    ("s2", "u2", "0", "你们那边下雨了吗"),
    ("s2", "u2", "0", "我要那个"),
    ("s2", "u2", "0", "转人工"),
]
LABELS = """session\tturn\tlabel\ttarget\tnote
s1\t1\thandled\tquery_logistics\tmasked order
s1\t2\thandled\tfaq/return_policy\t
s2\t0\thandled\tmodify_address\tnew address
s2\t1\toos\t-\tweather
s2\t2\tclarify\t-\ttoo vague
s2\t3\thandled\thuman_handoff\t
"""


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    chat = tmp_path / "chat_dev.tsv"
    chat.write_text(
        "".join(f"{s}\t{u}\t{who}\t0\t0\tnan\t{text}\n" for s, u, who, text in CHAT),
        encoding="utf-8",
    )
    labels = tmp_path / "labels.tsv"
    labels.write_text(LABELS, encoding="utf-8")
    return chat, labels


def test_turns_count_customer_lines_only_and_masks_become_plausible_values(corpus):
    chat, labels = corpus
    turns = labelled_turns(chat, read_labels(labels))

    assert [t.label.target for t in turns][:2] == ["query_logistics", "faq/return_policy"]
    logistics = turns[0].text
    assert re.fullmatch(r"HP2024\d{4}到哪了，\d+天了还没到", logistics)
    assert turns[1].text == "退货运费谁出"  # the agent's line is not a customer turn
    address = turns[2].text
    assert "x]" not in address and re.search(r"电话1\d{10}，", address)
    assert labelled_turns(chat, read_labels(labels))[2].text == address  # same every run


def test_every_mask_kind_of_the_corpus_is_filled():
    kinds = "订单 数字 金额 地址 姓名 电话 日期 时间 站点 链接 组织机构 身份证号 邮箱".split()
    text = " ".join(f"[{kind}x]" for kind in kinds)
    filled = fill_placeholders(text, "seed")
    assert "[" not in filled and not any(kind in filled for kind in ("订单", "数字"))
    assert re.search(r"\b\d{4}-\d{2}-\d{2}\b", filled) and "@" in filled


def test_scores_right_honest_and_confident_wrong(corpus):
    chat, labels = corpus
    turns = labelled_turns(chat, read_labels(labels))
    predictions = [
        Prediction("query_logistics", 0.9),  # handled right
        Prediction("faq", 0.9, "faq", "faq/shipping_time"),  # right intent, wrong answer
        Prediction("nlu_fallback", 0.3, "modify_address"),  # handled, fell back: missed
        Prediction("chitchat", 0.8, "chitchat", "chitchat/how_are_you"),  # oos answered
        Prediction("out_of_scope", 0.7),  # clarify, declined: honest
        Prediction("human_handoff", 0.95),  # handled right (the target is the handoff)
    ]
    score = score_jddc(turns, predictions)

    assert score.counts[("handled", RIGHT)] == 2
    assert score.counts[("handled", HONEST_FALLBACK)] == 1
    assert score.counts[("handled", WRONG)] == 1
    assert score.counts[("oos", WRONG)] == 1 and score.counts[("clarify", HONEST_FALLBACK)] == 1
    assert [t.label.turn for t, _ in score.wrong] == [2, 1]
    rows = {row.metric: row for row in jddc_rows(score)}
    assert rows["handled right (of handled turns)"].value == "50.0%"
    assert rows["handled right (of handled turns)"].met is False
    assert rows["confident wrong (of all turns)"].value == "33.3%"
    assert rows["honest fallback (of all turns)"].value == "33.3%"


def test_a_request_asked_about_counts_where_the_clarification_offered_it(corpus):
    chat, labels = corpus
    turns = labelled_turns(chat, read_labels(labels))
    address, faq = turns[2], turns[1]
    offered = [
        Prediction("nlu_fallback", 0.5, "modify_address", options=("modify_address", "x")),
        Prediction("nlu_fallback", 0.5, "x", options=("x", "modify_address")),
        Prediction("nlu_fallback", 0.5, "x", options=("x", "y")),
        Prediction("nlu_fallback", 0.5, "x", options=()),
    ]
    score = score_jddc([address] * 4 + [faq], [*offered, Prediction("nlu_fallback", 0.4)])
    assert dict(score.offered) == {"first": 1, "second": 1, "no": 2}  # the faq turn: no request
    rows = {row.metric: row for row in jddc_rows(score)}
    assert rows["… … request asked about: offered as 1st / 2nd button"].value == "25.0% / 25.0%"


def test_the_options_of_a_declined_parse_are_the_requests_its_buttons_offer():
    result = {
        "text": "钱退回来没",
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "inform", "confidence": 0.4},  # never offered
            {"name": "query_refund", "confidence": 0.3},
            {"name": "query_logistics", "confidence": 0.2},
            {"name": "greet", "confidence": 0.1},
        ],
    }
    assert prediction_from(result).options == ("query_refund", "query_logistics")
    sure = {**result, "intent": {"name": "query_refund", "confidence": 0.9}}
    assert prediction_from(sure).options == ()


def test_right_faq_answer_counts_as_handled(corpus):
    chat, labels = corpus
    turn = labelled_turns(chat, read_labels(labels))[1]
    right = Prediction("faq", 0.9, "faq", "faq/return_policy")
    assert score_jddc([turn], [right]).counts[("handled", RIGHT)] == 1


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("s1\t0\tmaybe\t-\t", "label"),
        ("s1\tfirst\thandled\tgreet\t", "turn"),
        ("s1\t0\thandled\t-\t", "target"),
    ],
)
def test_label_file_mistakes_are_reported_with_their_line(tmp_path, line, problem):
    labels = tmp_path / "labels.tsv"
    labels.write_text("session\tturn\tlabel\ttarget\tnote\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"labels.tsv:2: .*{problem}"):
        read_labels(labels)


def test_a_label_beyond_the_sessions_customer_turns_is_an_error(corpus, tmp_path):
    chat, _ = corpus
    labels = tmp_path / "bad.tsv"
    labels.write_text("session\tturn\tlabel\ttarget\tnote\ns1\t3\toos\t-\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="3 customer turns"):
        labelled_turns(chat, read_labels(labels))
