"""The desk's analytics routes: supervisors only, documented shapes, labels, 400s, CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.unit.analytics.conftest import T0, Script, settings
from tests.unit.servers.desk.conftest import Desk, build_desk, desk_settings
from zhike.analytics.db import AnalyticsDatabase
from zhike.analytics.ingest import apply_events
from zhike.analytics.linking import link_handoffs
from zhike.analytics.models import HandoffRow
from zhike.analytics.report import SUMMARY_FIELDS, Reports

SINCE, UNTIL = "2026-12-01", "2026-12-01"  # the whole 1st of December, Shanghai time


def traffic() -> list[dict[str, Any]]:
    """Two REST conversations (one abandoned) and one on the web widget."""
    rest = Script("13800138001").session().user("查订单HP20240001", "query_order")
    rest.bot("已发货", "utter_x").kb_answer("多久发货").bot("再见", "utter_goodbye")
    lost = Script("u2", start=T0.replace(hour=11)).session().kb_no_answer("手机13900139002能用吗")
    web = Script("w1", start=T0.replace(hour=15), channel="socketio").session()
    web.user("我要退款", "request_refund").bot("请问原因", "utter_ask_reason")
    return rest.events + lost.events + web.events


@pytest.fixture
async def desk_with_data(tmp_path: Path) -> AsyncIterator[Desk]:
    built = await build_desk(desk_settings(tmp_path))
    db = AnalyticsDatabase(f"sqlite+aiosqlite:///{tmp_path / 'analytics.db'}")
    await db.create_tables()

    async def work(session: Any) -> int:
        return await apply_events(session, traffic())

    await db.run(work)
    built.app.ctx.analytics = Reports(db, settings(db.url))
    yield built
    await db.dispose()
    await built.context.close()


async def get(desk: Desk, path: str, who: str | None = "boss") -> Any:
    user = await desk.login(who) if who else None
    return await desk.call("GET", "/analytics/" + path, user)


async def test_only_supervisors_see_analytics(desk_with_data: Desk) -> None:
    assert (await get(desk_with_data, "summary", None)).status == 401
    response = await get(desk_with_data, "summary", "wangfang")  # an agent
    assert response.status == 403 and response.json["error"] == "supervisor_only"


@pytest.mark.parametrize(
    "query",
    [
        "summary?since=yesterday",
        "summary?since=2026-13-01",
        "summary?since=2026-12-02&until=2026-12-01",
        "summary?until=9999-12-31",
        "summary?until=0001-01-01",
        "summary?since=0001-01-01&until=2026-12-01",
        "summary?since=2026-12-01T10:00:00%2B99:00",
        "trend?bucket=week",
        "trend?since=2020-01-01&until=2026-01-01&bucket=hour",
        "breakdown?by=weather",
        "top?kind=everything",
        "top?limit=0",
        "top?limit=many",
    ],
)
async def test_bad_parameters_are_400(desk_with_data: Desk, query: str) -> None:
    assert (await get(desk_with_data, query)).status == 400


async def test_summary(desk_with_data: Desk) -> None:
    response = await get(desk_with_data, f"summary?since={SINCE}&until={UNTIL}")
    assert response.status == 200, response.text
    body = response.json
    assert set(SUMMARY_FIELDS) <= set(body) and "by_channel" in body
    assert body["since"] == "2026-12-01T00:00:00+08:00"
    assert body["until"] == "2026-12-02T00:00:00+08:00"
    assert (body["conversations"], body["bot_resolved"], body["abandoned"]) == (3, 2, 1)
    assert body["knowledge_coverage"] == 0.5 and body["handoff_rate"] == 0.0
    assert body["mtta_s"] is None
    assert body["by_channel"]["socketio"]["conversations"] == 1
    assert set(SUMMARY_FIELDS) <= set(body["by_channel"]["rest"])
    outside = await get(desk_with_data, "summary?since=2026-11-01&until=2026-11-30")
    assert outside.json["conversations"] == 0 and outside.json["containment_rate"] is None


async def test_the_summary_counts_customers_who_left_the_queue(desk_with_data: Desk) -> None:
    reports: Reports = desk_with_data.app.ctx.analytics
    asked = T0.replace(hour=11, minute=5)

    async def work(session: Any) -> int:  # u2 asked for a human, then left the queue
        session.add(
            HandoffRow(
                episode_id=1, sender_id="u2", channel="rest", requested_at=asked,
                closed_at=asked + timedelta(minutes=3), disposition="user_left",
                reference_at=asked,
            )
        )  # fmt: skip
        await link_handoffs(session, senders=["u2"])
        return 1

    await reports.db.run(work)
    body = (await get(desk_with_data, f"summary?since={SINCE}&until={UNTIL}")).json
    assert (body["handed_off"], body["queue_abandoned"]) == (1, 1)
    assert body["queue_abandonment_rate"] == 1.0
    assert body["by_channel"]["rest"]["queue_abandonment_rate"] == 1.0
    assert body["by_channel"]["socketio"]["queue_abandonment_rate"] is None  # nobody queued


async def test_trend_breakdown_and_top(desk_with_data: Desk) -> None:
    trend = (await get(desk_with_data, f"trend?since={SINCE}&until={UNTIL}&bucket=hour")).json
    assert len(trend["points"]) == 24
    assert [p["conversations"] for p in trend["points"]][10:16] == [1, 1, 0, 0, 0, 1]
    rows = (await get(desk_with_data, f"breakdown?since={SINCE}&until={UNTIL}")).json["rows"]
    assert [(r["key"], r["label"], r["conversations"]) for r in rows] == [
        ("rest", "接口", 2),
        ("socketio", "网页", 1),
    ]
    by_intent = (await get(desk_with_data, f"breakdown?since={SINCE}&by=intent")).json
    labels = {r["key"]: r["label"] for r in by_intent["rows"]}
    assert labels["query_order"] == "查询订单状态" and labels["request_refund"] == "申请退款/退货"
    top = (await get(desk_with_data, f"top?since={SINCE}&kind=intents&limit=2")).json
    assert top["rows"][0] == {"key": "faq", "label": top["rows"][0]["label"], "count": 2}
    assert len(top["rows"]) == 2
    unanswered = (await get(desk_with_data, f"top?since={SINCE}&kind=unanswered")).json["rows"]
    assert unanswered == [
        {"key": "手机139****9002能用吗", "label": "手机139****9002能用吗", "count": 1}
    ]


async def test_csv_exports_are_excel_ready_and_masked(desk_with_data: Desk) -> None:
    response = await get(desk_with_data, f"export/conversations.csv?since={SINCE}&until={UNTIL}")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.body.decode("utf-8")
    assert text.startswith("\ufeffsession,channel,customer")
    assert "13800138001" not in text and "138****8001" in text
    assert text.count("\r\n") == 4  # header + 3 conversations
    assert ",接口," in text and "查询订单状态" in text
    for name in ("summary", "trend", "breakdown"):
        other = await get(desk_with_data, f"export/{name}.csv?since={SINCE}&until={UNTIL}")
        assert other.status == 200 and other.body.startswith("\ufeff".encode())
    assert (await get(desk_with_data, "export/secrets.csv")).status == 404
    assert (await get(desk_with_data, "export/summary.csv", "wangfang")).status == 403
