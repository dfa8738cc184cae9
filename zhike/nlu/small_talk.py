"""Whether a small-talk answer is about what the message says: :file:`small_talk.yml`.

The ResponseSelector always picks one small-talk topic, often with full confidence, for
messages that are no small talk at all: song titles became insults, "你会唱小酒窝吗" a
"how are you". :class:`SmallTalkTopics` holds the words each topic is about, so
:class:`zhike.nlu.intent_floor.IntentFloor` asks ("您是想咨询…") instead of answering a
topic the customer never mentioned.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from zhike.nlu.phrases import phrase_pattern

TOPICS_FILE = Path(__file__).resolve().parent / "small_talk.yml"


class SmallTalkTopics:
    """Per small-talk topic (``ask_name`` …), the words a message must say to get it."""

    def __init__(self, topics: dict[str, re.Pattern[str]]) -> None:
        self.topics = topics

    @classmethod
    def load(cls, path: Path = TOPICS_FILE) -> SmallTalkTopics:
        """Reads ``topics:`` (topic -> list of regular expressions) from a YAML file.

        Raises:
            ValueError: an entry is no valid regular expression.
        """
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        topics: dict[str, re.Pattern[str]] = {}
        for topic, phrases in (data.get("topics") or {}).items():
            try:
                pattern = phrase_pattern(phrases or [])
            except re.error as error:
                raise ValueError(f"{path}: {topic}: no regular expression ({error})") from error
            if pattern is not None:
                topics[str(topic)] = pattern
        return cls(topics)

    def fits(self, response_key: str | None, text: str | None) -> bool:
        """Whether the answer ``chitchat/<topic>`` fits ``text`` (an unlisted topic always does)."""
        topic = (response_key or "").partition("/")[2]
        pattern = self.topics.get(topic)
        return pattern is None or bool(pattern.search(text or ""))

    def names(self, response_key: str | None, text: str | None) -> bool:
        """Whether ``text`` says the words of the listed topic of ``chitchat/<topic>``.

        Unlike :meth:`fits`, an unlisted topic never does: nothing is known of its words.
        """
        topic = (response_key or "").partition("/")[2]
        pattern = self.topics.get(topic)
        return pattern is not None and bool(pattern.search(text or ""))
