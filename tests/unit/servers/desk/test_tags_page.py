"""Customer tags (客户画像) in the desk page, in headless Chromium.

The real desk (SQLite, the in-process fake backend) is served on a loopback port; an agent
accepts a conversation of 张伟 (C001), sees his automatic tags with why in their tooltip,
adds a manual tag that survives a reload, and a supervisor finds it in 客户分群. Playwright
drives Debian's chromium (``/usr/bin/chromium``); the tests skip without it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from zhike.lib.backend_client.fake import InMemoryBackendClient
from zhike.servers.desk.assist import AssistServices

from .background_round import background_round
from .conftest import PASSWORD, Desk, queued
from .served import served

async_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed")
expect = async_api.expect


@pytest.fixture
async def site(desk: Desk) -> AsyncIterator[str]:
    desk.app.ctx.desk_assist = AssistServices.from_settings(
        desk.context.settings, backend=InMemoryBackendClient()
    )
    async with served(desk) as running:
        yield running.url


async def logged_in(browser: Any, url: str, username: str, hash_: str = "") -> Any:
    context = await browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.errors = errors
    await page.goto(f"{url}/desk/{hash_}")
    await page.fill("#login-username", username)
    await page.fill("#login-password", PASSWORD)
    await page.click("#login-submit")
    await expect(page.locator("#desk-view")).to_be_visible()
    return page


async def test_an_agent_sees_auto_tags_adds_one_and_the_supervisor_counts_it(
    browser: Any, desk: Desk, site: str
) -> None:
    await queued(desk, "app:C001", "orders")
    await background_round(desk)  # the desk's job computes a waiting customer's tags
    page = await logged_in(browser, site, "wangfang")

    await page.locator("#queue button.accept").first.click()
    tags = page.locator("#cust-tags")
    refunds = tags.locator(".tag-chip", has_text="高频退款")
    await expect(refunds).to_be_visible()
    await expect(refunds).to_have_attribute("title", "近90天退款3次")
    await expect(tags.locator(".tag-chip", has_text="VIP")).to_have_attribute(
        "title", "会员等级为 VIP"
    )
    await expect(tags.locator('.tag-chip[data-source="auto"] button')).to_have_count(0)

    await page.fill("#tag-input", "   ")
    await page.click("#tag-add")
    await expect(page.locator("#tag-error")).to_have_text("请输入标签内容")
    await page.fill("#tag-input", "老客户")
    await page.click("#tag-add")
    manual = tags.locator('.tag-chip[data-source="manual"]')
    await expect(manual).to_have_text("老客户×")
    await expect(page.locator("#tag-error")).to_be_hidden()
    await expect(page.locator("#tag-input")).to_have_value("")
    assert await page.locator("#tag-input").get_attribute("maxlength") == "32"

    await page.reload()
    await expect(page.locator("#desk-view")).to_be_visible()
    await page.locator("#mine .row-main").first.click()
    await expect(page.locator("#cust-tags .tag-chip", has_text="老客户")).to_be_visible()
    await expect(page.locator("#tag-suggestions option")).to_have_count(1)

    boss = await logged_in(browser, site, "boss", "#dashboard")
    row = boss.locator('#tags-segments tr[data-tag="老客户"]')
    await expect(row.locator("td")).to_have_text(["老客户", "手动", "1"])
    await expect(boss.locator('#tags-segments tr[data-tag="vip"] td').nth(2)).to_have_text("1")

    await page.locator('#cust-tags button[aria-label="删除标签 老客户"]').click()
    await expect(page.locator('#cust-tags .tag-chip[data-source="manual"]')).to_have_count(0)
    await boss.click("#tags-segments-refresh")
    await expect(row).to_have_count(0)
    assert not page.errors and not boss.errors


@pytest.mark.parametrize("name", ["desk-tags.js", "tags-segments.js"])
async def test_the_tag_scripts_are_served_and_never_write_html(desk: Desk, name: str) -> None:
    _, response = await desk.app.asgi_client.get(f"/desk/{name}")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/javascript")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in response.text
