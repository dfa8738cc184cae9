"""历史会话 (``GET /history``) and 留言 (``GET /tickets``, ``POST /tickets/<id>/handle``)."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import pytest

from zhike.servers.desk import history_api
from zhike.servers.desk.inbox import NameCache

from .conftest import Desk, queued


async def served_and_closed(
    desk: Desk, sender: str, group: str, agent: str, said: str, rating: int | None = None
) -> int:
    """A conversation of ``group`` that ``agent`` served and closed as resolved."""
    cid = await queued(desk, sender, group)
    await desk.handoff.route_user_message(sender, "rest", said, f"{sender}-said")
    await desk.handoff.accept(agent, cid)
    await desk.handoff.close(cid, agent, "resolved")
    if rating is not None:
        await desk.handoff.rate(cid, rating, "服务很好")
    return cid


async def after_hours(desk: Desk, sender: str, group: str) -> int:
    """A 转人工 at 22:00, outside business hours: stored closed as a 留言."""
    desk.clock.advance(hours=12)
    try:
        outcome = await desk.handoff.request_handoff(
            sender,
            "rest",
            "C001",
            group,
            {
                "intent": "query_order",
                "reason": "要求人工",
                "recent_messages": ["我电话13812345678"],
            },
        )
    finally:
        desk.clock.advance(hours=-12)
    assert outcome.status == "after_hours"
    return outcome.conversation_id


async def test_history_finds_closed_conversations_of_the_callers_groups(desk: Desk) -> None:
    orders = await served_and_closed(
        desk, "h1", "orders", "a1", "订单 HP20240077 手机 13812345678", 5
    )
    courses = await served_and_closed(desk, "h2", "courses", "a2", "课程改期")
    await queued(desk, "h3", "orders")  # still open: not history
    agent, boss = await desk.login("wangfang"), await desk.login("boss")

    mine = (await desk.call("GET", "/history", agent)).json
    assert [item["conversation_id"] for item in mine["items"]] == [orders]
    item = mine["items"][0]
    assert item["disposition_label"] == "已解决"
    assert item["rating"] == 5 and item["agent_name"] == "王芳"
    everything = (await desk.call("GET", "/history", boss)).json
    assert {i["conversation_id"] for i in everything["items"]} == {orders, courses}

    found = (await desk.call("GET", "/history?order=HP20240077", boss)).json["items"]
    assert [i["conversation_id"] for i in found] == [orders]
    assert (await desk.call("GET", "/history?order=HP20249999", boss)).json["items"] == []
    by_phone = (await desk.call("GET", "/history?q=****5678", boss)).json["items"]
    assert [i["conversation_id"] for i in by_phone] == [orders]
    assert "13812345678" not in (await desk.call("GET", "/history", boss)).text
    on_the_day = "/history?since=2024-06-04&until=2024-06-04"
    assert len((await desk.call("GET", on_the_day, boss)).json["items"]) == 2
    assert (await desk.call("GET", "/history?since=2024-06-05", boss)).json["items"] == []
    assert (await desk.call("GET", "/history?until=2024-06-03", boss)).json["items"] == []


@pytest.mark.parametrize(
    "query",
    [
        "since=2024-13-01",
        "until=yesterday",
        "since=2024-06-05&until=2024-06-04",
        "page=0",
        "page=abc",
        "order=HP%27%20OR%201=1",
        "q=" + "长" * 51,
        "q=%00",
    ],
)
async def test_bad_history_parameters_are_a_400(desk: Desk, query: str) -> None:
    boss = await desk.login("boss")
    response = await desk.call("GET", f"/history?{query}", boss)
    assert response.status == 400, response.text
    assert response.json["error"].startswith("invalid_")


async def test_history_and_tickets_need_a_session(desk: Desk) -> None:
    assert (await desk.call("GET", "/history")).status == 401
    assert (await desk.call("GET", "/tickets")).status == 401


async def test_after_hours_requests_are_worked_through_with_a_note(desk: Desk) -> None:
    ticket = await after_hours(desk, "late", "orders")
    served = await served_and_closed(desk, "h1", "orders", "a1", "谢谢")
    agent, other = await desk.login("wangfang"), await desk.login("liuyang")

    listed = (await desk.call("GET", "/tickets", agent)).json
    assert [i["conversation_id"] for i in listed["items"]] == [ticket]
    item = listed["items"][0]
    assert item["disposition_label"] == "非工作时间，已转工单"
    assert item["reason"] == "要求人工" and item["handled"] is False
    assert item["recent_messages"] == ["我电话138****5678"]
    assert (await desk.call("GET", "/tickets", other)).json["items"] == []  # courses

    path = f"/tickets/{ticket}/handle"
    assert (await desk.call("POST", path, other, {"note": "已回电"})).status == 403
    assert (await desk.call("POST", path, agent, {"note": "  "})).status == 400
    assert (await desk.call("POST", path, agent, {"note": "已回电 13812345678"})).status == 200
    assert (await desk.call("POST", path, agent, {"note": "再次"})).status == 409
    assert (
        await desk.call("POST", f"/tickets/{served}/handle", agent, {"note": "x"})
    ).status == 404
    assert (await desk.call("GET", "/tickets", agent)).json["items"] == []
    done = (await desk.call("GET", "/tickets?status=handled", agent)).json["items"]
    assert done[0]["note"] == "已回电 138****5678"
    assert done[0]["handled_by"] == "王芳"
    assert (await desk.call("GET", "/tickets?status=later", agent)).status == 400


class Backend:
    """The business backend's customers: 张三 is C001; ``delay`` makes it slow."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    async def get_customer(self, customer_id: str) -> Any:
        await asyncio.sleep(self.delay)
        return SimpleNamespace(name="张三") if customer_id == "C001" else None


async def test_history_finds_a_customer_by_masked_name(desk: Desk) -> None:
    desk.app.ctx.desk_names = NameCache(Backend())  # type: ignore[arg-type]
    cid = await served_and_closed(desk, "named", "orders", "a1", "谢谢")
    boss = await desk.login("boss")
    found = (await desk.call("GET", "/history?q=张*", boss)).json["items"]
    assert [(i["conversation_id"], i["name"]) for i in found] == [(cid, "张*")]
    assert (await desk.call("GET", "/history?q=李*", boss)).json["items"] == []


async def test_a_slow_backend_costs_the_names_not_the_answer(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_api, "NAME_SECONDS", 0.2)
    desk.app.ctx.desk_names = NameCache(Backend(delay=30))  # type: ignore[arg-type]
    await served_and_closed(desk, "slow", "orders", "a1", "谢谢")
    boss = await desk.login("boss")
    started = time.monotonic()
    items = (await desk.call("GET", "/history?q=C001", boss)).json["items"]
    assert time.monotonic() - started < 5
    assert [i["name"] for i in items] == ["客户 C001"]
