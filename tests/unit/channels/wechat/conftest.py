"""Fixtures of the WeChat channel tests: the fake API server and a stand-in for Rasa's agent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from tests.unit.channels.wechat.fake_wechat_api import FakeWeChatApi


class FakeAgent:
    """Stands in for Rasa's Agent: records messages and answers through their channel.

    Args:
        delay: seconds before answering (a slow bot).
        buttons: buttons added to the answer.
        fail: raise instead of answering.
        texts: answers instead of ``收到：<text>`` (may be empty: the bot says nothing).
    """

    def __init__(
        self,
        delay: float = 0.0,
        buttons: list[dict[str, Any]] | None = None,
        fail: bool = False,
        texts: list[str] | None = None,
    ) -> None:
        self.messages: list[UserMessage] = []
        self.delay = delay
        self.buttons = buttons
        self.fail = fail
        self.texts = texts

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("boom")
        channel = message.output_channel
        texts = [f"收到：{message.text}"] if self.texts is None else self.texts
        for text in texts:
            if self.buttons:
                await channel.send_text_with_buttons(message.sender_id, text, list(self.buttons))
            else:
                await channel.send_text_message(message.sender_id, text)

    @property
    def texts_received(self) -> list[str]:
        return [m.text or "" for m in self.messages]


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeWeChatApi]:
    api = FakeWeChatApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture(autouse=True)
def replay_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A replay cache database of the test's own, and a development deployment.

    Development: most tests post plaintext callbacks, which production refuses.
    """
    url = f"sqlite+aiosqlite:///{tmp_path / 'replay.db'}"
    monkeypatch.setenv("ZHIKE_REPLAY_DB_URL", url)
    monkeypatch.setenv("ZHIKE_ENV", "development")
    yield url
