"""``GET /analytics/export/transcripts.csv``: supervisors only, masked, streamed, clear 400s."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.unit.analytics.conftest import settings
from tests.unit.analytics.test_transcripts import seeded
from tests.unit.servers.desk.conftest import Desk, build_desk, desk_settings
from zhike.analytics import transcripts
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.report import Reports

PATH = "/analytics/export/transcripts.csv"
DAY = "?since=2026-12-01&until=2026-12-01"


@pytest.fixture
async def desk_with_transcripts(tmp_path: Path) -> AsyncIterator[Desk]:
    built = await build_desk(desk_settings(tmp_path))
    db = AnalyticsDatabase(f"sqlite+aiosqlite:///{tmp_path / 'analytics.db'}")
    await db.create_tables()
    await seeded(db)
    built.app.ctx.analytics = Reports(db, settings(db.url))
    yield built
    await db.dispose()
    await built.context.close()


async def get(desk: Desk, query: str, who: str | None = "boss") -> Any:
    user = await desk.login(who) if who else None
    return await desk.call("GET", PATH + query, user)


def rows(response: Any) -> list[list[str]]:
    text = response.body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


async def test_only_supervisors_download_transcripts(desk_with_transcripts: Desk) -> None:
    assert (await get(desk_with_transcripts, DAY, None)).status == 401
    agent = await get(desk_with_transcripts, DAY, "wangfang")
    assert agent.status == 403 and agent.json["error"] == "supervisor_only"


async def test_every_message_masked_with_channel_names(
    desk_with_transcripts: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transcripts, "CHUNK", 1)  # one conversation per chunk: streamed
    response = await get(desk_with_transcripts, DAY)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "zhike-transcripts.csv" in response.headers["content-disposition"]
    found = rows(response)
    assert found[0] == list(transcripts.HEADER)
    assert [(r[1], r[4]) for r in found[1:]] == [
        ("接口", "客户"),
        ("接口", "机器人"),
        ("接口", "客户"),
        ("网页", "客户"),
        ("网页", "机器人"),
        ("网页", "坐席"),
    ]
    assert found[1][5] == "改地址到上海市浦东新区****"
    body = response.body.decode("utf-8")
    for secret in ("13800138001", "13900139002", "张江路", "中关村大街"):
        assert secret not in body
    empty = await get(desk_with_transcripts, "?since=2026-11-01&until=2026-11-02")
    assert empty.status == 200 and rows(empty) == [list(transcripts.HEADER)]


@pytest.mark.parametrize(
    "query",
    [
        "?since=yesterday",
        "?since=2026-12-02&until=2026-12-01",  # backwards
        "?since=2026-12-01&until=2026-12-01T00:00:00%2B08:00",  # empty
        "?since=2026-02-30",
        "?until=9999-12-31",
    ],
)
async def test_a_bad_range_is_a_clear_400(desk_with_transcripts: Desk, query: str) -> None:
    response = await get(desk_with_transcripts, query)
    assert response.status == 400
    assert response.json["error"] == "invalid_period" and response.json["message"]


async def test_an_unreadable_database_is_a_503_before_any_line(tmp_path: Path) -> None:
    built = await build_desk(desk_settings(tmp_path))
    broken = AnalyticsDatabase(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'analytics.db'}")
    built.app.ctx.analytics = Reports(broken, settings(broken.url))
    try:
        response = await get(built, DAY)
        assert response.status == 503 and response.json["error"] == "analytics_unavailable"
    finally:
        await broken.dispose()
        await built.context.close()
