"""Odd input never breaks the bot: every message gets a polite answer or the fallback."""

from __future__ import annotations

import pytest

from .conftest import Conversation

pytestmark = pytest.mark.e2e

ODD_MESSAGES = {
    "punctuation": "？？？！！。。。",
    "emoji": "😂😂👍🙏",
    "huge": "我想问一下订单的事情" * 500,  # 5,000 characters
    "english": "Where is my package? I ordered it last week.",
    "control characters": "查订单\x07\x1b[31m\u202eHP20240001",
    "html": "<script>alert(1)</script>",
}


@pytest.mark.parametrize("name", list(ODD_MESSAGES))
def test_odd_input_gets_an_answer(chat: Conversation, name: str) -> None:
    replies = chat.send(ODD_MESSAGES[name])
    texts = [r.get("text") for r in replies if r.get("text")]
    assert texts, f"no reply to {name} input"
    assert all("error" not in t.lower() for t in texts)
    # and the conversation is still usable afterwards
    assert chat.say("你好")


@pytest.mark.parametrize("message", ["", "   ", "查订单\x00HP20240001"])
def test_an_empty_or_nul_message_is_a_clear_400_and_loses_nothing(
    chat: Conversation, message: str
) -> None:
    response = chat.post(message)
    assert response.status_code == 400
    assert response.json()["error"]
    assert chat.say("你好")
