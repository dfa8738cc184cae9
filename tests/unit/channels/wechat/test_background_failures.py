"""A late answer whose delivery fails unexpectedly is logged (masked), not lost in silence."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pytest

from tests.unit.channels.wechat.conftest import FakeAgent
from tests.unit.channels.wechat.helpers import (
    APPID,
    IDENTITY_SECRET,
    NOW,
    TOKEN,
    fresh_nonce,
    make_app,
    message_xml,
    plain_args,
    url,
)
from zhike.channels.wechat.mp import WeChatInput

PHONE = "13800138000"


class BrokenApi:
    """A message API client with a bug: every send raises something unexpected."""

    async def send(self, user: str, message: Mapping[str, Any]) -> None:
        raise KeyError(f"no route for {PHONE}")

    async def send_text(self, user: str, text: str) -> None:
        await self.send(user, {"msgtype": "text", "text": {"content": text}})


async def test_a_late_reply_that_fails_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    channel = WeChatInput(
        token=TOKEN,
        appid=APPID,
        appsecret="app-secret",
        identity_secret=IDENTITY_SECRET,
        mode="plaintext",
        reply_budget=0.05,
        clock=lambda: NOW,
    )
    channel._api = BrokenApi()
    app = make_app(channel, FakeAgent(delay=0.2))
    body = message_xml(Content="我的手机号13800138000").encode()
    with caplog.at_level(logging.ERROR, logger="zhike.channels.tasks"):
        _, response = await app.asgi_client.post(
            url("/webhooks/wechat/webhook", plain_args(nonce=fresh_nonce())), content=body
        )
        assert response.text == "success"
        await channel.drain()
    assert "background task 'wechat late reply' failed" in caplog.text
    assert "KeyError" in caplog.text and "138****8000" in caplog.text
    assert PHONE not in caplog.text
