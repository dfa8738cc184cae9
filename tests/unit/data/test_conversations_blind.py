"""The blind multi-turn set (tests/conversations_blind) stays readable for its replay."""

from __future__ import annotations

import yaml

from .conftest import ROOT

CONVERSATIONS = ROOT / "tests" / "conversations_blind" / "convs.yml"


def test_every_conversation_has_turns_with_what_an_agent_would_do() -> None:
    conversations = yaml.safe_load(CONVERSATIONS.read_text(encoding="utf-8"))
    assert len(conversations) >= 20
    assert len({c["id"] for c in conversations}) == len(conversations)
    for conversation in conversations:
        assert conversation["turns"], conversation["id"]
        for turn in conversation["turns"]:
            assert str(turn["user"]).strip() and str(turn["expect"]).strip(), conversation["id"]
