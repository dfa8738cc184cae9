"""A customer pleased with the goods or the service is thanking, in words alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message

from zhike.nlu.satisfied import SatisfiedCustomer, SatisfiedWords

WORDS = SatisfiedWords.load()


def _read(text: str, intent: str, confidence: float = 0.54) -> Message:
    top = {"name": intent, "confidence": confidence}
    message = Message(data={"text": text, "intent": top, "intent_ranking": [top]})
    SatisfiedCustomer(WORDS).process([message])
    return message


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("宝贝收到了 质量很好 谢谢", "nlu_fallback"),  # was 投诉 / 退款 offered
        ("衣服质量不错 下次还来", "complain"),
        ("鞋子到了 穿着很舒服 下次还来你家买", "out_of_scope"),
        ("物流很快 点赞", "chitchat"),
        ("老师讲得真好 孩子很喜欢", "faq"),
        ("孩子说数学老师上课特别有趣 很喜欢", "faq"),  # 特别 is no 别 ("don't")
    ],
)
def test_satisfaction_alone_is_thanks(text: str, intent: str) -> None:
    message = _read(text, intent)
    assert message.get("intent")["name"] == "thank"
    assert message.as_dict(only_output_properties=True)["satisfied"] is True


@pytest.mark.parametrize(
    "text",
    [
        "质量不错 就是有点小",  # a "but": a problem follows
        "物流能不能快点",
        "不满意",
        "东西收到了",  # nothing said about it
        "质量很好吗",  # a question
        "挺好的 帮我开个发票",  # a request
        "鞋子不错 想换个大一码的",
        "希望这次包装能完好一点",  # a wish
        "播放一首我很喜欢的老歌",  # a song asked for
        "推荐几本好看的小说",  # a recommendation asked for
        "别的都挺好 就是屏幕有划痕",
    ],
)
def test_a_complaint_question_or_request_is_not_satisfaction(text: str) -> None:
    assert not WORDS.fits(text)
    assert _read(text, "nlu_fallback").get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize("intent", ["request_refund", "human_handoff", "rate_service", "deny"])
def test_a_request_a_person_a_score_or_a_no_a_model_read_is_kept(intent: str) -> None:
    message = _read("很满意 非常好", intent, 0.95)
    assert message.get("intent")["name"] == intent
    assert message.get("satisfied") is None


def test_a_file_without_words_or_with_a_broken_pattern_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yml"
    empty.write_text("unless: [不]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="says"):
        SatisfiedWords.load(empty)
    broken = tmp_path / "broken.yml"
    broken.write_text("says: ['(很好']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="regular expression"):
        SatisfiedWords.load(broken)
