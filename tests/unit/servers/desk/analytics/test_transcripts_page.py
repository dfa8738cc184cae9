"""The 数据看板's 导出聊天记录 button in headless Chromium, against the real analytics routes."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.unit.servers.desk.conftest import PASSWORD, Desk
from tests.unit.servers.desk.served import served

from .test_transcripts_api import desk_with_transcripts  # noqa: F401 - the fixture

async_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed")
expect = async_api.expect


async def test_the_dashboard_downloads_the_masked_transcripts_of_the_range(
    browser: Any,
    desk_with_transcripts: Desk,  # noqa: F811 - the fixture
) -> None:
    async with served(desk_with_transcripts) as site:
        context = await browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
        )
        context.set_default_timeout(15_000)
        try:
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(site.url + "/desk/#dashboard")
            await page.fill("#login-username", "boss")
            await page.fill("#login-password", PASSWORD)
            await page.click("#login-submit")
            await expect(page.locator("#dash-view")).to_be_visible()
            await page.fill("#dash-since", "2026-12-01")
            await page.fill("#dash-until", "2026-12-01")
            await page.click("#dash-apply")
            button = page.locator("#dash-export-transcripts")
            await expect(button).to_have_text("导出聊天记录 CSV")
            await expect(button).to_be_visible()
            await expect(button).to_have_attribute(
                "href",
                "/api/desk/v1/analytics/export/transcripts.csv?since=2026-12-01&until=2026-12-01",
            )
            # Next to the conversations export, in the range's row.
            row = page.locator(".dash-range")
            await expect(row.locator("#dash-export-conversations")).to_be_visible()
            await expect(row.locator("#dash-export-transcripts")).to_be_visible()
            async with page.expect_download() as download:
                await button.click()
            file = await download.value
            assert file.suggested_filename == "zhike-transcripts.csv"
            path = await file.path()
            text = open(path, encoding="utf-8-sig").read()  # noqa: PTH123, SIM115
            rows = list(csv.reader(io.StringIO(text)))
            assert rows[0] == ["conversation", "channel", "customer", "time", "sender", "text"]
            assert [row[4] for row in rows[1:]] == [
                "客户",
                "机器人",
                "客户",
                "客户",
                "机器人",
                "坐席",
            ]
            assert rows[1][5] == "改地址到上海市浦东新区****"
            assert "13800138001" not in text and "中关村大街" not in text
            assert not errors
        finally:
            await context.close()
