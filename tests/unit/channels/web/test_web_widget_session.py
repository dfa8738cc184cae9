"""The real widget (headless Chromium) keeps its session across reloads with its token.

The chat page is served by the channel on 127.0.0.1 with a stand-in agent. Playwright
drives Debian's chromium (``/usr/bin/chromium``); the test skips without it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from zhike.channels import admission
from zhike.channels.web.channel import WebChatInput

from .web_helpers import StoreAgent, serve

async_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed")

WIDGET = "#zhike-chat"
IDENTITY_SECRET = "identity-secret-" + "i" * 32


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    context = await browser.new_context(locale="zh-CN")
    context.set_default_timeout(15_000)
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def _record(page: Any) -> dict[str, Any]:
    return dict(json.loads(await page.evaluate("localStorage.getItem('zhike-chat')")))


async def _say(page: Any, text: str) -> None:
    answers = page.locator(f"{WIDGET} .from-bot .bubble", has_text=f"收到：{text}")
    await page.locator(f"{WIDGET} textarea").fill(text)
    await page.locator(f"{WIDGET} textarea").press("Enter")
    await async_api.expect(answers.last).to_be_visible()


async def test_a_reload_continues_the_session_and_a_tampered_id_does_not(page: Any) -> None:
    channel = WebChatInput(identity_secret=IDENTITY_SECRET, gate=admission.Gate())
    async with serve(channel, StoreAgent()) as (url, agent):
        await page.goto(f"{url}/webhooks/socketio/chat")
        await _say(page, "你好")
        record = await _record(page)
        session_id, token = record["sessionId"], record["sessionToken"]
        assert isinstance(token, str) and len(token) >= 40

        await page.reload()
        await async_api.expect(page.locator(f"{WIDGET} .status")).to_have_text("在线")
        await _say(page, "在吗")
        assert (await _record(page))["sessionId"] == session_id

        # Another conversation's id in localStorage, with this session's token: refused.
        stolen = "victim-session-0001"
        await page.evaluate(
            "(id) => { const r = JSON.parse(localStorage.getItem('zhike-chat'));"
            " r.sessionId = id; localStorage.setItem('zhike-chat', JSON.stringify(r)); }",
            stolen,
        )
        await page.reload()
        await _say(page, "还在吗")
        record = await _record(page)
        assert record["sessionId"] not in (stolen, session_id)

    assert [m.sender_id for m in agent.messages] == [session_id, session_id, record["sessionId"]]
