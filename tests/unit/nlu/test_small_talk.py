"""Every small-talk training example says its topic's words, so the check never refuses it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from zhike.nlu.small_talk import SmallTalkTopics

ROOT = Path(__file__).resolve().parents[3]


def _examples() -> list[tuple[str, str]]:
    data = yaml.safe_load((ROOT / "data" / "nlu" / "chitchat.yml").read_text(encoding="utf-8"))
    found = []
    for item in data["nlu"]:
        intent = str(item.get("intent") or "")
        if intent.startswith("chitchat/"):
            lines = str(item["examples"]).splitlines()
            found += [(intent, line.strip()[2:].strip()) for line in lines if line.strip()]
    return found


def test_every_training_example_fits_its_topic() -> None:
    topics = SmallTalkTopics.load()
    misfits = [(key, text) for key, text in _examples() if not topics.fits(key, text)]
    assert misfits == [], "add their words to zhike/nlu/small_talk.yml"


def test_every_topic_with_words_is_a_trained_topic() -> None:
    trained = {key.partition("/")[2] for key, _ in _examples()}
    assert set(SmallTalkTopics.load().topics) <= trained


def test_a_broken_expression_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "small_talk.yml"
    path.write_text("topics:\n  insult:\n    - '笨('\n", encoding="utf-8")
    with pytest.raises(ValueError, match="insult"):
        SmallTalkTopics.load(path)


@pytest.mark.parametrize(
    "text",
    ["你没有英文版网站?", "大海航行靠舵手", "我想买个书包送人"],
)
def test_praise_needs_words_of_praise(text: str) -> None:
    assert not SmallTalkTopics.load().fits("chitchat/praise", text)


@pytest.mark.parametrize("text", ["你们客服效率真高 给个好评", "这个回答很到位", "小智好样的"])
def test_praise_in_customers_words_is_praise(text: str) -> None:
    assert SmallTalkTopics.load().fits("chitchat/praise", text)


def test_names_holds_only_for_a_listed_topic_whose_words_are_said() -> None:
    topics = SmallTalkTopics.load()
    assert topics.names("chitchat/tell_joke", "来个段子")
    assert not topics.names("chitchat/tell_joke", "你会唱歌吗")
    # fits() lets an unlisted topic through; names() knows nothing of its words
    assert topics.fits("chitchat/ask_capability", "你能干什么")
    assert not topics.names("chitchat/ask_capability", "你能干什么")
