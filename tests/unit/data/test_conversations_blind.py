"""The blind multi-turn sets (tests/conversations_blind) stay readable for their replay."""

from __future__ import annotations

import yaml

from bench.conversations.__main__ import conversation_files


def test_every_conversation_has_turns_with_what_an_agent_would_do() -> None:
    files = conversation_files()
    assert len(files) >= 2
    conversations = [c for path in files for c in yaml.safe_load(path.read_text("utf-8"))]
    assert len(conversations) >= 48
    assert len({c["id"] for c in conversations}) == len(conversations)  # ids across sets
    for conversation in conversations:
        assert conversation["turns"], conversation["id"]
        for turn in conversation["turns"]:
            assert str(turn["user"]).strip() and str(turn["expect"]).strip(), conversation["id"]
