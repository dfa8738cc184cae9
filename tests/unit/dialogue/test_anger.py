from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from zhike.dialogue.anger import DEFAULT_THRESHOLD, LEXICON_PATH, AngerScore, anger_score, is_angry

ROOT = Path(__file__).resolve().parents[3]

ANGRY = [
    "你们就是一群骗子！",
    "垃圾客服，什么都解决不了",
    "滚！",
    "妈的，又没发货",
    "你们这是坑人啊",
    "气死我了，东西又坏了",
    "再不给我处理我就去12315投诉你们",
    "我已经打了１２３１５",
    "我要找媒体曝光你们",
    "再这样我就报警了",
    "我要去法院起诉你们",
    "你们到底有完没完",
    "到底什么时候发货！！！",
    "你们到底什么时候给我退款？？",
    "受够了，一直没人回复",
    "太离谱了吧，凭什么不给退",
    "什么破服务！！",
    "你们客服就会敷衍，是在耍我吗",
    "忍无可忍了，无语",
    "搞什么啊，说好的三天发货呢？？",
    "你们这种黑心商家迟早倒闭",
    "ＳＢ客服",
    "你妈的，退钱",
    "騙子公司",
    "我很生气！",
    "烦死了，快递太慢了",
    "客服半天不回，什么态度",
    "投诉！！！",
    "我不生气，但你们真是骗子",
]

CALM = [
    "订单HP20240001什么时候发货",
    "物流有点慢",
    "快递太慢了",
    "到底什么时候发货",
    "我不生气，就是问问",
    "我没有骗你，真的没收到货",
    "我不是骗子",
    "别生气，我再查查",
    "一点都不离谱，挺合理的",
    "我妈妈的手机号是13912315678",
    "我妈的课改到周六",
    "垃圾袋什么时候能到",
    "滚筒洗衣机的订单能退吗",
    "USB线坏了，能换吗",
    "你好！！",
    "在吗？？？",
    "谢谢，问题解决了",
    "我要投诉",
    "东西有点小问题，麻烦帮我看看",
    "能不能开个发票",
    "退款怎么还没到账",
    "我想改一下收货地址",
    "老师讲得挺好的，就是时间不太合适",
    "不太满意，给3分吧",
    "报警器类的商品支持七天无理由吗",
    "这个课说到底适不适合初二学生",
    "质量太差了我要退货",
]


@pytest.mark.parametrize("text", ANGRY)
def test_angry_messages_reach_the_threshold(text: str) -> None:
    result = anger_score(text)
    assert result.score >= DEFAULT_THRESHOLD, result
    assert result.cues
    assert is_angry(text)


@pytest.mark.parametrize("text", CALM)
def test_calm_and_merely_dissatisfied_messages_stay_below(text: str) -> None:
    assert anger_score(text).score < DEFAULT_THRESHOLD, anger_score(text)
    assert not is_angry(text)


@pytest.mark.parametrize(
    ("text", "angry"),
    [
        ("快递太慢了", False),  # one medium marker
        ("快递太慢了！！", True),  # medium marker + strong punctuation
        ("你们到底有完没完", True),  # two medium markers
        ("坑人", True),  # one strong term
        ("什么时候到！！！？？？", False),  # punctuation alone
        ("到底到底到底", False),  # a term counts once, however often repeated
        ("太差劲了", False),  # overlapping terms (太差, 差劲) count once
    ],
)
def test_how_cues_combine(text: str, angry: bool) -> None:
    assert is_angry(text) is angry, anger_score(text)


def test_the_cues_explain_the_score() -> None:
    result = anger_score("垃圾服务，到底管不管？？")
    assert result.cues == ("垃圾", "到底", "??")
    assert result.score > anger_score("垃圾服务").score > anger_score("到底").score > 0


def test_negation_cancels_only_the_negated_cue() -> None:
    assert anger_score("不生气") == AngerScore(0.0, ())
    assert anger_score("我没有生气") == AngerScore(0.0, ())
    assert anger_score("生气").cues == ("生气",)
    assert anger_score("受不了，生气").cues == ("受不了", "生气")
    # The 不 of an earlier cue (受不了) negates nothing after it.
    assert anger_score("真受不了垃圾").cues == ("受不了", "垃圾")


def test_a_lower_threshold_is_honoured() -> None:
    assert not is_angry("快递太慢了")
    assert is_angry("快递太慢了", threshold=0.5)
    assert not is_angry("垃圾", threshold=100.0)


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t", "\u3000"])
def test_nothing_to_score_is_calm(text: str | None) -> None:
    assert anger_score(text) == AngerScore(0.0, ())
    assert not is_angry(text)


def test_a_huge_message_is_scored() -> None:
    calm = "物流有点慢，请帮我查一下订单HP20240001。" * 4000
    assert len(calm) >= 100_000
    assert anger_score(calm).score < DEFAULT_THRESHOLD
    assert "垃圾" in anger_score(calm + "垃圾").cues


# --- the project's NLU data: no false alarm on ordinary requests -------------------------

ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def nlu_examples(folder: Path) -> list[tuple[str, str]]:
    """(intent, text) of every training example, entity annotations stripped."""
    examples = []
    for path in sorted(folder.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in document.get("nlu", []):
            if "intent" not in item:
                continue  # regex, lookup, synonym
            for line in item["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append((item["intent"], ANNOTATION.sub(r"\1", line[2:].strip())))
    return examples


def test_annotations_are_stripped() -> None:
    text = '订[高一英语](course)和[阅读班]{"entity": "course", "value": "英语阅读提高班"}'
    assert ANNOTATION.sub(r"\1", text) == "订高一英语和阅读班"


def test_no_training_example_outside_complain_is_angry() -> None:
    examples = nlu_examples(ROOT / "data" / "nlu")
    intents = {intent for intent, _ in examples}
    assert len(examples) > 1000 and {"complain", "query_order", "chitchat/insult"} <= intents
    false_alarms = [
        (intent, text, anger_score(text))
        for intent, text in examples
        if intent != "complain" and is_angry(text)
    ]
    assert not false_alarms


# --- the lexicon file ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def lexicon() -> dict[str, Any]:
    return yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))


def is_positive_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def test_weights_are_positive_numbers(lexicon: dict[str, Any]) -> None:
    for group in lexicon["terms"]:
        assert is_positive_number(group["weight"]), group
        assert group["words"] and all(isinstance(word, str) for word in group["words"]), group
    for signal in lexicon["intensity"]:
        # Punctuation only amplifies words: alone it must never make a message angry.
        assert is_positive_number(signal["weight"]) and signal["weight"] < DEFAULT_THRESHOLD


def test_no_term_is_listed_twice(lexicon: dict[str, Any]) -> None:
    terms = [word for group in lexicon["terms"] for word in group["words"]]
    duplicates = {term for term in terms if terms.count(term) > 1}
    assert not duplicates
    assert not set(terms) & set(lexicon["ignore"])


def test_terms_are_written_normalised(lexicon: dict[str, Any]) -> None:
    traditional = {pair[0] for pair in lexicon["traditional"]}
    for group in lexicon["terms"]:
        for word in group["words"]:
            assert word == unicodedata.normalize("NFKC", word).casefold(), word
            assert not set(word) & traditional, word


def test_every_term_alone_scores_its_weight(lexicon: dict[str, Any]) -> None:
    for group in lexicon["terms"]:
        for word in group["words"]:
            assert anger_score(word) == AngerScore(group["weight"], (word,)), word


def test_every_ignored_phrase_hides_a_term(lexicon: dict[str, Any]) -> None:
    terms = [word for group in lexicon["terms"] for word in group["words"]]
    for phrase in lexicon["ignore"]:
        assert any(term in phrase for term in terms), phrase
        assert anger_score(phrase) == AngerScore(0.0, ()), phrase
