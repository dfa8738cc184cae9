"""The supervisors' dashboard (数据看板) of the desk page in headless Chromium.

The real desk (SQLite, the test clock) serves the page, the logins, the supervisor routes and
the KPI targets; :mod:`.analytics_stub` stands in front of it for the analytics routes, with
fixed sample data or as missing or failing. Playwright drives Debian's chromium
(``/usr/bin/chromium``); the tests skip without it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from .analytics_stub import AnalyticsStub, serve_stub
from .conftest import PASSWORD, SHANGHAI, Desk, queued
from .served import served

async_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed")
expect = async_api.expect

FAILED = "数据加载失败，请稍后重试"
EXPORTS = "/api/desk/v1/analytics/export/"


@pytest.fixture
async def site(desk: Desk) -> AsyncIterator[tuple[str, AnalyticsStub]]:
    """The stub's URL in front of the served desk, and the stub."""
    async with served(desk) as real, serve_stub(real.url) as (url, stub):
        yield url, stub


Opener = Callable[..., Awaitable[Any]]


@pytest.fixture
async def open_desk(browser: Any, site: tuple[str, AnalyticsStub]) -> AsyncIterator[Opener]:
    """Opens logged-in pages; closes them before the servers stop."""
    contexts: list[Any] = []

    async def opener(username: str, width: int = 1280, fake_clock: bool = False) -> Any:
        context = await browser.new_context(
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": width, "height": 900},
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        if fake_clock:
            await context.clock.install()
        return await logged_in(context, site[0], username)

    yield opener
    for context in contexts:
        await context.close()


async def logged_in(context: Any, url: str, username: str) -> Any:
    """A page logged in as ``username`` at ``/desk/#dashboard`` (its errors are recorded)."""
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(  # a script or style the page's CSP refused is an error too
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.errors = errors
    await page.goto(url + "/desk/#dashboard")
    await page.fill("#login-username", username)
    await page.fill("#login-password", PASSWORD)
    await page.click("#login-submit")
    await expect(page.locator("#desk-view")).to_be_visible()
    return page


def kpi(page: Any, metric: str) -> Any:
    return page.locator(f'#dash-kpis .kpi[data-metric="{metric}"]')


async def test_only_supervisors_get_the_dashboard_tab(
    open_desk: Opener, site: tuple[str, AnalyticsStub]
) -> None:

    agent = await open_desk("wangfang")
    await expect(agent.locator("#conv-view")).to_be_visible()
    await expect(agent.locator("#tab-dash")).to_be_hidden()
    await expect(agent.locator("#dash-view")).to_be_hidden()

    boss = await open_desk("boss")
    await expect(boss.locator("#tab-dash")).to_be_visible()
    await expect(boss.locator("#tab-dash")).to_have_text("数据看板")
    await expect(boss.locator("#dash-view")).to_be_visible()
    await expect(boss.locator("#conv-view")).to_be_hidden()
    await expect(boss.locator("#tab-dash")).to_have_attribute("aria-current", "page")
    # Keyboard: the 会话 tab and back to 数据看板.
    await boss.focus("#tab-conv")
    await boss.keyboard.press("Enter")
    await expect(boss.locator("#conv-view")).to_be_visible()
    await expect(boss.locator("#dash-view")).to_be_hidden()
    await boss.focus("#tab-dash")
    await boss.keyboard.press("Enter")
    await expect(boss.locator("#dash-view")).to_be_visible()
    await boss.click("#logout")
    await expect(boss.locator("#login-view")).to_be_visible()
    assert not boss.errors and not agent.errors


async def test_the_live_part_shows_queues_agents_and_kpis_against_targets(
    open_desk: Opener, desk: Desk, site: tuple[str, AnalyticsStub]
) -> None:
    _, stub = site
    await queued(desk, "alice", "orders")
    desk.clock.advance(seconds=30)
    await queued(desk, "bob", "orders")
    desk.clock.advance(seconds=65)  # alice waits 1分35秒, bob 1分05秒
    page = await open_desk("boss")

    orders = page.locator('#dash-queues tr[data-group="orders"]')
    await expect(orders).to_contain_text("订单组")
    await expect(orders.locator("td")).to_have_text(["订单组", "2", "1分35秒", "1分20秒"])
    await expect(page.locator('#dash-queues tr[data-group="courses"] td').nth(1)).to_have_text("0")
    await expect(page.locator("#dash-agents-online")).to_have_text("在线 3/3")
    await expect(page.locator("#dash-agents tbody")).to_contain_text("王芳")
    assert any("/analytics/summary?since=" in asked for asked in stub.requests)

    # Sample data: containment 65% (target ≥70%) is red, CSAT 92% (≥90%) green.
    containment = kpi(page, "containment_rate")
    await expect(containment).to_have_class("kpi kpi-bad")
    await expect(containment).to_contain_text("65%")
    await expect(containment).to_contain_text("目标 ≥70%")
    await expect(containment).to_contain_text("未达标")
    await expect(kpi(page, "csat_score")).to_have_class("kpi kpi-ok")
    await expect(kpi(page, "avg_first_response_s")).to_contain_text("1分05秒")
    await expect(kpi(page, "avg_first_response_s")).to_contain_text("目标 ≤30秒")
    # Customers who left the queue before an agent accepted (no target: no colour).
    queue = kpi(page, "queue_abandonment_rate")
    await expect(queue).to_contain_text("排队放弃率")
    await expect(queue).to_contain_text("4%")
    await expect(queue).to_have_class("kpi")
    red = await containment.evaluate("node => getComputedStyle(node).borderLeftColor")
    assert red == "rgb(220, 38, 38)"

    # The supervisor lowers the target in the form: the card turns green at once.
    await page.click("#dash-targets summary")
    await page.fill("#dash-target-containment_rate", "60")
    await page.click("#dash-targets-save")
    await expect(page.locator("#dash-targets-status")).to_have_text("目标已保存")
    await expect(containment).to_have_class("kpi kpi-ok")
    await expect(containment).to_contain_text("目标 ≥60%")
    green = await containment.evaluate("node => getComputedStyle(node).borderLeftColor")
    assert green == "rgb(22, 163, 74)"

    # A wrong value is refused in Chinese, next to the field, and nothing is saved.
    await page.fill("#dash-target-handoff_rate", "150")
    await page.click("#dash-targets-save")
    error = page.locator("#dash-targets-error")
    await expect(error).to_have_text("「转人工率」的目标请填写 0 到 100 之间的数字（百分比）")
    await expect(page.locator("#dash-target-handoff_rate")).to_be_focused()

    # Stored in the desk database: another browser (another replica) sees the new target.
    other = await open_desk("boss")
    await expect(kpi(other, "containment_rate")).to_contain_text("目标 ≥60%")
    await expect(kpi(other, "containment_rate")).to_have_class("kpi kpi-ok")
    assert not page.errors and not other.errors


async def test_the_reports_draw_charts_tables_and_export_links(
    open_desk: Opener, site: tuple[str, AnalyticsStub]
) -> None:
    _, stub = site
    page = await open_desk("boss")
    volume = page.locator("#dash-panel-volume")
    await expect(volume.locator(".dash-legend")).to_contain_text("会话量")
    await expect(volume.locator(".dash-legend")).to_contain_text("转人工")
    await expect(page.locator("#dash-panel-rates .dash-legend")).to_contain_text("机器人解决率")
    drawn = await page.evaluate(
        "() => ['volume', 'rates', 'channel', 'intent'].map(name => {"
        " const chart = Chart.getChart(document.getElementById('dash-' + name + '-chart'));"
        " return chart ? chart.data.labels.length : 0; })"
    )
    assert drawn == [7, 7, 2, 3]
    box = await page.locator("#dash-volume-chart").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    await expect(page.locator("#dash-summary")).to_contain_text("1,280")
    await expect(page.locator('#dash-summary [data-metric="avg_resolution_s"]')).to_contain_text(
        "6分55秒"
    )
    queue = page.locator('#dash-summary [data-metric="queue_abandonment_rate"]')
    await expect(queue).to_have_text("排队放弃率4%")
    await expect(page.locator('#dash-summary [data-metric="queue_abandoned"]')).to_have_text(
        "排队放弃数12"
    )
    top = page.locator("#dash-panel-top-intents tbody tr")
    await expect(top.first.locator("td")).to_have_text(["1", "查询订单", "420"])
    unanswered = page.locator("#dash-panel-unanswered tbody")
    await expect(unanswered).to_contain_text("你们周末发货吗")
    await expect(unanswered).to_contain_text("138****5678")
    assert "13812345678" not in await unanswered.inner_text()

    # 近7天 by day; 今天 by hour; the export links follow the range.
    link = page.locator("#dash-export-conversations")
    assert "/analytics/export/conversations.csv?since=" in await link.get_attribute("href")
    assert any("bucket=day" in asked for asked in stub.requests)
    await page.click('.dash-preset[data-days="1"]')
    await expect(page.locator('.dash-preset[data-days="1"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(page.locator("#dash-panel-intent .dash-legend")).to_contain_text("会话数")
    assert any("trend?" in asked and "bucket=hour" in asked for asked in stub.requests)
    trend_csv = page.locator('#dash-panel-volume a[data-export="trend"]')
    assert "bucket=hour" in await trend_csv.get_attribute("href")
    async with page.expect_download() as download:
        await link.click()
    assert (await download.value).suggested_filename.endswith(".csv")

    # A range ending in the past names its last day (the analytics API includes it).
    today = datetime.now(SHANGHAI).date()
    first, last = today - timedelta(days=20), today - timedelta(days=14)
    await page.fill("#dash-since", first.isoformat())
    await page.fill("#dash-until", last.isoformat())
    await page.click("#dash-apply")
    await expect(link).to_have_attribute(
        "href", f"{EXPORTS}conversations.csv?since={first.isoformat()}&until={last.isoformat()}"
    )
    await page.fill("#dash-since", (last + timedelta(days=1)).isoformat())
    await page.click("#dash-apply")
    await expect(page.locator("#dash-range-error")).to_have_text("开始日期不能晚于结束日期")
    assert not page.errors


@pytest.mark.parametrize(
    ("mode", "message"), [("missing", "暂无数据"), ("empty", "暂无数据"), ("broken", FAILED)]
)
async def test_missing_or_failing_analytics_leave_a_polite_message_and_the_live_part(
    open_desk: Opener, desk: Desk, site: tuple[str, AnalyticsStub], mode: str, message: str
) -> None:
    _, stub = site
    stub.mode = mode
    await queued(desk, "carol", "courses")
    page = await open_desk("boss")
    for panel in ("volume", "rates", "channel", "intent", "top-intents", "unanswered"):
        note = page.locator(f"#dash-panel-{panel} .dash-msg")
        await expect(note).to_have_text(message)
        await expect(
            page.locator(f"#dash-panel-{panel} .dash-chart, #dash-panel-{panel} .dash-table-wrap")
        ).to_be_hidden()
    await expect(page.locator('#dash-queues tr[data-group="courses"] td').nth(1)).to_have_text("1")
    await expect(kpi(page, "containment_rate")).to_contain_text("目标 ≥70%")
    # No CSV links to download a 404 from while the analytics routes are missing.
    links = page.locator(
        "#dash-export-conversations, #dash-export-transcripts, #dash-view a[data-export]"
    )
    assert await links.count() == 8
    for index in range(8):
        if mode == "missing":
            await expect(links.nth(index)).to_be_hidden()
        else:
            await expect(links.nth(index)).to_be_visible()
    if mode != "empty":
        await expect(page.locator("#dash-kpis-msg")).to_have_text(message)
        await expect(kpi(page, "containment_rate")).to_have_class("kpi kpi-none")
    assert not page.errors


async def test_the_dashboard_fits_a_phone_without_horizontal_scrolling(
    open_desk: Opener, site: tuple[str, AnalyticsStub]
) -> None:

    page = await open_desk("boss", width=390)
    await expect(page.locator("#dash-panel-volume .dash-legend")).to_contain_text("会话量")
    await page.click("#dash-targets summary")
    await expect(page.locator("#dash-target-containment_rate")).to_be_visible()
    overflow = await page.evaluate(
        "() => [document.documentElement, document.getElementById('dash-view'),"
        " ...document.querySelectorAll('#dash-view .dash-card')]"
        ".map(node => node.scrollWidth - node.clientWidth)"
    )
    assert max(overflow) <= 0, overflow
    box = await page.locator("#dash-volume-chart").bounding_box()
    assert box and box["width"] <= 390
    assert not page.errors


async def eventually(check: Callable[[], bool], seconds: float = 10) -> None:
    """Waits until ``check()`` holds (requests reach the stub a little after the clock moves)."""
    for _ in range(int(seconds * 10)):
        if check():
            return
        await asyncio.sleep(0.1)
    assert check()


async def test_the_live_part_refreshes_every_10_seconds_only_while_shown(
    open_desk: Opener, site: tuple[str, AnalyticsStub]
) -> None:
    _, stub = site
    today = datetime.now(SHANGHAI).date().isoformat()

    def live() -> int:  # today's KPIs (the reports ask for 近7天)
        return len([asked for asked in stub.requests if f"/summary?since={today}" in asked])

    page = await open_desk("boss", fake_clock=True)
    await expect(kpi(page, "containment_rate")).to_contain_text("65%")
    before = live()
    await page.clock.run_for(10_500)
    await eventually(lambda: live() >= before + 1)
    await page.click("#tab-conv")
    await expect(page.locator("#dash-view")).to_be_hidden()
    left = live()
    await page.clock.run_for(35_000)
    await asyncio.sleep(1)
    assert live() == left  # nothing asked while the supervisor is elsewhere
    await page.click("#tab-dash")
    await expect(page.locator("#dash-view")).to_be_visible()
    await eventually(lambda: live() >= left + 1)
