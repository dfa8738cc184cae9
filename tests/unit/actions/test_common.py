from __future__ import annotations

from actions.common import intent_titles


def test_every_title_is_chinese_and_non_empty() -> None:
    titles = intent_titles()
    for group in ("intents", "retrieval"):
        for key, title in titles[group].items():
            assert title and any("\u4e00" <= ch <= "\u9fff" for ch in title), key
