"""The live desk page in headless Chromium: pushed updates, unread, reconnecting, shortcuts.

The real desk (SQLite, the test clock) serves the page through :class:`Cuttable`, a loopback
TCP relay the test can cut (every connection dropped, new ones refused) and restore, as a
network outage would. Customers write through the handoff service, as the bot's side does.
Playwright drives Debian's chromium (``/usr/bin/chromium``); the tests skip without it.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from zhike.tools.stack import free_port

from .conftest import PASSWORD, Desk, queued
from .served import served

async_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed")
expect = async_api.expect

TITLE = "智客 · 坐席工作台"


class Cuttable:
    """A TCP relay from a free loopback port to ``target_port`` that can be cut and restored."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def cut(self) -> None:
        """Drops every connection and refuses new ones."""
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self.writers.update((writer, up_writer))

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers.difference_update((writer, up_writer))


@pytest.fixture
async def relay(desk: Desk) -> AsyncIterator[Cuttable]:
    async with served(desk) as real:
        cuttable = Cuttable(real.port)
        await cuttable.start()
        try:
            yield cuttable
        finally:
            await cuttable.cut()


Opener = Callable[..., Awaitable[Any]]


@pytest.fixture
async def open_desk(browser: Any, relay: Cuttable) -> AsyncIterator[Opener]:
    """Opens logged-in pages (each records its errors and its API requests)."""
    contexts: list[Any] = []

    async def opener(username: str, width: int = 1280) -> Any:
        context = await browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": 800}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = await context.new_page()
        page.errors, page.asked = [], []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("request", lambda request: page.asked.append((time.monotonic(), request.url)))
        await page.goto(f"http://127.0.0.1:{relay.port}/desk/")
        await page.fill("#login-username", username)
        await page.fill("#login-password", PASSWORD)
        await page.click("#login-submit")
        await expect(page.locator("#desk-view")).to_be_visible()
        await expect(page.locator("#live-status")).to_be_hidden()
        return page

    yield opener
    for context in contexts:
        await context.close()


async def no_sideways_scroll(page: Any) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


def asked(page: Any, path: str, since: float = 0.0) -> int:
    """How many requests for ``/api/desk/v1<path>`` the page made since ``since``."""
    return len([url for at, url in page.asked if at >= since and f"/api/desk/v1{path}" in url])


def row(page: Any, cid: int) -> Any:
    return page.locator(f'.inbox-row[data-conversation-id="{cid}"]')


async def test_two_agents_see_pushed_changes_and_unread_counts_without_polling(
    open_desk: Opener, desk: Desk
) -> None:
    first = await queued(desk, "live-1", "orders")
    second = await queued(desk, "live-2", "orders")
    wang, chen = await open_desk("wangfang"), await open_desk("chenjing")
    await expect(row(chen, first)).to_be_visible()
    await expect(wang.locator("#queue .inbox-row")).to_have_count(2)

    await wang.keyboard.press("Alt+N")  # 接入 the longest waiting: the first
    await expect(wang.locator("#mine .inbox-row")).to_have_count(1)
    await expect(row(chen, first)).to_have_count(0)  # gone from the other agent's queue
    await wang.keyboard.press("Alt+N")
    await expect(wang.locator("#mine .inbox-row")).to_have_count(2)
    await expect(wang.locator("#conv-state")).to_have_text("人工服务中")
    await expect(row(wang, second)).to_have_class(re.compile("current"))  # the open one
    await expect(chen.locator("#queue-empty")).to_be_visible()

    quiet = time.monotonic()
    await asyncio.sleep(4)
    assert asked(wang, "/inbox", quiet) == 0  # nothing polls while nothing happens
    assert asked(wang, "/conversations/", quiet) == 0
    sent = time.monotonic()
    await desk.handoff.route_user_message("live-1", "rest", "还有一个问题", "live-1-m2")
    badge = row(wang, first).locator(".unread")
    await expect(badge).to_have_text("1", timeout=2000)  # the first is not the open one
    await expect(wang).to_have_title("(1) 新消息 - 智客工作台", timeout=2000)
    await desk.handoff.route_user_message("live-1", "rest", "在吗", "live-1-m3")
    await expect(wang).to_have_title("(2) 新消息 - 智客工作台", timeout=2000)
    assert asked(wang, "/inbox", sent) <= 4  # one read per change, no timer

    await row(wang, first).locator(".row-main").click()  # reading it clears the count
    await expect(wang.locator("#transcript")).to_contain_text("在吗")
    await expect(wang).to_have_title(TITLE)
    await desk.handoff.route_user_message("live-1", "rest", "订单号是 HP20240001", "live-1-m4")
    # the open conversation re-reads its timeline (the bot part waits on an absent Rasa)
    await expect(wang.locator("#transcript")).to_contain_text("HP20240001", timeout=8000)
    await expect(wang).to_have_title(TITLE)  # it is the open one
    third = await queued(desk, "live-3", "orders")
    await expect(row(chen, third)).to_be_visible(timeout=2000)
    await wang.reload()  # what was read stays read
    await expect(wang.locator("#mine .inbox-row")).to_have_count(2)
    await expect(wang.locator("#mine .unread")).to_have_count(0)
    await expect(wang).to_have_title(TITLE)
    assert not wang.errors and not chen.errors


async def test_a_lost_stream_is_shown_and_recovers_with_what_was_missed(
    open_desk: Opener, desk: Desk, relay: Cuttable
) -> None:
    page = await open_desk("wangfang")
    await expect(page.locator("#queue-empty")).to_be_visible()
    await relay.cut()
    await expect(page.locator("#live-status")).to_have_text("连接已断开，正在重连…")
    missed = await queued(desk, "while-away", "orders")
    await asyncio.sleep(1)
    await relay.start()
    await expect(page.locator("#live-status")).to_be_hidden(timeout=8000)
    await expect(row(page, missed)).to_be_visible()  # the full refresh after reconnecting
    later = await queued(desk, "after-back", "orders")
    await expect(row(page, later)).to_be_visible(timeout=2000)  # and the stream is live again
    assert not page.errors


async def test_shortcuts_help_close_and_send(open_desk: Opener, desk: Desk) -> None:
    cid = await queued(desk, "keys", "orders")
    page = await open_desk("wangfang", width=360)
    await no_sideways_scroll(page)
    assert not await page.locator("#sound-toggle").is_checked()  # the beep is off at first
    await page.check("#sound-toggle")
    await page.reload()
    await expect(page.locator("#sound-toggle")).to_be_checked()  # remembered
    await page.click("#sub-tab-history")
    await expect(page.locator("#history-summary")).to_have_text("没有找到符合条件的历史会话")
    await no_sideways_scroll(page)
    await page.keyboard.press("ArrowRight")  # on to 留言
    await expect(page.locator("#sub-tab-tickets")).to_be_focused()
    outline = "getComputedStyle(document.activeElement).outlineStyle"
    assert await page.evaluate(outline) == "solid"  # the focus shows
    await no_sideways_scroll(page)
    await page.keyboard.press("ArrowLeft")
    await page.keyboard.press("ArrowLeft")
    await expect(page.locator("#inbox-pane")).to_be_visible()
    await page.keyboard.press("?")
    await expect(page.locator("#shortcuts")).to_be_visible()
    await expect(page.locator("#shortcuts")).to_contain_text("Alt + N")
    await expect(page.locator("#shortcuts-close")).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(page.locator("#shortcuts")).to_be_hidden()
    await page.keyboard.press("Alt+W")
    await expect(page.locator("#notice")).to_have_text("当前没有可结束的会话")
    await expect(row(page, cid)).to_be_visible()
    await page.keyboard.press("Alt+N")
    await expect(page.locator("#reply")).to_be_focused()
    await page.fill("#reply", "您好，我来帮您查一下")
    deliver = desk.sink.deliver

    async def slowly(*args: Any) -> None:  # the live event arrives before the answer
        await asyncio.sleep(1.5)
        await deliver(*args)

    desk.sink.deliver = slowly
    await page.keyboard.press("Control+Enter")
    await expect(page.locator("#send-status")).to_have_text(re.compile("已送达|已保存"))
    await asyncio.sleep(0.5)
    await expect(page.locator("#transcript .from-agent")).to_have_count(1)  # shown once
    assert [m.text for m in await desk.handoff.messages(cid) if m.direction == "agent"] == [
        "您好，我来帮您查一下"
    ]
    await page.keyboard.press("Alt+W")
    await expect(page.locator("#close-confirm")).to_be_visible()  # asks first
    await expect(page.locator("#disposition")).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(page.locator("#close-confirm")).to_be_hidden()
    assert (await desk.handoff.conversation(cid)).state == "agent"
    assert not page.errors


async def test_history_finds_a_closed_conversation_by_order_and_shows_it_read_only(
    open_desk: Opener, desk: Desk
) -> None:
    cid = await queued(desk, "past", "orders")
    await desk.handoff.route_user_message("past", "rest", "HP20240123 还没发货", "past-2")
    await desk.handoff.accept("a1", cid)
    await desk.handoff.close(cid, "a1", "resolved")
    await desk.handoff.rate(cid, 4)
    other = await queued(desk, "other", "orders")
    await desk.handoff.accept("a3", other)
    await desk.handoff.close(other, "a3", "unresolved")
    page = await open_desk("wangfang")
    await page.click("#sub-tab-history")
    await expect(page.locator("#history-list .history-row")).to_have_count(2)
    await page.fill("#history-order", "HP20240123")
    await page.keyboard.press("Enter")
    await expect(page.locator("#history-list .history-row")).to_have_count(1)
    result = page.locator(f'#history-list [data-conversation-id="{cid}"]')
    await expect(result).to_contain_text("已解决")
    await expect(result).to_contain_text("评分 4/5")
    await result.locator(".row-main").click()
    await expect(page.locator("#transcript")).to_contain_text("HP20240123 还没发货")
    await expect(page.locator("#conv-readonly")).to_be_visible()
    await expect(page.locator("#composer")).to_be_hidden()
    await expect(page.locator("#conv-state")).to_have_text("已结束（已解决） · 评分 4/5")
    await page.fill("#history-since", "2024-06-05")
    await page.fill("#history-until", "2024-06-04")
    await page.click("#history-go")
    await expect(page.locator("#history-error")).to_have_text("开始日期不能晚于结束日期")
    await page.click("#sub-tab-inbox")
    await expect(page.locator("#inbox-pane")).to_be_visible()
    assert not page.errors


async def test_an_after_hours_request_is_marked_handled_with_a_note(
    open_desk: Opener, desk: Desk
) -> None:
    desk.clock.advance(hours=12)  # 22:00: the desk is closed
    outcome = await desk.handoff.request_handoff(
        "night", "rest", "C001", "orders", {"reason": "要求人工", "recent_messages": ["快递丢了"]}
    )
    desk.clock.advance(hours=-12)
    assert outcome.status == "after_hours"
    page = await open_desk("wangfang")
    await expect(page.locator("#tickets-count")).to_have_text("1")  # seen at login
    await page.click("#sub-tab-tickets")
    ticket = page.locator(f'.ticket[data-conversation-id="{outcome.conversation_id}"]')
    await expect(ticket).to_contain_text("非工作时间，已转工单")
    await expect(ticket).to_contain_text("快递丢了")
    await expect(page.locator("#tickets-count")).to_have_text("1")
    await ticket.locator("button.primary").click()
    await expect(page.locator("#notice")).to_have_text("请先填写处理备注")
    await ticket.locator("textarea").fill("已电话联系客户，补发中")
    await ticket.locator("button.primary").click()
    await expect(page.locator("#tickets-summary")).to_have_text("太好了，留言都已处理完")
    await expect(page.locator("#tickets-count")).to_be_hidden()
    await page.select_option("#tickets-status", "handled")
    await expect(ticket).to_contain_text("已电话联系客户，补发中")
    await expect(ticket).to_contain_text("王芳")
    assert not page.errors
