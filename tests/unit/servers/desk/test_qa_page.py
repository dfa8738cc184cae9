"""The 质检 tab in headless Chromium: a word added by a supervisor stops an agent's reply,
a low-rated conversation is reviewed in the queue, and its agent sees the result.

The test desk (SQLite, fixed clock) is served on 127.0.0.1; Playwright drives Debian's
chromium (``/usr/bin/chromium``); the test skips without it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.unit.analytics.conftest import T0, Script
from zhike.analytics.ingest import apply_events
from zhike.servers.desk.qa_live import qa_service

from .background_round import analytics_of, background_round
from .conftest import PASSWORD, Desk, queued
from .served import served

async_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed")
expect: Any = async_api.expect


async def logged_in(browser: Any, url: str, username: str, hash_: str = "") -> Any:
    context = await browser.new_context(locale="zh-CN")
    context.set_default_timeout(15_000)
    page = await context.new_page()
    await page.goto(f"{url}/desk/{hash_}")
    await page.fill("#login-username", username)
    await page.fill("#login-password", PASSWORD)
    await page.click("#login-submit")
    await expect(page.locator("#desk-view")).to_be_visible()
    return page


async def test_words_replies_review_and_my_results_in_the_page(desk: Desk, browser: Any) -> None:
    cid = await queued(desk, "qa-page")
    await desk.handoff.accept("a1", cid)
    async with served(desk) as server:
        boss = await logged_in(browser, server.url, "boss", "#qa")
        await expect(boss.locator("#tab-qa")).to_have_text("质检")
        await expect(boss.locator("#qa-view")).to_be_visible()
        await expect(boss.locator("#conv-view")).to_be_hidden()
        await expect(boss.locator("#qa-words li").first).to_be_visible()  # the starter list
        await boss.fill("#qa-word", "随便退")
        await boss.select_option("#qa-category", "违规承诺")
        await boss.click("#qa-word-add")
        await expect(boss.locator("#qa-word-status")).to_have_text("已添加「随便退」，立即生效")
        await expect(boss.locator("#qa-words li", has_text="随便退")).to_have_count(1)
        await expect(boss.locator("#qa-first-reply")).to_have_value("60")
        await boss.fill("#qa-first-reply", "90")
        await boss.click("#qa-settings-save")
        await expect(boss.locator("#qa-settings-status")).to_have_text("规则已保存")
        assert (await qa_service(desk.app).settings()).first_reply_seconds == 90

        agent = await logged_in(browser, server.url, "wangfang")
        await expect(agent.locator("#tab-qa")).to_have_text("我的质检")
        await agent.click(f'.inbox-row[data-conversation-id="{cid}"] .row-main')
        await expect(agent.locator("#composer")).to_be_visible()
        await agent.fill("#reply", "您好，这个可以随便退的")
        await agent.click("#send")
        await expect(agent.locator("#send-status")).to_have_text(
            "发送失败：回复中含有违规承诺类敏感词「随便退」，未发送给客户，请修改后再发送"
        )
        await expect(agent.locator("#reply")).to_have_value(
            "您好，这个可以随便退的"
        )  # kept to edit
        assert desk.sink.delivered == []
        await agent.fill("#reply", "您好，七天内可以无理由退货，感谢您的耐心")
        await agent.click("#send")
        await expect(agent.locator("#send-status")).to_have_text("已送达")

        await desk.handoff.close(cid, "a1", "resolved")
        await desk.handoff.rate(cid, 1, "太慢了")
        desk.clock.advance(seconds=61)  # no analytics consumer here: the desk's part
        await background_round(desk)
        await boss.click("#qa-refresh")
        item = boss.locator(".qa-item", has_text=f"会话 #{cid}")
        await expect(item).to_contain_text("待复核")
        await expect(item).to_contain_text("客户低评分")
        await expect(item).to_contain_text("接口 · 有坐席参与")
        await item.click()
        await expect(boss.locator("#qa-hits")).to_contain_text("客户评分 1 分")
        await expect(boss.locator("#qa-excerpt li")).to_have_count(2)
        await boss.fill("#qa-comment", "请先确认客户需求再答复")
        await boss.click("#qa-confirm")
        await expect(boss.locator("#qa-state")).to_have_text("已确认")
        await expect(boss.locator("#qa-review-status")).to_contain_text("已确认")

        await agent.click("#tab-qa")
        await expect(agent.locator("#qa-view")).to_be_visible()
        await expect(agent.locator("#qa-admin")).to_be_hidden()
        await expect(agent.locator("#qa-status")).to_have_value("")  # all of mine
        mine = agent.locator(".qa-item", has_text=f"会话 #{cid}")
        await expect(mine).to_contain_text("已确认")
        await mine.click()
        await expect(agent.locator("#qa-review-note")).to_contain_text("请先确认客户需求再答复")
        await expect(agent.locator("#qa-review")).to_be_hidden()


async def test_a_bot_only_conversation_is_reviewed_in_the_queue(desk: Desk, browser: Any) -> None:
    chat = Script("wx-9", start=T0, channel="wechat").session().user("在吗", "greet")
    chat.bot("您好，有问题可以加我微信", "utter_greet")
    chat.fallback("啊").fallback("听不懂吗").fallback("你们就是一群废物")
    analytics = await analytics_of(desk)
    await analytics.run(lambda session: apply_events(session, chat.events))
    desk.clock.now = T0 + timedelta(hours=1)  # silent for an hour: it has ended
    await background_round(desk)
    async with served(desk) as server:
        boss = await logged_in(browser, server.url, "boss", "#qa")
        item = boss.locator(".qa-item", has_text="机器人会话")
        await expect(item).to_contain_text("公众号 · 仅机器人")
        await expect(item).to_contain_text("待复核")
        await expect(item).to_contain_text("机器人回复含敏感词、客户辱骂、机器人多次未能理解")
        await item.click()
        await expect(boss.locator("#qa-title")).to_have_text("机器人会话（公众号 · 仅机器人）")
        await expect(boss.locator("#qa-hits")).to_contain_text("机器人 3 次未能理解客户")
        lines = boss.locator("#qa-excerpt li")
        await expect(lines.filter(has_text="机器人")).not_to_have_count(0)  # bot turns shown
        bot_hit = boss.locator("#qa-excerpt li.from-bot mark.qa-hit")
        await expect(bot_hit).to_have_text("加我微信")
        abuse = boss.locator("#qa-excerpt li.from-user.qa-flagged", has_text="一群")
        await expect(abuse.locator(".text")).to_have_text("你们就是一群**")  # masked
        await boss.fill("#qa-comment", "知识库答案里有引流话术，请修改")
        await boss.click("#qa-confirm")
        await expect(boss.locator("#qa-state")).to_have_text("已确认")

        agent = await logged_in(browser, server.url, "wangfang", "#qa")
        await expect(agent.locator("#qa-view")).to_be_visible()
        await expect(agent.locator("#qa-empty")).to_be_visible()  # not an agent's record
        await expect(agent.locator(".qa-item")).to_have_count(0)


async def test_the_qa_files_are_served_and_never_write_html(desk: Desk) -> None:
    client = desk.app.asgi_client
    for name, kind in (("qa.js", "application/javascript"), ("qa.css", "text/css")):
        _, response = await client.get(f"/desk/{name}")
        assert response.status == 200 and response.headers["content-type"].startswith(kind)
    _, script = await client.get("/desk/qa.js")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script.text
    _, page = await client.get("/desk/")
    assert 'href="#qa"' in page.text and 'id="qa-view"' in page.text
